"""The TimelineJS export drawn by TimelineJS itself (npm @knight-lab/timelinejs), embedded
in a page on another origin, as Knight Lab's hosted embed would load it: the data
comes from this site only if it allows other origins (CORS)."""

import contextlib
import mimetypes
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from relations.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

# Resolved, like each file asked for below: node_modules may be a link to another checkout's.
TIMELINEJS = (
    Path(__file__).resolve().parents[2] / "node_modules/@knight-lab/timelinejs/dist"
).resolve()
EMBED_ORIGIN = "http://embed.localhost:8001"
# TimelineJS fetches its font CSS from script_path, Knight Lab's CDN unless told
# otherwise: here it comes from node_modules like the rest of TimelineJS.
EMBED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Embed</title>
<link rel="stylesheet" href="/css/timeline.css">
<script src="/js/timeline.js"></script>
</head><body>
<div id="timeline-embed" style="width: 1000px; height: 600px"></div>
<script>
  window.timeline = new TL.Timeline(
    "timeline-embed",
    new URL(location).searchParams.get("data"),
    {script_path: new URL("/js/", location).href},
  );
</script>
</body></html>
"""


@pytest.fixture
def browser_context_args(browser_context_args):
    # Chromium asks before a page on another site reads a loopback address (Local
    # Network Access); the live server is on loopback, a real deployment is not.
    return {**browser_context_args, "permissions": ["local-network-access"]}


def serve_embed(route):
    """The embedding site: its page, and TimelineJS's files from node_modules."""
    path = route.request.url.removeprefix(EMBED_ORIGIN).split("?")[0]
    if path == "/embed.html":
        route.fulfill(body=EMBED_PAGE, content_type="text/html")
        return
    file = (TIMELINEJS / path.lstrip("/")).resolve()
    if file.is_relative_to(TIMELINEJS) and file.is_file():
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(body=file.read_bytes(), content_type=content_type)
    else:
        route.fulfill(status=404, body="")


def draw(page, data_url):
    """Load the export into TimelineJS; return (ready, errors TimelineJS shows)."""
    # Without these files the page only says that TL is not defined.
    assert (TIMELINEJS / "js/timeline.js").is_file(), (
        f"TimelineJS is not in {TIMELINEJS}: run `npm ci` (`make test` does)"
    )
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.route(f"{EMBED_ORIGIN}/**", serve_embed)
    # The font CSS names Google Fonts, which is not on this machine: without an
    # answer at once the page would wait on the network's own timeouts.
    page.route(re.compile(r"^https://"), lambda route: route.abort("internetdisconnected"))
    page.goto(f"{EMBED_ORIGIN}/embed.html?data={data_url}")
    assert page.evaluate("window.timeline !== undefined"), page_errors
    page.wait_for_load_state("networkidle")
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function("() => window.timeline.ready", timeout=5_000)
    ready = page.evaluate("window.timeline.ready === true")
    messages = page.locator(".tl-message").all_inner_texts()
    return ready, [text for text in messages if "rror" in text]


def test_timelinejs_draws_every_event_of_the_export(page, site):
    ready, errors = draw(page, f"{site}/export/timelinejs/")
    assert (ready, errors) == (True, [])
    slides = page.evaluate("window.timeline.config.events.map(e => e.unique_id)")
    assert len(slides) == Event.objects.public().count()
    assert "li-shangfu-visits-belarus" in slides


def test_timelinejs_shows_a_date_range_once(page, site):
    draw(page, f"{site}/export/timelinejs/?category=security")
    page.evaluate("window.timeline.goToId('li-shangfu-visits-belarus')")
    # The text TimelineJS wrote: its font CSS shows headlines in capitals.
    date = page.locator("#li-shangfu-visits-belarus .tl-headline-date").text_content()
    assert date.strip() == "16–18 August 2023"


def test_timelinejs_accepts_the_export_of_an_empty_view(page, site):
    ready, errors = draw(page, f"{site}/export/timelinejs/?q=nothing-matches-this")
    assert (ready, errors) == (True, [])
    page.evaluate("window.timeline.goToId('no-events')")
    assert "No events match" in page.locator("#no-events").text_content()


def test_timelinejs_cannot_load_from_a_site_that_does_not_allow_it(page, site):
    """The control: the same page fails on a URL without CORS, so the tests above
    show that the export's header is what lets TimelineJS in."""
    ready, _ = draw(page, f"{site}/sources/")
    assert not ready
