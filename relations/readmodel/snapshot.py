"""The published events of one data version in memory, and the engine that answers Criteria.

Per server process and data version: the published events in timeline order
(start date, then slug) as NumPy arrays of their ids, first and last days
(as yyyymmdd numbers), categories and statuses; which actors and which cited
sources each has, as lists of places in that order; and the order of their
last edits, for feeds. Every filter is a mask over these arrays, whichever
filters are set: a criterion nobody asked before costs what a repeated one
does, and its counts per year, month, day and option come from the same
masks. Text is the one criterion found elsewhere, in the word index
(relations/words.py), as bare ids that become a mask here.
"""

import datetime as dt
import functools

import numpy as np
from django.db import connection
from django.db.models import Case, CharField, IntegerField, Value, When
from django.db.models.functions import Cast, Coalesce, Replace

# The names of the masks a Criteria makes, each a filter a reader sets apart.
FACETS = ("text", "category", "status", "actor", "source", "window")


def day_key(field):
    """A date as the number yyyymmdd, in SQL: the same on SQLite and PostgreSQL, and
    without the ORM's per-row conversion of dates."""
    return Cast(Replace(Cast(field, CharField()), Value("-"), Value("")), IntegerField())


def as_date(key):
    key = int(key)
    return dt.date(key // 10000, key // 100 % 100, key % 100)


def rows(queryset):
    """The rows of a values_list() queryset as columns, read without the ORM's per-row work."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    width = len(queryset.query.values_select) + len(queryset.query.annotation_select)
    return list(zip(*found, strict=True)) if found else [()] * width


class Memberships:
    """Which events (as places in timeline order) each key (an actor's or source's id) has,
    among `size` events."""

    def __init__(self, keys, places, size):
        keys = np.asarray(keys, dtype=np.int64)
        places = np.asarray(places, dtype=np.int64)
        kept = places >= 0
        keys, places = keys[kept], places[kept]
        order = np.argsort(keys, kind="stable")
        self.keys, first = np.unique(keys[order], return_index=True)
        self.bounds = np.append(first, len(order))
        self.places = places[order]
        # Each pair's key as its index in `self.keys`, for counting per key.
        self.codes = np.searchsorted(self.keys, keys)
        self.pair_places = places
        # The same pairs by event: event `place`'s codes are
        # codes_by_place[place_bounds[place]:place_bounds[place + 1]].
        by_place = np.argsort(places, kind="stable")
        self.codes_by_place = self.codes[by_place]
        self.place_bounds = np.searchsorted(places[by_place], np.arange(size + 1))
        self.totals = np.bincount(self.codes, minlength=len(self.keys))

    @functools.cached_property
    def _by_place(self):
        order = np.argsort(self.pair_places, kind="stable")
        return self.pair_places[order], self.keys[self.codes[order]]

    def keys_of(self, place):
        """The keys event `place` has, in key order."""
        places, keys = self._by_place
        return keys[np.searchsorted(places, place) : np.searchsorted(places, place, "right")]

    def mask(self, key, size):
        found = np.zeros(size, dtype=bool)
        index = np.searchsorted(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key:
            found[self.places[self.bounds[index] : self.bounds[index + 1]]] = True
        return found

    def counts(self, mask):
        """{key: number of events within `mask` that have it}, for keys with any."""
        counted = self.count_array(mask)
        return {int(key): int(n) for key, n in zip(self.keys, counted, strict=True) if n}

    def count_array(self, mask, places=None):
        """The number of events within `mask` (at `places`, when known) that have each key,
        in the order of `keys`.

        Only the events of the smaller side are read: those in the mask, or, when it holds
        most events, those out of it, whose counts are taken from the totals."""
        inside = np.count_nonzero(mask) if places is None else len(places)
        if inside * 2 > len(mask):
            return self.totals - self._count_events(np.flatnonzero(~mask))
        return self._count_events(np.flatnonzero(mask) if places is None else places)

    def _count_events(self, places):
        starts = self.place_bounds[places]
        lengths = self.place_bounds[places + 1] - starts
        # The index of every pair of these events: each event's run, one after another.
        runs = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        pairs = runs + np.arange(len(runs))
        return np.bincount(self.codes_by_place[pairs], minlength=len(self.keys))

    def cube(self, codes, shape):
        """Per key, its events by the small codes `codes` of each event (arrays by place,
        each from 0 to its `shape` - 1): an array of shape (*shape, number of keys)."""
        cells = np.zeros(len(self.pair_places), dtype=np.int64)
        for each, size in zip(codes, shape, strict=True):
            cells = cells * size + each[self.pair_places]
        cells = cells * len(self.keys) + self.codes
        size = int(np.prod(shape)) * len(self.keys)
        return np.bincount(cells, minlength=size).reshape(*shape, len(self.keys))


class Snapshot:
    """The published events of data version `version` (see the module's docstring)."""

    def __init__(self, version):
        from relations.models import Category, Citation, Event, Status

        self.version = version
        self.category_values = list(Category.values)
        self.status_values = list(Status.values)

        def codes(name, values):
            whens = [When(**{name: value}, then=Value(code)) for code, value in enumerate(values)]
            return Case(*whens, default=Value(-1))

        public = Event.objects.public()
        ids, start, end, category, status = rows(
            public.order_by("start_date", "slug")
            .annotate(
                start_key=day_key("start_date"),
                end_key=day_key(Coalesce("end_date", "start_date")),
                category_code=codes("category", self.category_values),
                status_code=codes("status", self.status_values),
            )
            .values_list("pk", "start_key", "end_key", "category_code", "status_code")
        )
        self.ids = np.array(ids, dtype=np.int64)
        self.start = np.array(start, dtype=np.int32)
        # An end before the start (which validation refuses) still ends no earlier than it.
        self.end = np.maximum(np.array(end, dtype=np.int32), self.start)
        self.start_year = self.start // 10000
        self.end_year = self.end // 10000
        self.category = np.array(category, dtype=np.int8)
        self.status = np.array(status, dtype=np.int8)
        size = len(self.ids)
        self.lookup = np.full(int(self.ids.max()) + 1 if size else 0, -1, dtype=np.int64)
        self.lookup[self.ids] = np.arange(size)

        event_ids, actor_ids = rows(
            Event.actors.through.objects.order_by().values_list("event_id", "actor_id")
        )
        self.actors = Memberships(actor_ids, self.places(event_ids), size)
        event_ids, source_ids = rows(
            Citation.objects.order_by().values_list("event_id", "source_id").distinct()
        )
        self.sources = Memberships(source_ids, self.places(event_ids), size)
        self._cubes = {}

    @functools.cached_property
    def by_update(self):
        """Places in timeline order, latest edit first: read when a feed first asks, as only
        feeds order by it and its sort is a third of a snapshot's cost."""
        from relations.models import Event

        (updated,) = rows(Event.objects.public().order_by("-updated_at", "slug").values_list("pk"))
        return self.places(updated)

    def __len__(self):
        return len(self.ids)

    def memberships(self, name):
        return {"actor": self.actors, "source": self.sources}[name]

    def year_cube(self, name=None):
        """The events by start year, category, status and, for `name` "actor" or "source",
        each of its keys, summed over the years before: cube[i] - cube[j] counts those
        begun from the first year + j to the first year + i - 1. Made when first asked;
        an unknown category or status (-1) in the last place of its axis. Returns
        (the first year, the cube)."""
        cube = self._cubes.get(name)
        if cube is None:
            first = int(self.start_year.min()) if len(self) else 0
            years = int(self.start_year.max()) - first + 1 if len(self) else 0
            shape = (years, len(self.category_values) + 1, len(self.status_values) + 1)
            codes = (
                (self.start_year - first).astype(np.int64),
                self.category.astype(np.int64) % shape[1],
                self.status.astype(np.int64) % shape[2],
            )
            if name is None:
                cells = np.ravel_multi_index(codes, shape)
                per_year = np.bincount(cells, minlength=int(np.prod(shape))).reshape(shape)
            else:
                per_year = self.memberships(name).cube(codes, shape)
            cube = np.zeros((years + 1, *per_year.shape[1:]), dtype=np.int32)
            np.cumsum(per_year, axis=0, out=cube[1:])
            cube = self._cubes[name] = (first, cube)
        return cube

    def places(self, ids):
        """The places in timeline order of the events with `ids`, -1 for any not published."""
        ids = np.asarray(ids, dtype=np.int64)
        found = np.full(len(ids), -1, dtype=np.int64)
        known = (ids >= 0) & (ids < len(self.lookup))
        found[known] = self.lookup[ids[known]]
        return found

    def around(self, pk, limit):
        """Around published event `pk`: (the id before it, the id after it, the ids of up to
        `limit` others sharing its category or one of its actors, nearest in time, in
        timeline order); None when it is not published."""
        (place,) = self.places([pk]).tolist()
        if place < 0:
            return None
        before = int(self.ids[place - 1]) if place > 0 else None
        after = int(self.ids[place + 1]) if place + 1 < len(self) else None
        sharing = self.category == self.category[place]
        for actor in self.actors.keys_of(place).tolist():
            sharing |= self.actors.mask(actor, len(self))
        sharing[place] = False
        start = self.start[place]
        # The nearest on each side in timeline order, the earlier ones nearest first.
        earlier = np.flatnonzero(sharing & (self.start <= start))[-limit:][::-1]
        later = np.flatnonzero(sharing & (self.start > start))[:limit]
        day = as_date(start)
        nearest = sorted(
            [*earlier.tolist(), *later.tolist()],
            key=lambda other: abs((as_date(self.start[other]) - day).days),
        )
        return before, after, self.ids[sorted(nearest[:limit])].tolist()

    def masks(self, criteria, text_ids=None):
        """{facet: mask} of each criterion set; `text_ids`, the ids the text matches."""
        size = len(self)
        masks = {}
        if criteria.text:
            places = self.places(text_ids if text_ids is not None else [])
            masks["text"] = np.zeros(size, dtype=bool)
            masks["text"][places[places >= 0]] = True
        if criteria.categories:
            chosen = np.zeros(len(self.category_values) + 1, dtype=bool)
            for value in criteria.categories:
                chosen[self.category_values.index(value)] = True
            masks["category"] = chosen[self.category]
        if criteria.status:
            masks["status"] = self.status == self.status_values.index(criteria.status)
        if criteria.actor is not None:
            masks["actor"] = self.actors.mask(criteria.actor, size)
        if criteria.source is not None:
            masks["source"] = self.sources.mask(criteria.source, size)
        window = self.window(criteria)
        if window is not None:
            masks["window"] = window
        return masks

    def window(self, criteria):
        """The span rule, written once: an event is in a window its span touches."""
        if criteria.month is not None:
            first, last = (int(day.strftime("%Y%m%d")) for day in criteria.days())
            return (self.start <= last) & (self.end >= first)
        if criteria.year_from is None and criteria.year_to is None:
            return None
        mask = np.ones(len(self), dtype=bool)
        if criteria.year_from is not None:
            mask &= self.end_year >= criteria.year_from
        if criteria.year_to is not None:
            mask &= self.start_year <= criteria.year_to
        return mask

    def query(self, criteria, text_ids=None):
        return Result(self, criteria, self.masks(criteria, text_ids))


def combined(masks, size, leaving=()):
    mask = np.ones(size, dtype=bool)
    for name, each in masks.items():
        if name not in leaving:
            mask &= each
    return mask


class Result:
    """The events a Criteria matches in one Snapshot: their ids in order, and their counts."""

    def __init__(self, snapshot, criteria, masks):
        self.snapshot, self.criteria, self.masks = snapshot, criteria, masks
        size = len(snapshot)
        # In timeline order, which is start order: counts are runs of it.
        self.matching = matching = combined(masks, size)
        self.places = np.flatnonzero(matching)
        if criteria.order == "newest":
            shown = self.places[::-1]
        elif criteria.order == "updated":
            shown = snapshot.by_update[matching[snapshot.by_update]]
        else:
            shown = self.places
        self.ids = Ids(snapshot.ids, shown)

    def __len__(self):
        return len(self.places)

    def year_counts(self):
        """[(start year, count)] of the matches, in year order."""
        return runs(self.snapshot.start_year[self.places])

    def extent(self):
        """(first day, last day) of the matches whatever the window, or None."""
        if "window" in self.masks:
            places = np.flatnonzero(combined(self.masks, len(self.snapshot), ("window",)))
        else:
            places = self.places
        if not len(places):
            return None
        # Timeline order is start order: the first place starts first.
        return as_date(self.snapshot.start[places[0]]), as_date(self.snapshot.end[places].max())

    def month_counts(self, year):
        """[(month - 1, count)] for a year's axis; those begun before the year count in its
        first month."""
        starts = self.snapshot.start[self.places]
        months = np.where(starts // 10000 < year, 0, starts // 100 % 100 - 1)
        return nonzero(np.bincount(months, minlength=12))

    def day_counts(self, year, month):
        """[(day - 1, count)] for a month's axis; those begun before it count on its first day."""
        starts = self.snapshot.start[self.places]
        days = np.where(starts // 100 < year * 100 + month, 0, starts % 100 - 1)
        return nonzero(np.bincount(days, minlength=31))

    def option_counts(self, name):
        """{option: number of events} that choosing each option of filter `name` would show,
        the other filters as they are: category and status by value, actor and source by id."""
        snapshot = self.snapshot
        if name in ("actor", "source"):
            keys = snapshot.memberships(name).keys
        else:
            keys = {"category": snapshot.category_values, "status": snapshot.status_values}[name]
        counted = self.counts_by_code(name).tolist()
        return {
            (int(key) if name in ("actor", "source") else key): n
            for key, n in zip(keys, counted, strict=False)
            if n
        }

    def option_counts_of(self, name, options):
        """option_counts(name) of `options` (values, or ids for actor and source), in
        their order, as a list: for the hundreds of actors and sources, without a dict."""
        snapshot = self.snapshot
        counted = self.counts_by_code(name)
        if name not in ("actor", "source"):
            values = {"category": snapshot.category_values, "status": snapshot.status_values}
            codes = {value: code for code, value in enumerate(values[name])}
            found = counted.tolist()
            return [found[codes[option]] if option in codes else 0 for option in options]
        keys = snapshot.memberships(name).keys
        options = np.asarray(options, dtype=np.int64)
        if not len(keys):
            return [0] * len(options)
        places = np.minimum(np.searchsorted(keys, options), len(keys) - 1)
        return np.where(keys[places] == options, counted[places], 0).tolist()

    def counts_by_code(self, name):
        """The events that choosing each option of filter `name` would show: by code (a
        category's or status's place among the values, an unknown one last; an actor's
        or source's among its keys).

        Filters by category, status and years are read from the snapshot's year cube,
        with the few events begun before the years that reach into them; the others
        select few events, which are counted one by one."""
        snapshot = self.snapshot
        others = {facet for facet in self.masks if facet != name}
        criteria = self.criteria
        if not (others <= {"category", "status", "window"} and criteria.month is None):
            if name not in self.masks:  # the other filters select the result itself
                return self.counted_in(name, self.matching, self.places)
            return self.counted_in(name, combined(self.masks, len(snapshot), (name,)))
        membership = name if name in ("actor", "source") else None
        first, cube = snapshot.year_cube(membership)
        years = len(cube) - 1
        low, high = 0, years
        if "window" in others:
            if criteria.year_from is not None:
                low = min(max(criteria.year_from - first, 0), years)
            if criteria.year_to is not None:
                high = min(max(criteria.year_to - first + 1, low), years)
        table = cube[high] - cube[low]  # category × status (× key)
        if "category" in others:
            codes = {snapshot.category_values.index(value) for value in criteria.categories}
            table = table[sorted(codes)]
        if "status" in others:
            table = table[:, [snapshot.status_values.index(criteria.status)]]
        counts = table.sum(axis={"category": 1, "status": 0}.get(name, (0, 1)))
        if "window" in others and criteria.year_from is not None:
            reaching = self.reaching.copy()
            for facet in others - {"window"}:
                reaching &= self.masks[facet]
            counts = counts + self.counted_in(name, reaching)
        return counts

    @functools.cached_property
    def reaching(self):
        """The events begun before the first year chosen that reach into it."""
        snapshot, year_from = self.snapshot, self.criteria.year_from
        return (snapshot.start_year < year_from) & (snapshot.end_year >= year_from)

    def counted_in(self, name, mask, places=None):
        """counts_by_code(name) of the events within `mask` (at `places`, when known)."""
        snapshot = self.snapshot
        if name in ("actor", "source"):
            return snapshot.memberships(name).count_array(mask, places)
        values = {"category": snapshot.category_values, "status": snapshot.status_values}[name]
        chosen = getattr(snapshot, name)[mask if places is None else places]
        # An unknown code (-1) last, as in the year cube.
        return np.bincount(chosen.astype(np.int64) % (len(values) + 1), minlength=len(values) + 1)


def runs(starts):
    """[(value, count)] of a sorted array, in order: its runs, without sorting again."""
    if not len(starts):
        return []
    edges = np.flatnonzero(np.diff(starts)) + 1
    firsts = np.concatenate(([0], edges))
    counts = np.diff(np.concatenate((firsts, [len(starts)])))
    return list(zip(starts[firsts].tolist(), counts.tolist(), strict=True))


def nonzero(counts):
    return [(index, int(n)) for index, n in enumerate(counts.tolist()) if n]


class Ids:
    """The ids of a result in its order, for a Paginator: only the page asked for becomes
    a list."""

    def __init__(self, ids, places):
        self._ids, self._places = ids, places

    def __len__(self):
        return len(self._places)

    def count(self):
        return len(self._places)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._ids[self._places[index]].tolist()
        return int(self._ids[self._places[index]])

    def __iter__(self):
        return iter(self._ids[self._places].tolist())
