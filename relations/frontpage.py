"""What the front page says about the data: key numbers and counts beside the filter options.

Both come from the tally table (relations/tally.py) rather than from counting
the events, and are kept in the cache under the data version, so they cost
nothing on a repeated page view and follow every edit at once. `warm()` fills
these and the filter form's options before a server process takes requests.
"""

from django.core.cache import cache
from django.db.models import Max
from django.utils.text import Truncator

from relations import positions, tally, words
from relations.models import Event, FrontPage, Source


def facts(version, seconds):
    """{"events", "sources", "first_year", "last_year", "updated"} of the public timeline."""
    key = f"front-page-facts:{version}"
    found = cache.get(key)
    if found is None:
        # Counts and years from the tally table: a scan of the events costs 40 ms at 100k.
        total, extent = tally.Counts().summary()
        found = {
            "events": total,
            "sources": Source.objects.public().count(),
            "first_year": extent[0].year if extent else None,
            "last_year": extent[1].year if extent else None,
            "updated": Event.objects.public().aggregate(updated=Max("updated_at"))["updated"],
            "introduction": FrontPage.introduction_text(),
        }
        cache.set(key, found, seconds)
    return found


def total(version, seconds):
    """How many events the public timeline has ("Showing 12 of 1,234 events")."""
    key = f"timeline-total:{version}"
    found = cache.get(key)
    if found is None:
        found = tally.Counts().total()
        cache.set(key, found, seconds)
    return found


def description(facts):
    """The introduction's first paragraph, short enough for a search result or a share preview."""
    first = facts["introduction"].strip().split("\n\n")[0]
    return Truncator(" ".join(first.split())).chars(200)


def option_counts(version, seconds):
    """{"category": {value: n}, "status": {value: n}}: public events per option."""
    key = f"filter-option-counts:{version}"
    found = cache.get(key)
    if found is None:
        found = tally.Counts().by_fields("category", "status")
        cache.set(key, found, seconds)
    return found


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
