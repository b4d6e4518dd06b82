"""Each published event's place in the timeline's order, with the values filters compare, in memory.

A text search finds its matches through an index (FTS5 on SQLite, pg_trgm on
PostgreSQL) as bare ids. Reading each match's row back to check the other
filters, order the matches and count them per year cost more than the search
itself: 16 of 26 ms for a word found in 9 % of 100,000 events on SQLite, where
each match is a lookup in the events table, and on both databases a sort and
the ORM's work on every row. Here, per server process and data version, the
published events in timeline order, as NumPy arrays of their ids, start and
end years, categories and statuses (about 2 MB at 100,000 events), read in one
query (under a second at 100,000) by the first text search after an edit, or
at startup by the gunicorn arbiter (`relations.frontpage.warm`), whose workers
inherit them. Placing, filtering and counting 10,000 matches then takes well
under a millisecond; the same in Python took 15–20 ms.
"""

import threading

import numpy as np
from django.db.models import F
from django.db.models.functions import Coalesce

from relations import tally

_lock = threading.Lock()
_current = None


class Positions:
    """The published events of data version `version`, in timeline order."""

    def __init__(self, version):
        from relations.models import Category, Event, Status

        self.version = version
        rows = list(
            Event.objects.public()
            .order_by("start_date", "slug")
            .annotate(end_year=Coalesce(tally.END_YEAR, F("start_year")))
            .values_list("pk", "start_year", "end_year", "category", "status")
        )
        self.categories = {value: code for code, value in enumerate(Category.values)}
        self.statuses = {value: code for code, value in enumerate(Status.values)}
        self.ids = np.array([row[0] for row in rows], dtype=np.int64)
        self.start = np.array([row[1] for row in rows], dtype=np.int32)
        self.end = np.array([row[2] for row in rows], dtype=np.int32)
        self.category = np.array([self.categories[row[3]] for row in rows], dtype=np.int8)
        self.status = np.array([self.statuses[row[4]] for row in rows], dtype=np.int8)
        # Position of each id, -1 where there is no published event with that id.
        self.lookup = np.full(int(self.ids.max()) + 1 if rows else 0, -1, dtype=np.int32)
        self.lookup[self.ids] = np.arange(len(rows), dtype=np.int32)

    def search(self, ids, categories=(), status=None, year_from=None, year_to=None,
               newest_first=False):  # fmt: skip
        """The published events among `ids` with one of `categories` (any when empty) and
        `status` (any when None), touching the years from `year_from` to `year_to`.

        Returns (their ids in timeline order, [(start year, count)] in year order,
        (first start year, last end year) of them whatever the years, or None).
        """
        ids = np.asarray(ids, dtype=np.int64)
        ids = ids[ids < len(self.lookup)]
        found = self.lookup[ids]
        found = found[found >= 0]
        if categories:
            codes = [self.categories[value] for value in categories]
            found = found[np.isin(self.category[found], codes)]
        if status:
            found = found[self.status[found] == self.statuses[status]]
        found.sort()
        extent = None
        if len(found):
            extent = int(self.start[found].min()), int(self.end[found].max())
        # EventQuerySet.between_years: the event's span touches the years.
        if year_from is not None:
            found = found[self.end[found] >= year_from]
        if year_to is not None:
            found = found[self.start[found] <= year_to]
        years, counts = np.unique(self.start[found], return_counts=True)
        if newest_first:
            found = found[::-1]
        year_counts = list(zip(years.tolist(), counts.tolist(), strict=True))
        return self.ids[found].tolist(), year_counts, extent


def current(version):
    """The Positions of data version `version`, read again if this process holds another's.

    Read after `version` was: what is read is at least as new as the number it
    is filed under, so a newer version always reads again.
    """
    global _current
    held = _current
    if held is not None and held.version == version:
        return held
    with _lock:
        if _current is None or _current.version != version:
            _current = Positions(version)
        return _current


def forget():
    """Drop what this process holds (tests, where data version numbers repeat)."""
    global _current
    _current = None
