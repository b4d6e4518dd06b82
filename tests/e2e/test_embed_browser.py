"""The embed as a reader meets it: inside a frame on another site."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

HOST_ORIGIN = "http://host.localhost:8002"


@pytest.fixture
def browser_context_args(browser_context_args):
    # Chromium asks before a page on another site reads a loopback address.
    return {**browser_context_args, "permissions": ["local-network-access"]}


@pytest.fixture
def framing_allowed(settings):
    settings.EMBED_FRAME_ANCESTORS = [HOST_ORIGIN]


def test_an_event_clicked_inside_the_embed_opens_in_the_top_window(page, site, framing_allowed):
    host_page = (
        "<!doctype html><title>Another site</title><h1>Another site</h1>"
        f'<iframe id="timeline" src="{site}/embed/?category=security" width="900" '
        'height="700" title="Timeline"></iframe>'
    )
    page.route(
        f"{HOST_ORIGIN}/**", lambda route: route.fulfill(body=host_page, content_type="text/html")
    )
    page.goto(f"{HOST_ORIGIN}/")
    link = page.frame_locator("#timeline").locator(".event-title a").first
    href = link.get_attribute("href")

    link.click()

    # The event page forbids framing: opened inside the frame, it would refuse to show.
    expect(page).to_have_url(f"{site}{href}")
    expect(page.locator("h1")).not_to_have_text("Another site")


def test_zooming_the_axis_inside_the_embed_stays_in_the_frame(page, site, framing_allowed):
    host_page = (
        "<!doctype html><title>Another site</title><h1>Another site</h1>"
        f'<iframe id="timeline" src="{site}/embed/" width="900" height="700" '
        'title="Timeline"></iframe>'
    )
    page.route(
        f"{HOST_ORIGIN}/**", lambda route: route.fulfill(body=host_page, content_type="text/html")
    )
    page.goto(f"{HOST_ORIGIN}/")
    frame = page.frame_locator("#timeline")
    status = frame.locator("#result-status")
    before = status.inner_text()

    frame.locator(".bins a").last.click()

    expect(status).not_to_have_text(before)
    expect(page).to_have_url(f"{HOST_ORIGIN}/")
