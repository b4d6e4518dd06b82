"""What crawlers and link previews see: robots.txt, the sitemap, canonical links, noindex."""

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from relations.models import Event, Source
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def head_tag(html, pattern):
    return re.findall(pattern, html.split("</head>")[0])


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_every_public_event_and_source_and_no_draft(client, timeline):
    draft = EventFactory(title="Not yet public", publication=Event.Publication.DRAFT)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = {
        element.text.removeprefix("http://testserver")
        for element in ET.fromstring(response.content).iter(f"{SITEMAP}loc")
    }
    assert {event.get_absolute_url() for event in Event.objects.public()} <= locations
    assert {source.get_absolute_url() for source in Source.objects.public()} <= locations
    assert {"/", "/sources/", "/about/"} <= locations
    assert draft.get_absolute_url() not in locations


def test_whole_timeline_is_indexable_with_itself_as_canonical(client, timeline):
    html = client.get("/").content.decode()

    assert head_tag(html, r'<link rel="canonical" href="([^"]*)"') == ["http://testserver/"]
    assert head_tag(html, r'<meta name="robots"') == []


def test_filtered_view_is_not_indexed_and_its_preview_names_the_filter(client, timeline):
    html = client.get("/?category=trade").content.decode()

    assert head_tag(html, r'<meta name="robots" content="([^"]*)"') == ["noindex, follow"]
    (og_title,) = head_tag(html, r'<meta property="og:title" content="([^"]*)"')
    assert og_title.startswith("Trade &amp; economy")


def test_embed_is_not_indexed_and_names_the_timeline_view_as_canonical(client, timeline):
    html = client.get("/embed/?category=trade").content.decode()

    assert head_tag(html, r'<meta name="robots" content="([^"]*)"') == ["noindex"]
    assert head_tag(html, r'<link rel="canonical" href="([^"]*)"') == [
        "http://testserver/?category=trade"
    ]


def test_event_page_is_its_own_canonical(client, timeline):
    event = Event.objects.public().first()

    html = client.get(event.get_absolute_url()).content.decode()

    assert head_tag(html, r'<link rel="canonical" href="([^"]*)"') == [
        f"http://testserver{event.get_absolute_url()}"
    ]


@pytest.mark.parametrize("url", ["/", "/?category=trade", "/events/li-shangfu-visits-belarus/"])
def test_share_previews_show_the_site_image_with_its_size_and_alt(client, timeline, url):
    html = client.get(url).content.decode()

    (image,) = head_tag(html, r'<meta property="og:image" content="([^"]*)"')
    assert image.startswith("http://testserver/static/relations/og-card")
    assert image.endswith(".png")
    assert head_tag(html, r'<meta property="og:image:width" content="([^"]*)"') == ["1200"]
    assert head_tag(html, r'<meta property="og:image:height" content="([^"]*)"') == ["630"]
    (alt,) = head_tag(html, r'<meta property="og:image:alt" content="([^"]*)"')
    assert alt.startswith("Relations Timeline: ")
    assert head_tag(html, r'<meta name="twitter:card" content="([^"]*)"') == ["summary_large_image"]
    served = client.get(image.removeprefix("http://testserver"))
    assert served.status_code == 200


def test_the_share_image_is_a_1200_by_630_png():
    png = (Path(settings.BASE_DIR) / "static" / "relations" / "og-card.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (1200, 630)
