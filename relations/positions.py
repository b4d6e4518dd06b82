"""Each published event's place in the timeline's order, with the values filters compare, in memory.

The timeline's queries filter by categories, status, years and text. Counting
the matches per year and reading a page of them in SQL cost two queries and
the ORM's work (about 2 ms at 100,000 events, with a tally table for the
counts); a text search's matches, found through an index as bare ids, cost
more to read back, filter, order and count than to find (16 of 26 ms for a
word in 9 % of 100,000 events on SQLite). Here, per server process and data
version, the published events in timeline order, as NumPy arrays of their
ids, start and end years, start months, categories and statuses (about 2 MB
at 100,000 events), read in one query from a covering index (210–250 ms at
100,000) by the first request after an edit, or at startup by the gunicorn
arbiter (`relations.frontpage.warm`), whose workers inherit them. A filter is
then a few masks over the arrays, its per-year counts the runs of the matches'
start years, and a page a slice: well under a millisecond, whatever matches.
"""

import numpy as np
from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, Value, When
from django.db.models.functions import Cast, Coalesce, Substr

from relations import tally
from relations.held import PerVersion


class Positions:
    """The published events of data version `version`, in timeline order."""

    def __init__(self, version):
        from relations.models import Category, Event, Status

        self.version = version
        self.categories = {value: code for code, value in enumerate(Category.values)}
        self.statuses = {value: code for code, value in enumerate(Status.values)}
        # Categories and statuses as their codes in SQL (CASE), and the rows read without
        # the ORM's per-row work: a third of the time at 100,000 events.
        codes = {
            name: Case(
                *[When(**{name: value}, then=Value(code)) for value, code in known.items()],
                default=Value(-1),
            )
            for name, known in (("category", self.categories), ("status", self.statuses))
        }
        events = (
            Event.objects.public()
            .order_by("start_date", "slug")
            .annotate(
                end_year=Coalesce(tally.END_YEAR, F("start_year")),
                # From the ISO text, as tally.END_YEAR: ExtractMonth is a Python
                # function per row on SQLite.
                start_month=Cast(Substr(Cast("start_date", CharField()), 6, 2), IntegerField()),
                category_code=codes["category"],
                status_code=codes["status"],
            )
            .values_list(
                "pk", "start_year", "end_year", "category_code", "status_code", "start_month"
            )
        )
        sql, params = events.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = list(zip(*cursor.fetchall(), strict=True)) or [()] * 6
        self.ids = np.array(columns[0], dtype=np.int64)
        self.start = np.array(columns[1], dtype=np.int32)
        self.end = np.array(columns[2], dtype=np.int32)
        self.category = np.array(columns[3], dtype=np.int8)
        self.status = np.array(columns[4], dtype=np.int8)
        self.month = np.array(columns[5], dtype=np.int8)
        # Position of each id, -1 where there is no published event with that id.
        count = len(self.ids)
        self.lookup = np.full(int(self.ids.max()) + 1 if count else 0, -1, dtype=np.int32)
        self.lookup[self.ids] = np.arange(count, dtype=np.int32)

    def search(self, ids=None, categories=(), status=None, year_from=None, year_to=None,
               newest_first=False):  # fmt: skip
        """The published events among `ids` (all when None) with one of `categories` (any
        when empty) and `status` (any when None), touching the years from `year_from` to
        `year_to`.

        Returns (their ids in timeline order as a Placed sequence, [(start year, count)]
        in year order, (first start year, last end year) of them whatever the years, or
        None).
        """
        if ids is None:
            mask = np.ones(len(self.ids), dtype=bool)
        else:
            ids = np.asarray(ids, dtype=np.int64)
            found = self.lookup[ids[(ids >= 0) & (ids < len(self.lookup))]]
            mask = np.zeros(len(self.ids), dtype=bool)
            mask[found[found >= 0]] = True
        if categories:
            chosen = np.zeros(len(self.categories), dtype=bool)
            chosen[[self.categories[value] for value in categories]] = True
            mask &= chosen[self.category]
        if status:
            mask &= self.status == self.statuses[status]
        found = np.flatnonzero(mask)
        extent = None
        if len(found):
            # Timeline order is start order: the first match starts first.
            extent = int(self.start[found[0]]), int(self.end[found].max())
        # EventQuerySet.between_years: the event's span touches the years.
        if year_from is not None:
            found = found[self.end[found] >= year_from]
        if year_to is not None:
            found = found[self.start[found] <= year_to]
        return Placed(self, found, newest_first), year_counts(self.start[found]), extent


def year_counts(starts):
    """[(year, count)] of sorted start years, in year order: runs, without sorting again."""
    if not len(starts):
        return []
    edges = np.flatnonzero(np.diff(starts)) + 1
    firsts = np.concatenate(([0], edges))
    counts = np.diff(np.concatenate((firsts, [len(starts)])))
    return list(zip(starts[firsts].tolist(), counts.tolist(), strict=True))


class Placed:
    """The ids of matches at `found` (places in the timeline order of `positions`), for a
    Paginator: only the page asked for becomes a list."""

    def __init__(self, positions, found, newest_first=False):
        self.positions, self.ids = positions, positions.ids
        self.found = found[::-1] if newest_first else found

    def month_counts(self, year):
        """[(month - 1, count)] of the matches for the axis of year `year`, those that
        began before it in its first month (as axis.bin_expression counts them)."""
        found = self.found
        months = np.where(
            self.positions.start[found] < year, 0, self.positions.month[found].astype(np.int64) - 1
        )
        counts = np.bincount(months, minlength=12)
        return [(month, int(n)) for month, n in enumerate(counts.tolist()) if n]

    def __len__(self):
        return len(self.found)

    def count(self):
        return len(self.found)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.ids[self.found[index]].tolist()
        return int(self.ids[self.found[index]])

    def __iter__(self):
        return iter(self.ids[self.found].tolist())


# The Positions of a data version, read again when this process holds another's.
current = PerVersion(Positions)
forget = current.forget
