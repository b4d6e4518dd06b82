"""The filter panel's counts in the browser: each says what choosing its option shows, and
follows the other filters as htmx swaps the list."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


def results_swapped(page, url_contains):
    return page.expect_response(
        lambda r: r.request.headers.get("hx-request") == "true" and url_contains in r.url
    )


def shown(page):
    """The number of events the result status says the list shows."""
    status = page.locator("#result-status").inner_text()
    return int(re.match(r"Showing (\d+) of", status).group(1))


def option_count(page, select, value):
    text = page.locator(f"#id_{select} option[value='{value}']").inner_text()
    return int(re.search(r"\(([\d,]+)\)$", text).group(1).replace(",", ""))


def test_counts_follow_the_chosen_year_and_match_what_choosing_shows(page, site):
    page.goto(site)
    whole = int(page.locator("#count-category-diplomacy").inner_text())
    page.get_by_label("From year").fill("2023")
    page.get_by_label("To year").fill("2023")
    with results_swapped(page, "year_to=2023"):
        page.get_by_role("button", name="Apply filters").click()
    wait_for_htmx(page)

    diplomacy = int(page.locator("#count-category-diplomacy").inner_text())
    assert 0 < diplomacy < whole
    with results_swapped(page, "category=diplomacy"):
        page.get_by_label("Diplomacy").check()
    wait_for_htmx(page)
    assert shown(page) == diplomacy
    expect(page.locator("#count-category-diplomacy")).to_have_text(str(diplomacy))
    # Only the counts were swapped, not the boxes: the one ticked keeps the focus.
    expect(page.get_by_role("checkbox", name="Diplomacy")).to_be_focused()

    counts = {
        value: option_count(page, "actor", value)
        for value in page.locator("#id_actor option:not([value=''])").evaluate_all(
            "options => options.map(option => option.value)"
        )
    }
    # An actor in some but not all of 2023's diplomacy.
    slug, actor = next((slug, n) for slug, n in counts.items() if 0 < n < diplomacy)
    page.get_by_label("Actor").focus()
    with results_swapped(page, f"actor={slug}"):
        page.get_by_label("Actor").select_option(slug)
    wait_for_htmx(page)
    assert shown(page) == actor
    # The select's options were swapped in place: it keeps its value and the focus.
    expect(page.get_by_label("Actor")).to_have_value(slug)
    expect(page.get_by_label("Actor")).to_be_focused()
    assert option_count(page, "actor", slug) == actor
    expect(page.locator("#count-category-diplomacy")).to_have_text(str(actor))


def test_counts_are_right_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/?year_from=2023&year_to=2023")
    diplomacy = int(page.locator("#count-category-diplomacy").inner_text())
    page.get_by_label("Diplomacy").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()

    assert shown(page) == diplomacy
    context.close()


def test_other_options_than_the_numbers_follow_are_loaded_again(page, site):
    page.goto(site)
    # As if the data had changed since the page was loaded: its options are another list.
    page.evaluate("document.getElementById('filters').dataset.options = 'older'")
    page.evaluate("window.notReloaded = true")
    with page.expect_event("load"):  # a new document: pushing the URL loads none
        page.get_by_role("checkbox", name="Diplomacy").check()

    assert page.evaluate("window.notReloaded") is None
    assert page.url.endswith("/?category=diplomacy")
    assert page.locator("#filters").get_attribute("data-options") != "older"
