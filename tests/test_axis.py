"""The time axis's geometry, called without a request (relations/axis.py)."""

import datetime as dt
import itertools

import pytest
from django.http import QueryDict

from relations import axis
from relations.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def build(events=None, **params):
    events = Event.objects.all() if events is None else events
    window_free = events
    qs = events
    if params.get("year_from") is not None or params.get("year_to") is not None:
        qs = qs.between_years(params.get("year_from"), params.get("year_to"))
    if params.get("month"):
        year, month = params["year_from"], params["month"]
        qs = qs.between_dates(
            dt.date(year, month, 1), dt.date(year, month, axis.month_days(year, month))
        )
    query = QueryDict(params.pop("query", ""), mutable=True)
    return axis.build(qs, window_free, query=query, **params)


def test_one_event_in_year_24_and_one_in_9999_make_a_bounded_number_of_bins(db):
    EventFactory(start_date=dt.date(24, 1, 1))
    EventFactory(start_date=dt.date(9999, 12, 31))
    result = build()
    assert 1 < len(result.bins) <= axis.MAX_BINS
    assert result.bin_step_years == 1000
    assert sum(bin.count for bin in result.bins) == 2
    assert [bin.count for bin in result.bins if bin.count] == [1, 1]


def test_whole_span_of_the_fixtures_is_cut_into_five_year_bins(timeline):
    result = build()
    assert result.window.label == "1992–2024"
    assert result.bin_step_years == 5
    assert [bin.label for bin in result.bins][:2] == ["1990–1994", "1995–1999"]
    assert result.total == 9
    assert result.zoom_out is None
    assert result.earlier is None and result.later is None


def test_a_single_year_is_cut_into_months_and_each_month_with_events_links_to_itself(timeline):
    result = build(year_from=2023, year_to=2023, query="year_from=2023&year_to=2023")
    assert [bin.tick for bin in result.bins][:3] == ["Jan", "Feb", "Mar"]
    august = result.bins[7]
    assert august.name == "August 2023: 1 event"
    assert august.href == "/?year_from=2023&year_to=2023&month=8"
    assert result.bins[2].href == ""  # March has no events: no link


def test_a_month_is_cut_into_days_and_pans_to_the_months_beside_it(timeline):
    query = "category=security&year_from=2023&year_to=2023&month=8"
    result = build(
        Event.objects.in_categories(["security"]),
        year_from=2023,
        year_to=2023,
        month=8,
        query=query,
    )
    assert len(result.bins) == 31
    assert result.bins[15].name == "16 August 2023: 1 event"
    assert result.zoom_out == ("2023", "/?category=security&year_from=2023&year_to=2023")
    assert result.earlier is None  # no security event before August 2023
    assert result.later == (
        "September 2023",
        "/?category=security&year_from=2023&year_to=2023&month=9",
    )


def test_marks_are_links_named_by_their_date_and_title(timeline):
    result = build(year_from=2023, year_to=2023)
    names = [mark.name for lane in result.lanes for mark in lane.marks]
    assert "16–18 August 2023: Chinese defence minister Li Shangfu visits Belarus" in names
    visit = next(
        m for lane in result.lanes for m in lane.marks if m.slug == "li-shangfu-visits-belarus"
    )
    assert visit.has_bar and not visit.uncertain
    trade = next(lane for lane in result.lanes if lane.category == "trade").marks[0]
    assert trade.uncertain  # known to the year: a pale span over all of 2023
    assert trade.x == 0 and trade.width == pytest.approx(100)


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


def test_the_axis_aggregates_in_the_database_with_a_fixed_number_of_queries(
    db, django_assert_max_num_queries
):
    for n in range(axis.MARK_LIMIT * 2):
        EventFactory(start_date=dt.date(1990 + n % 30, 1, 1))
    with django_assert_max_num_queries(2):  # the extent and the counts per bin
        result = build()
    assert result.total == axis.MARK_LIMIT * 2


def test_no_events_no_axis(db):
    assert build().empty
