import re

import pytest
from playwright.sync_api import expect

from relations.models import Source
from tests.e2e.conftest import axe_violations, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


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
    assert len(event_titles(page)) == 2
    expect(page.locator("#result-status")).to_have_text("Showing 2 of 9 events.")
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
    assert len(event_titles(page)) == 3

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?category=security$"))
    expect(page.locator("#result-status")).to_have_text("Showing 2 of 9 events.")
    expect(page.get_by_role("checkbox", name="Trade & economy")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Security & defence")).to_be_checked()

    page.go_back()
    expect(page.locator("#result-status")).to_have_text("Showing 9 of 9 events.")


def test_shared_url_opens_the_same_view(page, site):
    page.goto(f"{site}/?actor=li-qiang&order=-date")
    assert event_titles(page) == [
        "Premier Li Qiang holds talks with Prime Minister Roman Golovchenko in Minsk"
    ]
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
    assert event_titles(page) == [
        "Premier Li Qiang holds talks with Prime Minister Roman Golovchenko in Minsk",
        "Joint statement on cooperation in trade, security, energy and finance",
    ]
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
    assert len(event_titles(page)) == 4


def test_axis_zooms_into_a_year_pans_and_back_restores_with_the_list_and_url(page, site):
    page.goto(site)
    page.evaluate("window.notReloaded = true")
    with results_swapped(page):
        page.get_by_role("link", name="2020–2024: 5 events").click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/\?year_from=2020&year_to=2024$"))
    expect(page.locator("#result-status")).to_have_text("Showing 5 of 9 events.")

    with results_swapped(page):
        page.get_by_role("link", name="2023: 2 events").click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/\?year_from=2023&year_to=2023$"))
    assert len(event_titles(page)) == 2
    expect(page.get_by_label("From year")).to_have_value("2023")
    expect(page.get_by_label("To year")).to_have_value("2023")
    expect(page).to_have_title(re.compile(r"^2023 · "))
    expect(page.get_by_role("link", name="August 2023: 1 event")).to_be_visible()

    with results_swapped(page):
        page.locator(".axis-pan").get_by_role("link", name="2024", exact=True).click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/\?year_from=2024&year_to=2024$"))
    assert len(event_titles(page)) == 3
    expect(page.get_by_label("From year")).to_have_value("2024")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?year_from=2023&year_to=2023$"))
    expect(page.locator("#result-status")).to_have_text("Showing 2 of 9 events.")
    expect(page.get_by_label("From year")).to_have_value("2023")
    page.go_back()
    expect(page.locator("#result-status")).to_have_text("Showing 5 of 9 events.")
    assert page.evaluate("window.notReloaded") is True


def test_axis_zooms_and_pans_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/?category=security")
    page.get_by_role("link", name="2023: 1 event").click()
    page.get_by_role("link", name="August 2023: 1 event").click()
    assert page.url.endswith("/?category=security&year_from=2023&year_to=2023&month=8")
    assert event_titles(page) == ["Chinese defence minister Li Shangfu visits Belarus"]
    expect(page.get_by_label("Month")).to_have_value("8")

    page.locator(".axis-pan").get_by_role("link", name="September 2023").click()
    assert page.url.endswith("/?category=security&year_from=2023&year_to=2023&month=9")
    assert event_titles(page) == []
    page.get_by_role("link", name="Zoom out to 2023").click()
    assert page.url.endswith("/?category=security&year_from=2023&year_to=2023")
    page.get_by_role("link", name="All years", exact=True).click()
    assert page.url.endswith("/?category=security")
    context.close()


def test_axis_mark_opens_its_event(page, site):
    page.goto(site + "/?year_from=2023&year_to=2023")
    page.get_by_role(
        "link", name="16–18 August 2023: Chinese defence minister Li Shangfu visits Belarus"
    ).click()
    expect(page).to_have_url(re.compile(r"/events/li-shangfu-visits-belarus/$"))


def test_removing_a_chip_drops_that_filter_and_unticks_its_box(page, site):
    page.goto(site + "/?category=security&category=trade&year_from=2020")
    with results_swapped(page):
        page.get_by_role("link", name="Remove filter: Trade & economy").click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/\?category=security&year_from=2020$"))
    expect(page.get_by_role("checkbox", name="Trade & economy")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Security & defence")).to_be_checked()


def test_apply_after_a_change_adds_no_second_history_entry(page, site):
    page.goto(site)
    with results_swapped(page):
        page.get_by_role("checkbox", name="Infrastructure & BRI").check()
    wait_for_htmx(page)
    length = page.evaluate("history.length")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_timeout(300)
    assert page.evaluate("history.length") == length


def test_document_title_follows_filtering(page, site):
    page.goto(site)
    with results_swapped(page):
        page.get_by_label("Security & defence").check()
    wait_for_htmx(page)
    expect(page).to_have_title(re.compile(r"^Security & defence · China–Belarus"))


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

    page.locator("#filter-panel summary").click()
    with results_swapped(page):
        page.get_by_label("Trade & economy").check()
    wait_for_htmx(page)
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (3 set)")

    page.go_back()
    expect(page.locator("#result-status")).to_have_text("Showing 2 of 9 events.")
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
    expect(page.locator("#filter-panel summary")).to_be_hidden()
    expect(page.get_by_role("heading", name="Filter events")).to_be_visible()


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
        page.get_by_role("checkbox", name="Infrastructure & BRI").check()
    wait_for_htmx(page)
    assert axe_violations(page) == []
