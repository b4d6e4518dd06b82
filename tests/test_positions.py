"""Filters applied in memory (relations/positions.py) against the database."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.db.models import Count
from django.http import QueryDict

from relations import positions
from relations.filters import EventFilter
from relations.models import Event, TimelineVersion, search_ids
from relations.views import paginate
from tests.factories import EventFactory

HTMX = {"HX-Request": "true"}
WORDS = ["potash", "loan", "rail", "visit"]


@pytest.fixture
def events(db):
    rng = random.Random(3)
    for n in range(90):
        start = dt.date(rng.randint(1990, 2000), rng.randint(1, 12), rng.randint(1, 28))
        if n % 7 == 0:
            start = dt.date(1995, 6, 1)
        EventFactory(
            # Equal dates for some, so that the slug decides their order.
            slug=f"e-{rng.randint(0, 10**6):07d}-{n}",
            title=" ".join(rng.sample(WORDS, 2)),
            summary=rng.choice(["Ministers meet.", "A LOAN is signed.", "Rail freight."]),
            start_date=start,
            end_date=start + dt.timedelta(days=400) if n % 5 == 0 else None,
            category=rng.choice(Event.Category.values),
            status=rng.choice(Event.Status.values),
            publication="published" if n % 9 else "draft",
        )


SEARCHES = [
    "q=loan",
    "q=LOAN&order=-date",
    "q=potash+rail&category=trade&category=energy",
    "q=visit&status=disputed",
    "q=rail&year_from=1994&year_to=1996",
    "q=loan&year_from=1999&status=confirmed&category=diplomacy&order=-date",
    "q=nothing-matches",
    "",
    "order=-date",
    "category=trade&category=energy",
    "status=reported&year_from=1996",
    "year_from=1994&year_to=1994",
    "category=diplomacy&status=confirmed&year_to=1995&order=-date",
    "year_from=2010",
]


@pytest.mark.parametrize("query", SEARCHES)
def test_a_filter_finds_what_the_database_finds_in_the_same_order(events, query):
    filterset = EventFilter(QueryDict(query), queryset=Event.objects.public())
    assert filterset.is_valid()
    expected = list(filterset.qs.values_list("pk", "start_year"))

    found = paginate(filterset, 1, TimelineVersion.current())

    assert list(found.ids) == [pk for pk, _ in expected]
    if expected:
        every = EventFilter(QueryDict(query), queryset=Event.objects.public())
        assert every.is_valid()
        spans = every.qs_without("year_from", "year_to").values_list("start_date", "end_date")
        first = min(start for start, _ in spans).year
        last = max((end or start).year for start, end in spans)
        assert found.extent == (dt.date(first, 1, 1), dt.date(last, 12, 31))
    assert found.year_counts == sorted(Counter(year for _, year in expected).items())
    assert list(found.page.object_list) == [pk for pk, _ in expected][:50]


def test_search_ids_include_drafts_and_positions_leave_them_out(events):
    drafts = set(Event.objects.filter(publication="draft").values_list("pk", flat=True))
    ids = search_ids("loan", TimelineVersion.current())
    assert drafts & set(ids)
    placed, _, _ = positions.current(TimelineVersion.current()).search([*ids, 10**9, 0])
    assert placed and not drafts & set(placed)


def test_positions_of_an_empty_timeline(db):
    empty = positions.Positions(0)
    for ids in ([1, 2, 3], None):
        placed, year_counts, extent = empty.search(ids, ["trade"], "confirmed")
        assert (list(placed), year_counts, extent) == ([], [], None)


def test_an_edit_is_found_by_the_next_search_in_a_process_that_placed_the_events(client, events):
    html = client.get("/?q=zanzibar", headers=HTMX).content.decode()
    assert "Showing 0 of" in html
    EventFactory(slug="new", title="A zanzibar loan")
    html = client.get("/?q=zanzibar", headers=HTMX).content.decode()
    assert "Showing 1 of" in html and 'href="/events/new/"' in html
    Event.objects.filter(slug="new").update(category=Event.Category.FINANCE)
    TimelineVersion.bump()  # a write without signals, as the README says
    html = client.get("/?q=zanzibar&category=trade", headers=HTMX).content.decode()
    assert "Showing 0 of" in html


@pytest.mark.parametrize(
    "query", ["year_from=1995&year_to=1995", "q=loan&year_from=1996&year_to=1996"]
)
def test_month_counts_of_a_years_window_are_the_axis_counts_of_the_database(events, query):
    from relations import axis

    filterset = EventFilter(QueryDict(query), queryset=Event.objects.public())
    assert filterset.is_valid()
    year = filterset.form.cleaned_data["year_from"]
    window = axis.Window("year", year, year)
    expected = sorted(
        filterset.qs.order_by()
        .annotate(axis_bin=axis.bin_expression(window))
        .values_list("axis_bin")
        .annotate(n=Count("pk"))
    )

    found = paginate(filterset, 1, TimelineVersion.current())

    assert found.ids.month_counts(year) == expected
    assert expected and expected[0][0] == 0  # events begun in an earlier year
