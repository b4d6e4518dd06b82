"""The Data page: every download of the filtered view, each linked with the view's filters."""

import re

import feedparser
import pytest

from relations.models import Event

pytestmark = pytest.mark.django_db

FORMATS = ["json", "csv", "csv-excel", "ics", "timelinejs", "annotations"]


def links(html):
    return re.findall(r'<a href="([^"]+)"', html)


def test_data_page_links_every_export_the_schema_and_the_feed_with_the_filters(client, timeline):
    response = client.get("/data/?category=trade&year_from=2020")

    assert response.status_code == 200
    html = response.content.decode()
    found = links(html)
    for fmt in FORMATS:
        assert f"/export/{fmt}/?category=trade&amp;year_from=2020" in found
    assert "/feed/?category=trade&amp;year_from=2020" in found
    assert "/schemas/export-1.json" in found
    count = Event.objects.public().filter(category="trade", start_date__year__gte=2020).count()
    assert f"hold the {count} event" in html


def test_every_link_of_the_data_page_answers(client, timeline):
    html = client.get("/data/?category=security").content.decode()

    for url in links(html):
        url = url.replace("&amp;", "&")
        if url.startswith("/"):
            assert client.get(url).status_code == 200, url


def test_data_page_refuses_bad_filters_with_the_reason(client, timeline):
    response = client.get("/data/?year_from=abc")

    assert response.status_code == 400
    assert "year_from" in response.content.decode()


def test_timeline_downloads_lead_to_the_data_page_of_the_same_view(client, timeline):
    html = client.get("/?category=security").content.decode()

    assert "/data/?category=security" in links(html)


def test_filtered_feed_is_titled_by_its_filters(client, timeline):
    whole = feedparser.parse(client.get("/feed/").content)
    filtered = feedparser.parse(client.get("/feed/?category=security").content)

    assert whole.feed.title == "China–Belarus relations"
    assert filtered.feed.title == "Security & defence · China–Belarus relations"


def test_filtered_page_offers_its_own_feed(client, timeline):
    html = client.get("/?category=security").content.decode()

    (feed,) = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', html)
    assert 'href="/feed/?category=security"' in feed
    assert 'title="Security &amp; defence' in feed
