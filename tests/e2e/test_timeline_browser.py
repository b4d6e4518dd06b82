import re

import pytest
from playwright.sync_api import expect

from relations.models import Event, Source
from tests.e2e.conftest import axe_violations, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


def showing(events=None):
    """The result status for these events out of all public ones."""
    public = Event.objects.public()
    shown = public if events is None else events
    return f"Showing {shown.count()} of {public.count()} events."


def event_titles(page):
    return page.locator("#results .event-title").all_inner_texts()


def results_swapped(page, url_contains=""):
    """Expect a fragment response for the results list (not a full page load)."""
    return page.expect_response(
        lambda r: r.request.headers.get("hx-request") == "true" and url_contains in r.url
    )


def test_choosing_a_category_swaps_the_list_and_pushes_the_url(page, site):
    page.goto(site)
    page.evaluate("window.notReloaded = true")
    with results_swapped(page):
        page.get_by_label("Security & defence").check()
    wait_for_htmx(page)

    assert re.search(r"\?category=security$", page.url)
    security = Event.objects.public().filter(category="security").count()
    assert len(event_titles(page)) == security
    expect(page.locator("#result-status")).to_have_text(
        showing(Event.objects.public().filter(category="security"))
    )
    assert page.evaluate("window.notReloaded") is True


def test_search_as_you_type(page, site):
    page.goto(site)
    with results_swapped(page):
        page.get_by_label("Search").fill("shockwaves")
    wait_for_htmx(page)

    assert event_titles(page) == ["Joint counter-terrorism exercise Eagle Assault-2024 near Brest"]
    assert page.url.endswith("?q=shockwaves")


def test_back_restores_the_previous_filter(page, site):
    page.goto(site)
    with results_swapped(page):
        page.get_by_label("Security & defence").check()
    wait_for_htmx(page)
    with results_swapped(page):
        page.get_by_label("Trade & economy").check()
    wait_for_htmx(page)
    both = Event.objects.public().filter(category__in=["security", "trade"]).count()
    assert len(event_titles(page)) == both

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?category=security$"))
    expect(page.locator("#result-status")).to_have_text(
        showing(Event.objects.public().filter(category="security"))
    )
    expect(page.get_by_label("Trade & economy")).not_to_be_checked()
    expect(page.get_by_label("Security & defence")).to_be_checked()

    page.go_back()
    expect(page.locator("#result-status")).to_have_text(showing())


def test_shared_url_opens_the_same_view(page, site):
    page.goto(f"{site}/?actor=li-qiang&order=-date")
    newest_first = (
        Event.objects.public().filter(actors__slug="li-qiang").order_by("-start_date", "-slug")
    )
    assert event_titles(page) == [event.title for event in newest_first]
    expect(page.get_by_label("Actor")).to_have_value("li-qiang")


def test_filter_form_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site)
    page.get_by_label("Diplomacy").check()
    page.get_by_label("From year").fill("2020")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()

    assert "category=diplomacy" in page.url
    assert "year_from=2020" in page.url
    expected = Event.objects.public().filter(category="diplomacy").between_years(2020)
    assert event_titles(page) == [event.title for event in expected]
    context.close()


def test_reversed_year_range_shows_the_message_in_place(page, site):
    page.goto(site)
    page.get_by_label("From year").fill("2024")
    page.get_by_label("To year").fill("1992")
    with results_swapped(page, url_contains="year_to=1992") as response:
        page.get_by_role("button", name="Apply filters").click()
    wait_for_htmx(page)

    assert response.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("is before “from” year 2024")
    expect(page.locator("#result-status")).to_have_text("The filters need correcting.")


def test_keyboard_only_filtering(page, site):
    page.goto(site)
    page.get_by_label("Search").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Diplomacy")).to_be_focused()
    with results_swapped(page):
        page.keyboard.press("Space")
    wait_for_htmx(page)
    assert len(event_titles(page)) == Event.objects.public().filter(category="diplomacy").count()


def test_year_bar_links_to_that_year(page, site):
    page.goto(site)
    page.get_by_role("link", name="2013: 2 events").click()
    page.wait_for_load_state()
    assert page.url.endswith("?year_from=2013&year_to=2013")
    assert len(event_titles(page)) == 2
    expect(page.get_by_label("From year")).to_have_value("2013")


def test_event_page_links_to_the_quote_in_its_source(page, site):
    page.goto(f"{site}/events/li-shangfu-visits-belarus/")
    page.get_by_role("link", name="Read in the source").first.click()
    expect(page).to_have_url(
        re.compile(r"/sources/idn-2023-08-china-defence-minister-in-belarus/#q-\d+-\d+$")
    )
    expect(page.locator(":target")).to_have_count(1)


def test_narrow_screen_shows_events_first_and_folds_the_filters(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/?category=security&year_from=2020")

    expect(page.get_by_label("Search")).to_be_hidden()
    expect(page.locator("#results .event-title").first).to_be_in_viewport()
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (2 set)")

    page.get_by_text("Filter events").click()
    with results_swapped(page):
        page.get_by_label("Trade & economy").check()
    wait_for_htmx(page)
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (3 set)")

    page.go_back()
    expect(page.locator("#result-status")).to_have_text(
        showing(Event.objects.public().filter(category="security").between_years(2020))
    )
    expect(page.get_by_label("Search")).to_be_hidden()
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (2 set)")
    assert axe_violations(page) == []
    context.close()


def test_narrow_screen_shows_each_sources_reliability_without_sideways_scrolling(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/sources/")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    rows = page.locator(".source-table tbody tr")
    expect(rows).to_have_count(Source.objects.public().count())
    for row in rows.all():
        reliability = row.locator(".reliability")
        reliability.scroll_into_view_if_needed()
        expect(reliability).to_be_in_viewport(ratio=1)
        expect(row.get_by_role("cell", name=re.compile(r"^Reliability "))).to_be_visible()
    assert axe_violations(page) == []
    context.close()


def test_wide_screen_shows_the_filters_open(page, site):
    page.goto(site)
    expect(page.get_by_label("Search")).to_be_visible()
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?category=security&year_from=2024&year_to=1992",
        "/events/li-shangfu-visits-belarus/",
        "/sources/theworldnews-2024-08-23-china-belarus-cooperation/",
        "/sources/chinese-troops-in-belarus-explainer/",
        "/sources/",
        "/events/no-such-event/",
    ],
)
def test_pages_have_no_axe_violations(page, site, path):
    page.goto(site + path)
    assert axe_violations(page) == []


def test_result_list_has_no_axe_violations_after_a_swap(page, site):
    page.goto(site)
    with results_swapped(page):
        page.get_by_role("checkbox", name="Energy").check()
    wait_for_htmx(page)
    assert axe_violations(page) == []
