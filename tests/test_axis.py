"""The time axis's geometry, called without a request (relations/axis.py)."""

import datetime as dt
import itertools

import pytest
from django.http import QueryDict

from relations import axis, readmodel
from relations.dates import MONTHS
from relations.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def build(categories=(), **params):
    """The axis of the published events of `categories` (any when empty) in the window."""
    query = QueryDict(params.pop("query", ""), mutable=True)
    window = {name: params.get(name) for name in ("year_from", "year_to", "month")}
    result = readmodel.query(readmodel.Criteria(categories=tuple(categories), **window))
    return axis.build(result, query=query, **params)


def test_one_event_in_year_24_and_one_in_9999_make_a_bounded_number_of_bins(db):
    EventFactory(start_date=dt.date(24, 1, 1))
    EventFactory(start_date=dt.date(9999, 12, 31))
    result = build()
    assert 1 < len(result.bins) <= axis.MAX_BINS
    assert result.bin_step_years == 1000
    assert sum(bin.count for bin in result.bins) == 2
    assert [bin.count for bin in result.bins if bin.count] == [1, 1]


def test_whole_span_of_the_fixtures_is_cut_into_at_most_a_dozen_bins(timeline):
    events = Event.objects.all()
    years = sorted(events.values_list("start_year", flat=True))
    result = build()
    assert result.window.label == f"{years[0]}–{years[-1]}"
    step = result.bin_step_years
    assert len(result.bins) <= axis.MAX_BINS
    # The smallest step that fits: half as wide would need more than a dozen bins.
    smaller = axis.YEAR_STEPS[axis.YEAR_STEPS.index(step) - 1]
    assert (years[-1] - years[0] // smaller * smaller) // smaller + 1 > axis.MAX_BINS
    origin = years[0] // step * step
    for bin in result.bins:
        first = origin + bin.index * step
        assert bin.label == f"{first}–{first + step - 1}"
        assert bin.count == sum(1 for year in years if first <= year < first + step)
    assert result.total == len(years)
    assert result.zoom_out is None
    assert result.earlier is None and result.later is None


def busiest_year():
    years = Event.objects.values_list("start_year", flat=True)
    return max(set(years), key=lambda year: (list(years).count(year), year))


def test_a_single_year_is_cut_into_months_and_each_month_with_events_links_to_itself(timeline):
    year = busiest_year()
    result = build(year_from=year, year_to=year, query=f"year_from={year}&year_to={year}")
    assert [bin.tick for bin in result.bins] == [month[:3] for month in MONTHS]
    in_year = Event.objects.filter(start_year=year)
    for month, bin in enumerate(result.bins, start=1):
        count = in_year.filter(start_date__month=month).count()
        assert bin.count == count
        if count:
            noun = "event" if count == 1 else "events"
            assert bin.name == f"{MONTHS[month - 1]} {year}: {count} {noun}"
            assert bin.href == f"/?year_from={year}&year_to={year}&month={month}"
        else:
            assert bin.href == ""  # a month without events is no link


def test_a_month_is_cut_into_days_and_pans_to_the_months_beside_it(timeline):
    visit = Event.objects.get(slug="li-shangfu-visits-belarus")
    year, month, day = visit.start_date.year, visit.start_date.month, visit.start_date.day
    query = f"category={visit.category}&year_from={year}&year_to={year}&month={month}"
    in_category = Event.objects.filter(category=visit.category)
    result = build([visit.category], year_from=year, year_to=year, month=month, query=query)
    assert len(result.bins) == axis.month_days(year, month)
    same_day = in_category.filter(start_date=visit.start_date).count()
    noun = "event" if same_day == 1 else "events"
    assert result.bins[day - 1].name == f"{day} {MONTHS[month - 1]} {year}: {same_day} {noun}"
    assert result.zoom_out == (
        str(year),
        f"/?category={visit.category}&year_from={year}&year_to={year}",
    )
    month_start = dt.date(year, month, 1)
    if in_category.filter(start_date__lt=month_start).exists():
        before = month_start - dt.timedelta(days=1)
        assert result.earlier == (
            f"{MONTHS[before.month - 1]} {before.year}",
            f"/?category={visit.category}&year_from={before.year}&year_to={before.year}"
            f"&month={before.month}",
        )
    else:
        assert result.earlier is None


def test_marks_are_links_named_by_their_date_and_title(timeline):
    event = Event.objects.get(slug="li-shangfu-visits-belarus")  # 16–18 August 2023
    year = event.start_date.year
    result = build(year_from=year, year_to=year)
    names = {mark.slug: mark.name for lane in result.lanes for mark in lane.marks}
    assert set(names) == set(Event.objects.filter(start_year=year).values_list("slug", flat=True))
    for other in Event.objects.filter(start_year=year):
        assert names[other.slug] == f"{other.when.display}: {other.title}"
    visit = next(m for lane in result.lanes for m in lane.marks if m.slug == event.slug)
    assert visit.has_bar and not visit.uncertain
    known_to_the_year = Event.objects.filter(start_year=year, precision="year").first()
    if known_to_the_year:  # trade in 2023: a pale span over the whole year
        mark = next(
            m for lane in result.lanes for m in lane.marks if m.slug == known_to_the_year.slug
        )
        assert mark.uncertain
        assert mark.x == 0 and mark.width == pytest.approx(100)


def test_marks_in_one_lane_never_overlap_at_the_narrowest_width(db):
    for n in range(12):
        EventFactory(category="trade", start_date=dt.date(2020, 2, 1) + dt.timedelta(days=10 * n))
    result = build(year_from=2020, year_to=2020)
    (lane,) = result.lanes
    assert lane.rows > 1
    px = axis.NARROWEST_PX / 100
    for row in range(lane.rows):
        starts = sorted(mark.x * px for mark in lane.marks if mark.row == row)
        assert all(b - a >= axis.TARGET_PX for a, b in itertools.pairwise(starts))


def test_a_lane_too_crowded_to_draw_falls_back_to_density(db):
    for day in range(1, 29):
        EventFactory(category="trade", start_date=dt.date(2020, 2, day))
    result = build(year_from=2020, year_to=2020)
    assert not result.marks_drawn
    assert result.bins[1].count == 28


def test_too_many_events_are_drawn_as_density_per_bin(db):
    for n in range(axis.MARK_LIMIT + 1):
        EventFactory(start_date=dt.date(2000 + n % 10, 1 + n % 12, 1))
    result = build()
    assert not result.marks_drawn and result.lanes == []
    assert result.total == axis.MARK_LIMIT + 1
    assert max(bin.bar_height for bin in result.bins) == axis.DENSITY_HEIGHT - 4


def test_pan_moves_by_the_windows_width_and_zoom_out_widens_it(timeline):
    result = build(year_from=2010, year_to=2014)
    assert result.earlier == ("2005–2009", "/?year_from=2005&year_to=2009")
    assert result.later == ("2015–2019", "/?year_from=2015&year_to=2019")
    assert result.zoom_out == ("2010s", "/?year_from=2010&year_to=2019")


def test_zoom_path_leads_back_to_the_whole_span(timeline):
    result = build(year_from=2023, year_to=2023, month=8)
    assert [label for label, _ in result.zoom_path] == ["All years", "2020s", "2023", "August 2023"]
    assert result.zoom_path[0][1] == "/"
    assert result.zoom_path[-1][1] == ""


def test_an_event_that_began_before_the_window_counts_in_its_first_bin(db):
    EventFactory(start_date=dt.date(2019, 6, 1), end_date=dt.date(2021, 6, 1))
    result = build(year_from=2020, year_to=2020)
    assert result.bins[0].count == 1
    (mark,) = result.lanes[0].marks
    assert mark.x == 0 and mark.width == pytest.approx(100)


def test_the_axis_of_many_events_asks_the_database_nothing_past_the_read_model(
    db, django_assert_max_num_queries
):
    for n in range(axis.MARK_LIMIT * 2):
        EventFactory(start_date=dt.date(1990 + n % 30, 1, 1))
    readmodel.summary()
    with django_assert_max_num_queries(1):  # the data version
        result = build()
    assert result.total == axis.MARK_LIMIT * 2


def test_no_events_no_axis(db):
    assert build().empty
