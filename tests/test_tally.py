"""The counts table (relations/tally.py) against the events it counts, after every kind of write."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relations import tally
from relations.filters import EventFilter
from relations.models import Event, EventTally
from tests.factories import EventFactory

HTMX = {"HX-Request": "true"}


def counted_from_events():
    """{(start year, end year, category, status): n} counted the slow way."""
    counts = {}
    for event in Event.objects.public():
        end_year = event.end_date.year if event.end_date else event.start_date.year
        key = (event.start_date.year, end_year, event.category, event.status)
        counts[key] = counts.get(key, 0) + 1
    return counts


def tallied():
    return {
        (row.start_year, row.end_year, row.category, row.status): row.count
        for row in EventTally.objects.all()
    }


@pytest.fixture
def events(db):
    rng = random.Random(10)
    made = []
    for n in range(60):
        start = dt.date(rng.randint(1990, 2000), rng.randint(1, 12), rng.randint(1, 28))
        length = rng.choice([None, None, None, 40, 400, 1200])  # days; most have no end
        made.append(
            EventFactory(
                slug=f"e-{n:02d}",
                start_date=start,
                end_date=start + dt.timedelta(days=length) if length else None,
                category=rng.choice(Event.Category.values),
                status=rng.choice(Event.Status.values),
            )
        )
    return made


def test_saves_and_deletes_keep_the_tally_equal_to_the_events(events):
    assert tallied() == counted_from_events()
    moved = events[0]
    moved.start_date, moved.end_date = dt.date(1975, 3, 1), None  # to a year of its own
    moved.category = Event.Category.ENERGY
    moved.save()
    events[1].delete()
    assert tallied() == counted_from_events()
    assert tally.Counts(year_to=1980).total() == 1


def test_only_published_events_are_tallied_however_they_are_published(events):
    draft = EventFactory(publication=Event.Publication.DRAFT, start_date=dt.date(1980, 1, 1))
    assert tally.Counts(year_to=1985).total() == 0
    draft.publication = Event.Publication.PUBLISHED
    draft.save()
    assert tally.Counts(year_to=1985).total() == 1
    Event.objects.filter(pk=draft.pk).update(publication=Event.Publication.DRAFT)
    assert tally.Counts(year_to=1985).total() == 0
    assert tallied() == counted_from_events()


def test_queryset_update_bulk_create_and_bulk_update_keep_the_tally_equal(events):
    Event.objects.filter(category=Event.Category.TRADE).update(status=Event.Status.DISPUTED)
    assert tallied() == counted_from_events()
    Event.objects.filter(slug__in=["e-01", "e-02"]).update(
        start_date=dt.date(1960, 1, 1), end_date=dt.date(1961, 1, 1)
    )
    assert tallied() == counted_from_events()
    Event.objects.bulk_create(
        [EventFactory.build(slug=f"bulk-{n}", start_date=dt.date(1950 + n, 1, 1)) for n in range(3)]
    )
    assert tallied() == counted_from_events()
    changed = list(Event.objects.filter(slug__startswith="bulk-"))
    for event in changed:
        event.category = Event.Category.FINANCE
    Event.objects.bulk_update(changed, ["category"])
    assert tallied() == counted_from_events()
    Event.objects.filter(slug__startswith="e-1").delete()
    assert tallied() == counted_from_events()


def test_an_update_of_text_fields_alone_leaves_the_tally_untouched(events):
    with CaptureQueriesContext(connection) as queries:
        Event.objects.filter(slug="e-03").update(title="A new title")
    assert not [q for q in queries if "relations_eventtally" in q["sql"]]


def test_migrate_counts_again_what_raw_sql_changed(events):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE relations_event SET status = 'disputed'")
    assert tallied() != counted_from_events()
    call_command("migrate", verbosity=0)
    assert tallied() == counted_from_events()


FILTERS = [
    {},
    {"category": ["trade", "energy"]},
    {"status": "confirmed"},
    {"year_from": 1995},
    {"year_to": 1993},
    {"year_from": 1994, "year_to": 1996, "category": ["security"]},
    {"year_from": 1999, "status": "reported", "category": ["diplomacy", "trade", "finance"]},
]


@pytest.mark.parametrize("data", FILTERS)
def test_tally_counts_per_year_what_the_events_query_counts(events, data):
    filterset = EventFilter(data, queryset=Event.objects.all())
    assert filterset.is_valid(), filterset.errors
    counts = tally.Counts(
        data.get("category"), data.get("status"), data.get("year_from"), data.get("year_to")
    )
    assert counts.by_year() == filterset.qs.year_counts()
    assert counts.total() == filterset.qs.count()
    extent = tally.Counts(data.get("category"), data.get("status")).extent()
    if filterset.qs.exists():
        unfiltered = EventFilter(
            {k: v for k, v in data.items() if k in ("category", "status")},
            queryset=Event.objects.all(),
        )
        assert unfiltered.is_valid()
        years = [(e.start_date.year, (e.end_date or e.start_date).year) for e in unfiltered.qs]
        assert (extent[0].year, extent[1].year) == (
            min(s for s, _ in years),
            max(e for _, e in years),
        )
    by_category = counts.by("category")
    for category in Event.Category.values:
        assert by_category.get(category, 0) == filterset.qs.filter(category=category).count()


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize("data", FILTERS)
def test_pages_sliced_by_year_are_the_pages_of_the_ordered_events(events, data, newest_first):
    if newest_first:
        data = {**data, "order": "-date"}
    filterset = EventFilter(data, queryset=Event.objects.all())
    assert filterset.is_valid(), filterset.errors
    ordered = list(filterset.qs.values_list("pk", flat=True))
    sliced = tally.YearSlicedIds(filterset.qs, filterset.qs.year_counts(), newest_first)
    assert sliced.count() == len(ordered)
    for size in (1, 7, 50):
        for start in range(0, len(ordered) + size, size):
            assert sliced[start : start + size] == ordered[start : start + size]


def test_timeline_counts_and_pages_come_from_the_tally(client, events):
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/?category=trade&category=energy&page=2", headers=HTMX).content.decode()
    expected = Event.objects.filter(category__in=["trade", "energy"]).count()
    assert f"Showing {expected} of 60 events" in html
    counting_events = ("COUNT(*)", 'COUNT("relations_event"."id")')
    assert not [q for q in queries if any(count in q["sql"] for count in counting_events)]


def test_an_event_shown_by_one_query_is_not_rendered_again_by_another(client, events):
    client.get("/?category=trade", headers=HTMX)
    shown = Event.objects.filter(category="trade").count()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/?category=trade&status=confirmed", headers=HTMX).content.decode()
    assert (
        html.count('<li class="event')
        == Event.objects.filter(category="trade", status="confirmed").count()
    )
    assert shown and not [q for q in queries if "relations_event_actors" in q["sql"]]


def test_a_rendered_event_follows_an_edit_at_once(client, events):
    event = Event.objects.filter(category="trade").first()
    assert event.title in client.get("/?category=trade", headers=HTMX).content.decode()
    event.title = "Renamed after it was shown"
    event.save()
    for query in ("/?category=trade", "/?category=trade&order=-date"):
        html = client.get(query, headers=HTMX).content.decode()
        assert "Renamed after it was shown" in html
