"""How many events there are per start year, end year, category and status, kept in a small table.

The timeline's counts (the total, the per-year figures, the pages) would
otherwise count every matching event on every request: about 100 ms at 100,000
events for a filter nobody asked before. Most filters readers set are
categories, a status and years, and those counts come from this table of a few
thousand rows instead.

The table follows every way events are written: saves and deletes (signals),
`QuerySet.update()`, `bulk_create()` and `bulk_update()` (EventQuerySet), and
`migrate` (post_migrate). Raw SQL that writes events must call `refresh()`.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import CharField, Count, F, IntegerField, Max, Min, Sum
from django.db.models.functions import Cast, Coalesce, Substr

from relations.models import Event, EventTally

# The number of the writers' advisory lock on PostgreSQL (lock_writers).
LOCK_ID = 0x7A11E1
# The year of end_date from its ISO text: ExtractYear is a Python function per row
# on SQLite (0.9 s rather than 0.2 s for a full refresh at 100,000 events).
END_YEAR = Cast(Substr(Cast("end_date", CharField()), 1, 4), IntegerField())
# Changing these alone cannot change a tally.
UNTALLIED_FIELDS = frozenset(
    {"title", "summary", "notes", "date_note", "search_document", "updated_at", "created_at"}
)


def lock_writers():
    """Wait until no other transaction writes timeline data, and keep them waiting until
    this one ends (PostgreSQL; SQLite's write transactions run one at a time already).

    Taken before the first row is written by every transaction that writes events,
    sources, citations, actors or what is derived from them (pre_save and pre_delete in
    relations/signals.py, and the bulk writes), so writers lock rows one transaction at
    a time and never in two orders at once: two of them cannot deadlock. Outside a
    transaction each statement commits alone, holding one lock at a time.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def tallied_events():
    """The events the public timeline counts: published ones."""
    return Event.objects.public()


def refresh(years=None):
    """Count again the events starting in `years` (an iterable), or all of them."""
    events = tallied_events().filter(start_year__isnull=False)
    if years is not None:
        years = sorted({year for year in years if year is not None})
        if not years:
            return
        events = events.filter(start_year__in=years)
    rows = (
        events.order_by()
        .annotate(end_year=Coalesce(END_YEAR, F("start_year")))
        .values("start_year", "end_year", "category", "status")
        .annotate(count=Count("pk"))
    )
    with transaction.atomic():
        lock_writers()
        stale = EventTally.objects.all()
        if years is not None:
            stale = stale.filter(start_year__in=years)
        stale.delete()
        EventTally.objects.bulk_create(EventTally(**row) for row in rows)


class Counts:
    """Counts of the events matching categories, a status and a span of years, from the table.

    `by_year` is [(start year, count)] in year order, as EventQuerySet.year_counts gives.
    """

    def __init__(self, categories=(), status=None, year_from=None, year_to=None):
        rows = EventTally.objects.all()
        if categories:
            rows = rows.filter(category__in=categories)
        if status:
            rows = rows.filter(status=status)
        # The same span rule as EventQuerySet.between_years: the event touches the years.
        if year_from is not None:
            rows = rows.filter(end_year__gte=year_from)
        if year_to is not None:
            rows = rows.filter(start_year__lte=year_to)
        self.rows = rows

    def total(self):
        return self.rows.aggregate(n=Sum("count"))["n"] or 0

    def by_year(self):
        grouped = self.rows.values("start_year").annotate(n=Sum("count")).order_by("start_year")
        return [(row["start_year"], row["n"]) for row in grouped]

    def extent(self):
        """(1 January of the first start year, 31 December of the last end year), or None."""
        return self.summary()[1]

    def summary(self):
        """(total, extent) in one query."""
        row = self.rows.aggregate(n=Sum("count"), first=Min("start_year"), last=Max("end_year"))
        if row["first"] is None:
            return 0, None
        return row["n"], (dt.date(row["first"], 1, 1), dt.date(row["last"], 12, 31))

    def by_fields(self, *fields):
        """{field: {value: count}} for each of `fields` (category, status), in one query."""
        grouped = self.rows.values(*fields).annotate(n=Sum("count")).order_by()
        found = {field: {} for field in fields}
        for row in grouped:
            for field in fields:
                found[field][row[field]] = found[field].get(row[field], 0) + row["n"]
        return found

    def by(self, field):
        """{value of `field` (category or status): count}."""
        return self.by_fields(field)[field]


class YearSlicedIds:
    """The ids of `events` in their order, for a Paginator, sliced with their per-year counts.

    Knowing how many of the events start in each year (`by_year`), a page is
    read from the events of the few years it spans, rather than by skipping
    `offset` rows of all of them, and the total needs no count.
    """

    def __init__(self, events, by_year, newest_first=False):
        self.events = events
        self.years = list(reversed(by_year)) if newest_first else list(by_year)
        self.newest_first = newest_first

    def count(self):
        return sum(count for _, count in self.years)

    def __len__(self):
        return self.count()

    def __getitem__(self, rows):
        offset, size = rows.start or 0, rows.stop - (rows.start or 0)
        before, first = 0, None
        for index, (_, count) in enumerate(self.years):
            if before + count > offset:
                first = index
                break
            before += count
        if first is None:
            return []
        within = offset - before
        last, covered = first, self.years[first][1] - within
        while covered < size and last + 1 < len(self.years):
            last += 1
            covered += self.years[last][1]
        span = sorted((self.years[first][0], self.years[last][0]))
        events = self.events.filter(start_date__gte=dt.date(span[0], 1, 1))
        if span[1] < dt.MAXYEAR:
            events = events.filter(start_date__lt=dt.date(span[1] + 1, 1, 1))
        return list(events.values_list("pk", flat=True)[within : within + size])
