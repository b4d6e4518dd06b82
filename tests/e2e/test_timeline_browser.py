import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from relations import axis, views
from relations.dates import MONTHS
from relations.models import Event, Source
from relations.source_filters import SOURCES_PER_PAGE
from tests.e2e.conftest import axe_violations, wait_for_htmx
from tests.expected import titles_in_month, touching

pytestmark = pytest.mark.django_db(transaction=True)


def showing(events=None):
    """The result status for these events out of all public ones."""
    public = Event.objects.public()
    shown = (public if events is None else events).count()
    pages = -(-shown // views.PAGE_SIZE)
    return f"Showing {shown} of {public.count()} events" + (
        f" (page 1 of {pages})." if pages > 1 else "."
    )


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
    expect(page.get_by_role("checkbox", name="Trade & economy")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Security & defence")).to_be_checked()

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
    expected = touching(Event.objects.public().filter(category="diplomacy"), 2020)
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


def events_named(n):
    return f"{n:,} event{'' if n == 1 else 's'}"


def bin_path(events, year):
    """[(first, last, link name)]: the axis's bins a reader follows from the whole span to `year`.

    Each range of years is cut into bins of a step from axis.YEAR_STEPS; a bin
    counts the events that start in it, an event that began before the window
    in its first bin.
    """
    first = min(event.start_date.year for event in events)
    last = max((event.end_date or event.start_date).year for event in events)
    path = []
    while (first, last) != (year, year):
        step = axis.year_step(first, last)
        origin = first // step * step
        low = origin + (year - origin) // step * step
        high = low + step - 1
        shown = touching(events, first, last)
        n = sum(1 for event in shown if low <= max(event.start_date.year, first) <= high)
        label = str(low) if step == 1 else f"{low}–{high}"
        path.append((low, high, f"{label}: {events_named(n)}"))
        first, last = low, high
    return path


def month_bin_name(events, year, month):
    january = dt.date(year, 1, 1)
    n = sum(
        1
        for event in touching(events, year, year)
        if (1 if event.start_date < january else event.start_date.month) == month
    )
    return f"{MONTHS[month - 1]} {year}: {events_named(n)}"


def test_axis_zooms_into_a_year_pans_and_back_restores_with_the_list_and_url(page, site):
    public = Event.objects.public()
    visit = public.get(slug="li-shangfu-visits-belarus")
    year, month = visit.start_date.year, visit.start_date.month
    path = bin_path(public, year)
    assert path[-1][:2] == (year, year)
    page.goto(site)
    page.evaluate("window.notReloaded = true")
    for first, last, name in path:
        with results_swapped(page):
            page.get_by_role("link", name=name, exact=True).click()
        wait_for_htmx(page)
        expect(page).to_have_url(re.compile(rf"/\?year_from={first}&year_to={last}$"))
        expect(page.locator("#result-status")).to_have_text(showing(touching(public, first, last)))
    in_year = touching(public, year, year)
    assert len(event_titles(page)) == in_year.count()
    expect(page.get_by_label("From year")).to_have_value(str(year))
    expect(page.get_by_label("To year")).to_have_value(str(year))
    expect(page).to_have_title(re.compile(rf"^{year} · "))
    expect(page.get_by_role("link", name=month_bin_name(public, year, month))).to_be_visible()

    later = year + 1
    assert touching(public, later).exists()  # so the axis offers to pan there
    with results_swapped(page):
        page.locator(".axis-pan").get_by_role("link", name=str(later), exact=True).click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(rf"/\?year_from={later}&year_to={later}$"))
    assert len(event_titles(page)) == touching(public, later, later).count()
    expect(page.get_by_label("From year")).to_have_value(str(later))

    page.go_back()
    expect(page).to_have_url(re.compile(rf"/\?year_from={year}&year_to={year}$"))
    expect(page.locator("#result-status")).to_have_text(showing(in_year))
    expect(page.get_by_label("From year")).to_have_value(str(year))
    page.go_back()
    before = touching(public, *path[-2][:2]) if len(path) > 1 else None
    expect(page.locator("#result-status")).to_have_text(showing(before))
    assert page.evaluate("window.notReloaded") is True


def test_axis_zooms_and_pans_without_javascript(browser, site):
    security = Event.objects.public().filter(category="security")
    visit = security.get(slug="li-shangfu-visits-belarus")
    year, month = visit.start_date.year, visit.start_date.month
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/?category=security")
    for _, _, name in bin_path(security, year):
        page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("link", name=month_bin_name(security, year, month)).click()
    assert page.url.endswith(f"/?category=security&year_from={year}&year_to={year}&month={month}")
    assert event_titles(page) == titles_in_month(security, year, month)
    assert visit.title in event_titles(page)
    expect(page.get_by_label("Month")).to_have_value(str(month))

    after = dt.date(year, month, 28) + dt.timedelta(days=7)
    assert security.filter(start_date__gt=after).exists()  # so the axis offers to pan there
    page.locator(".axis-pan").get_by_role(
        "link", name=f"{MONTHS[after.month - 1]} {after.year}"
    ).click()
    assert page.url.endswith(
        f"/?category=security&year_from={after.year}&year_to={after.year}&month={after.month}"
    )
    assert event_titles(page) == titles_in_month(security, after.year, after.month)
    page.get_by_role("link", name=f"Zoom out to {after.year}").click()
    assert page.url.endswith(f"/?category=security&year_from={after.year}&year_to={after.year}")
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
    expect(page.locator("#result-status")).to_have_text(
        showing(touching(Event.objects.public().filter(category="security"), 2020))
    )
    expect(page.get_by_label("Search")).to_be_hidden()
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (2 set)")
    assert axe_violations(page) == []
    context.close()


def test_folded_filter_panel_counts_one_year_as_one_filter_while_typing(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/?category=security")
    page.locator("#filter-panel summary").click()
    page.get_by_label("From year").fill("2023")
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (2 set)")
    page.get_by_label("To year").fill("2023")  # the year 2023: still one filter, as its chip
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (2 set)")
    page.get_by_label("To year").fill("2024")
    expect(page.locator("#filter-panel summary")).to_have_text("Filter events (3 set)")
    context.close()


def test_narrow_screen_shows_each_sources_reliability_without_sideways_scrolling(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/sources/")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    rows = page.locator(".source-table tbody tr")
    expect(rows).to_have_count(min(Source.objects.public().count(), SOURCES_PER_PAGE))
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
