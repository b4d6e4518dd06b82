"""What anonymous requests can make the server keep: rendered result lists are cached
once per page that exists, and a deployment's cache holds a bounded number of them."""

import pytest
from django.core.cache import cache

from relations import views
from relations.models import Event

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ASKED = 5000


def results_entries():
    return {key: value for key, value in cache._cache.items() if "timeline-results:" in key}


@pytest.fixture
def pages(timeline, monkeypatch):
    """The number of pages of the whole timeline, made several."""
    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    return -(-Event.objects.public().count() // views.PAGE_SIZE)


def test_pages_past_the_end_add_no_cache_entries(client, pages):
    for n in range(1, pages + 1):
        client.get(f"/?page={n}", headers=HTMX)
    real_pages = results_entries()
    assert len(real_pages) == pages

    for n in range(pages + 1, pages + 1 + ASKED):
        response = client.get(f"/?page={n}", headers=HTMX)
        assert f"(page {pages} of {pages})" in response.content.decode()
    assert results_entries() == real_pages


def test_a_page_past_the_end_is_the_last_page_whichever_is_asked_first(client, pages):
    past_the_end = client.get("/?page=1000").content.decode()
    last = client.get(f"/?page={pages}").content.decode()
    assert f"Page {pages} of {pages}" in past_the_end
    assert len(results_entries()) == 1
    assert past_the_end.split('<div id="results"')[1] == last.split('<div id="results"')[1]


def test_distinct_searches_keep_a_process_cache_within_its_bound(client, timeline, settings):
    client.get("/", headers=HTMX)
    (full_list,) = results_entries().values()
    bound = settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"]
    assert bound * len(full_list) <= 32 * 1024 * 1024

    for n in range(bound + 100):
        assert client.get(f"/?q=zq{n}x", headers=HTMX).status_code == 200
    assert len(cache._cache) <= bound


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_each_host_gets_an_embed_snippet_with_its_own_address(client, timeline, settings, headers):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    settings.EMBED_FRAME_ANCESTORS = ["https://news.example.org"]
    for host in ["a.example", "b.example", "a.example"]:
        html = client.get("/?category=security", headers=headers, HTTP_HOST=host).content.decode()
        assert f"iframe src=&quot;http://{host}/embed/?category=security&quot;" in html
    secure = client.get("/?category=security", headers=headers, HTTP_HOST="a.example", secure=True)
    assert "iframe src=&quot;https://a.example/embed/" in secure.content.decode()
