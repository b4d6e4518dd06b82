"""HTTP behaviour of the public site: HEAD, conditional GET, caching, compression, CORS."""

import gzip
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relations import readmodel
from relations.models import TimelineVersion
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/",
    "/?category=security",
    "/events/li-shangfu-visits-belarus/",
    "/sources/",
    "/sources/idn-2023-08-china-defence-minister-in-belarus/",
    "/export/json/",
    "/export/csv/?year_from=2024",
    "/export/csv-excel/",
    "/export/ics/",
    "/export/timelinejs/",
    "/export/annotations/",
    "/data/",
    "/feed/",
    "/schemas/export-1.json",
]
EXPORT_URLS = [url for url in PUBLIC_URLS if url.startswith(("/export/", "/feed/", "/schemas/"))]


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "/healthz"])
def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(client, timeline, url):
    get = client.get(url)
    head = client.head(url)
    assert get.status_code == head.status_code == 200
    assert body(head) == b""
    for header in ("Content-Type", "ETag", "Last-Modified", "Content-Disposition"):
        assert head.get(header) == get.get(header)


def test_head_of_a_large_export_does_not_produce_it(
    client, timeline, django_assert_max_num_queries
):
    readmodel.summary()  # this process's copy of the events, read once per data version
    with django_assert_max_num_queries(2):  # the data version, and validating the filters
        response = client.head("/export/ics/")
    assert response.status_code == 200


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_responses_carry_validators_and_may_be_cached_if_revalidated(client, timeline, url):
    response = client.get(url)
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"].endswith(" GMT")
    assert response["Cache-Control"] == "public, no-cache"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_matching_if_none_match_gets_304_without_a_body(client, timeline, url):
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert body(response) == b""
    assert response["ETag"] == etag


@pytest.mark.parametrize("url", ["/", "/export/csv/", "/feed/"])
def test_if_modified_since_gets_304_until_the_data_changes(client, timeline, url):
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304


def test_an_edit_changes_the_etag_and_ends_the_304s(client, timeline):
    etag = client.get("/export/json/")["ETag"]
    EventFactory(title="A new event")
    response = client.get("/export/json/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert b"A new event" in body(response)


def test_page_and_htmx_fragment_have_different_etags(client, timeline):
    page = client.get("/?category=trade")
    fragment = client.get("/?category=trade", headers={"HX-Request": "true"})
    assert page["ETag"] != fragment["ETag"]
    assert "HX-Request" in fragment["Vary"]
    # The page's copy does not satisfy a request for the fragment.
    again = client.get(
        "/?category=trade", headers={"HX-Request": "true", "If-None-Match": page["ETag"]}
    )
    assert again.status_code == 200


def test_304_leaves_the_cached_pages_security_policy_alone(client, timeline):
    """A 304's headers replace the cached ones; a new CSP nonce would block the cached
    page's scripts."""
    page = client.get("/")
    assert "nonce-" in page["Content-Security-Policy"]
    response = client.get("/", headers={"If-None-Match": page["ETag"]})
    assert response.status_code == 304
    assert "Content-Security-Policy" not in response


def test_the_data_version_is_read_once_per_request_even_before_any_edit(client, db):
    # A database written without signals (bench/seed.py) has no version row yet.
    TimelineVersion.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?category=trade", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert len([q for q in queries if "relations_timelineversion" in q["sql"]]) == 1


def test_error_responses_get_no_validators(client, db):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert "ETag" not in response


def test_last_modified_is_when_the_data_last_changed(client, timeline):
    from django.utils.http import parse_http_date

    _, changed_at = TimelineVersion.state()
    stamp = parse_http_date(client.get("/sources/")["Last-Modified"])
    assert stamp >= int(changed_at.timestamp())


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def without_nonce(html):
    return re.sub(rb'nonce="[^"]*"', b"", html)


@pytest.mark.parametrize("url", ["/", "/events/li-shangfu-visits-belarus/", *EXPORT_URLS])
def test_html_and_exports_are_gzipped_for_clients_that_accept_it(client, timeline, url):
    plain = client.get(url)
    response = client.get(url, headers=GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert without_nonce(gzip.decompress(body(response))) == without_nonce(body(plain))


def test_responses_with_a_csrf_token_are_not_compressed(client, db):
    """BREACH: a secret in a compressed response leaks through its length."""
    response = client.get("/admin/login/", headers=GZIP)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


@pytest.mark.parametrize("url", EXPORT_URLS)
def test_exports_and_feed_may_be_read_by_scripts_on_any_origin(client, timeline, url):
    response = client.get(url, headers={"Origin": "https://cdn.knightlab.com"})
    assert response["Access-Control-Allow-Origin"] == "*"
    etag = response["ETag"]
    not_modified = client.get(url, headers={"If-None-Match": etag, "Origin": "https://x.org"})
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", EXPORT_URLS)
def test_a_cross_origin_preflight_for_an_export_is_allowed(client, url):
    """A script revalidating with If-None-Match is not a simple request: it asks first."""
    response = client.options(
        url,
        headers={
            "Origin": "https://x.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "if-none-match" in response["Access-Control-Allow-Headers"].lower()


def test_pages_are_not_shared_with_other_origins(client, timeline):
    assert "Access-Control-Allow-Origin" not in client.get("/")


def test_static_files_are_served_with_brotli_to_clients_that_accept_it(tmp_path, settings, rf):
    """whitenoise writes a .br beside each file at collectstatic when Brotli is installed."""
    import brotli
    from django.core.management import call_command
    from django.http import HttpResponse
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    css = next(tmp_path.glob("relations/site.*.css"))
    assert brotli.decompress(css.with_name(css.name + ".br").read_bytes()) == css.read_bytes()

    serve = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
    request = rf.get(f"/static/relations/{css.name}", HTTP_ACCEPT_ENCODING="gzip, br")
    response = serve(request)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert "immutable" in response["Cache-Control"]
