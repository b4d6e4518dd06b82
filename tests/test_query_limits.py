"""What an anonymous query string can make the server keep or send: only the validated filters."""

import re

import pytest
from django.core.cache import cache

HTMX = {"HX-Request": "true"}
JUNK = "zqxjunk" * 500  # 3.5 KB, under the query-string limit


def results_keys():
    return [key for key in cache._cache if "timeline-results:" in key]


def without_nonce(response):
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_unknown_parameters_neither_reach_the_cache_nor_the_page(client, timeline, headers):
    plain = client.get("/?category=diplomacy", headers=headers)
    for n in range(5):
        response = client.get(f"/?category=diplomacy&junk{n}={JUNK}", headers=headers)
        assert response.status_code == 200
        assert "zqxjunk" not in response.content.decode()
        assert without_nonce(response) == without_nonce(plain)
    assert len(results_keys()) == 1
    assert not any(b"zqxjunk" in value for value in cache._cache.values())


def test_spelling_variants_of_one_filter_share_a_cache_entry(client, timeline):
    for query in [
        "category=trade&category=diplomacy",
        "category=diplomacy&category=trade&category=trade",
        "year_from=2000&category=trade&category=diplomacy",
        "category=diplomacy&page=1&category=trade",
        "category=diplomacy&page=abc&category=trade",
    ]:
        assert client.get(f"/?{query}").status_code == 200
    # The first, second, fourth and fifth are one query; the third adds a year.
    assert len(results_keys()) == 2


def test_generated_links_carry_only_validated_filters(client, db, settings):
    from tests.test_views import make_events

    make_events(60)
    html = client.get(f"/?year_from=2000&junk={JUNK}&category=diplomacy&category=diplomacy")
    html = html.content.decode()
    assert "junk" not in html
    assert 'href="?category=diplomacy&amp;year_from=2000&amp;page=2"' in html
    assert 'href="/export/csv/?category=diplomacy&amp;year_from=2000"' in html
    assert 'href="/?category=diplomacy&amp;year_from=2002&amp;year_to=2003"' in html  # the axis


def test_absurdly_long_query_string_is_refused_with_414_and_says_why(client, db, settings):
    settings.MAX_QUERY_STRING_LENGTH = 100
    assert client.get("/?q=" + "a" * 90).status_code == 200
    response = client.get("/?q=" + "a" * 99)
    assert response.status_code == 414
    assert "at most 100" in response.content.decode()
    for url in ("/export/csv/", "/feed/", "/sources/", "/no-such-page/"):
        assert client.get(url + "?x=" + "a" * 200).status_code == 414
    assert len(results_keys()) == 1  # the first, accepted query only


def test_default_limit_leaves_room_for_every_filter_at_its_longest(client, timeline):
    from relations.models import Category

    long_query = {
        "q": "中" * 200,
        "category": Category.values,
        "actor": "china",
        "source": "idn-2023-08-china-defence-minister-in-belarus",
        "status": "confirmed",
        "year_from": "1992",
        "year_to": "2024",
        "order": "-date",
        "page": "2",
    }
    assert client.get("/", long_query).status_code == 200
