"""The sources list: search, filters, order and pages, as a reader narrows it down."""

import re

import pytest

from relations.models import Source
from tests.factories import CitationFactory, SourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def slugs(client, query=""):
    html = client.get(f"/sources/{query}").content.decode()
    return re.findall(r'<th scope="row"><a href="/sources/([^/]+)/"', html)


def test_search_matches_title_and_publisher_in_any_case_and_script(client, db):
    SourceFactory(slug="minsk", title="Лукашенко встретился с Си", publisher="BelTA")
    SourceFactory(slug="beijing", title="Xi meets Lukashenko", publisher="Xinhua")
    SourceFactory(slug="other", title="Potash prices", publisher="Reuters")

    assert slugs(client, "?q=лукашенко") == ["minsk"]
    assert set(slugs(client, "?q=LUKASHENKO")) == {"beijing"}
    assert slugs(client, "?q=belta") == ["minsk"]
    assert slugs(client, "?q=xinhua+meets") == ["beijing"]


def test_filters_by_type_reliability_and_language(client, db):
    SourceFactory(slug="official-ru", kind="official", language="ru")
    SourceFactory(slug="news-en", kind="news", language="en")
    SourceFactory(slug="bad", kind="generated", reliability="unreliable")

    assert slugs(client, "?type=official") == ["official-ru"]
    assert slugs(client, "?language=ru") == ["official-ru"]
    assert slugs(client, "?reliability=unreliable") == ["bad"]


def test_orders_by_date_and_by_events_cited(client, db):
    old = SourceFactory(slug="old", title="B", published_on="1992-01-20")
    new = SourceFactory(slug="new", title="C", published_on="2024-08-23")
    SourceFactory(slug="undated", title="A", published_on=None)
    for _ in range(2):
        CitationFactory(source=old)

    assert slugs(client) == ["undated", "old", "new"]
    assert slugs(client, "?order=-published") == ["new", "old", "undated"]
    assert slugs(client, "?order=published") == ["old", "new", "undated"]
    assert slugs(client, "?order=-events")[0] == "old"
    assert new.pk


def test_pages_of_fifty_keep_the_filters_in_their_links(client, db):
    for number in range(60):
        SourceFactory(slug=f"s-{number:02}", title=f"Report {number:02}", language="ru")

    first = client.get("/sources/?language=ru").content.decode()
    second = slugs(client, "?language=ru&page=2")

    assert len(slugs(client, "?language=ru")) == 50
    assert len(second) == 10
    assert 'href="?language=ru&amp;page=2"' in first
    assert "60 sources. Showing 1–50." not in first  # filtered: says how many match
    assert "60 of 60 sources match." in first


def test_bad_choices_are_a_400_naming_them(client, db):
    SourceFactory(language="en")
    for query, message in [
        ("?kind=rumours", "There is no kind of source “rumours”."),
        ("?order=random", "The list cannot be ordered by “random”."),
        ("?language=xx", "No source is in the language “xx”."),
    ]:
        response = client.get(f"/sources/{query}")
        assert response.status_code == 400
        assert message in response.content.decode()


def test_htmx_gets_only_the_list(client, db):
    SourceFactory(slug="only", language="ru")

    response = client.get("/sources/?language=ru", headers=HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="source-results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_language_choices_name_the_languages_of_the_sources(client, db):
    SourceFactory(language="ru")
    SourceFactory(language="zh-Hans")

    html = client.get("/sources/").content.decode()

    assert '<option value="ru">Russian (ru)</option>' in html
    assert '<option value="zh-Hans">Simplified Chinese (zh-Hans)</option>' in html
    assert Source.objects.count() == 2
