"""Only http(s) addresses become links, whatever the database holds."""

import re

import pytest

from relations.models import Source
from relations.web_urls import web_url
from tests.factories import CitationFactory, EventFactory, SourceFactory

HOSTILE_NOTES = (
    "See javascript:alert(1) or JAVASCRIPT:alert(2), data:text/html,<b>x</b>, "
    "mailto:press@example.org, press@example.org, vbscript:msgbox, "
    "https://ok.example/report and www.example.org."
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/a?b=c", "https://example.org/a?b=c"),
        ("HTTP://EXAMPLE.ORG", "HTTP://EXAMPLE.ORG"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("data:text/html,<script>", ""),
        ("ftp://example.org/file", ""),
        ("//evil.example/", ""),
        ("/relative/path", ""),
        ("http:///no-host", ""),
        ("http://[::1", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_web_url_keeps_only_absolute_http_addresses(value, expected):
    assert web_url(value) == expected


def hrefs(html):
    return re.findall(r'(?:href|cite)="([^"]*)"', html)


@pytest.fixture
def hostile_source(db):
    source = SourceFactory(slug="hostile", publication="published", notes=HOSTILE_NOTES)
    # As loaddata or a script could store it: no validation on the way in.
    Source.objects.filter(pk=source.pk).update(url="javascript:alert(document.cookie)")
    event = EventFactory(slug="hostile-event", publication="published", notes=HOSTILE_NOTES)
    CitationFactory(event=event, source=source)
    return source


@pytest.mark.parametrize("url", ["/sources/hostile/", "/events/hostile-event/"])
def test_pages_link_only_web_addresses_from_stored_text(client, hostile_source, url):
    html = client.get(url).content.decode()
    links = [href for href in hrefs(html) if not href.startswith(("/", "#", "?"))]
    assert links
    assert all(web_url(href.replace("&amp;", "&")) for href in links), links
    assert 'href="https://ok.example/report"' in html
    assert 'href="http://www.example.org"' in html
    assert "mailto:" not in "".join(links)


def test_source_page_shows_a_non_web_address_as_plain_text(client, hostile_source):
    html = client.get("/sources/hostile/").content.decode()
    assert "<dd>javascript:alert(document.cookie)</dd>" in html
