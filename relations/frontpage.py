"""What the front page says about the data: key numbers and counts beside the filter options.

Both come from the tally table (relations/tally.py) rather than from counting
the events, and are kept in the cache under the data version, so they cost
nothing on a repeated page view and follow every edit at once. `warm()` fills
these and the filter form's options before a server process takes requests.
"""

import threading
import time

from django.core.cache import cache
from django.db.models import Max
from django.utils.text import Truncator

from relations import positions, tally, words
from relations.models import Event, FrontPage, Source

_lock = threading.Lock()
_held = {}  # {key: (data version, monotonic time it expires, value)}


def kept(key, version, seconds, compute):
    """`compute()` for data version `version`, kept for `seconds` in the cache (shared with
    other processes when CACHE_URL is set) and in this process's memory.

    The memory spares each request the cache's copy (unpickling the actor and
    source options alone cost about half a millisecond a full page). It holds
    one value per key, the latest version's; callers must not change it.
    """
    held = _held.get(key)
    now = time.monotonic()
    if held is not None and held[0] == version and held[1] > now:
        return held[2]
    cache_key = f"{key}:{version}"
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, seconds)
    with _lock:
        _held[key] = (version, now + seconds, found)
    return found


def forget():
    """Drop what this process holds (tests, where data version numbers repeat)."""
    _held.clear()


def facts(version, seconds):
    """{"events", "sources", "first_year", "last_year", "updated"} of the public timeline."""

    def compute():
        # Counts and years from the tally table: a scan of the events costs 40 ms at 100k.
        total, extent = tally.Counts().summary()
        return {
            "events": total,
            "sources": Source.objects.public().count(),
            "first_year": extent[0].year if extent else None,
            "last_year": extent[1].year if extent else None,
            "updated": Event.objects.public().aggregate(updated=Max("updated_at"))["updated"],
            "introduction": FrontPage.introduction_text(),
        }

    return kept("front-page-facts", version, seconds, compute)


def total(version, seconds):
    """How many events the public timeline has ("Showing 12 of 1,234 events")."""
    return kept("timeline-total", version, seconds, lambda: tally.Counts().total())


def description(facts):
    """The introduction's first paragraph, short enough for a search result or a share preview."""
    first = facts["introduction"].strip().split("\n\n")[0]
    return Truncator(" ".join(first.split())).chars(200)


def option_counts(version, seconds):
    """{"category": {value: n}, "status": {value: n}}: public events per option."""
    return kept(
        "filter-option-counts",
        version,
        seconds,
        lambda: tally.Counts().by_fields("category", "status"),
    )


def warm():
    """Fill the caches every full timeline page reads, whatever its filters, for the current data.

    Called by each gunicorn worker before it takes requests (config/gunicorn.conf.py):
    the actor and source options with their counts cost about 0.3 s at 100,000
    events, which the first reader of each worker would otherwise wait for, and
    so do the events' places in the timeline (relations/positions.py) and the
    words of the search index (relations/words.py).
    """
    from django.conf import settings
    from django.http import QueryDict

    from relations.filters import EventFilter
    from relations.models import TimelineVersion

    version, seconds = TimelineVersion.current(), settings.TIMELINE_PARTS_CACHE_SECONDS
    facts(version, seconds)
    total(version, seconds)
    option_counts(version, seconds)
    filterset = EventFilter(QueryDict(), queryset=Event.objects.public())
    filterset.is_valid()
    filterset.cached_options(version, seconds)
    positions.current(version)
    words.vocabulary(version)
