"""What the front page says about the data: its key numbers and introduction.

The numbers come from the read model (relations/readmodel), the rest from a
few small queries kept in the cache under the data version, so they cost
nothing on a repeated page view and follow every edit at once. `warm()` fills
these and the filter form's options before a server process takes requests.
"""

from django.db.models import Max
from django.utils.text import Truncator

from relations import readmodel
from relations.held import kept
from relations.models import Event, FrontPage, Source


def facts(version, seconds):
    """{"events", "sources", "first_year", "last_year", "updated"} of the public timeline."""

    def compute():
        everything = readmodel.summary(version)
        extent = everything.extent()
        return {
            "events": len(everything),
            "sources": Source.objects.public().count(),
            "first_year": extent[0].year if extent else None,
            "last_year": extent[1].year if extent else None,
            "updated": Event.objects.public().aggregate(updated=Max("updated_at"))["updated"],
            "introduction": FrontPage.introduction_text(),
        }

    return kept("front-page-facts", version, seconds, compute)


def total(version):
    """How many events the public timeline has ("Showing 12 of 1,234 events")."""
    return len(readmodel.summary(version))


def description(facts):
    """The introduction's first paragraph, short enough for a search result or a share preview."""
    first = facts["introduction"].strip().split("\n\n")[0]
    return Truncator(" ".join(first.split())).chars(200)


def warm():
    """Fill what every full timeline page reads, whatever its filters, for the current data.

    Called by each gunicorn worker before it takes requests (config/gunicorn.conf.py),
    so that no reader waits for the read model's snapshot of the events, the
    words of the search index or the actor and source options with their counts.
    """
    from django.conf import settings
    from django.http import QueryDict

    from relations import words
    from relations.filters import EventFilter
    from relations.models import TimelineVersion

    version, seconds = TimelineVersion.current(), settings.TIMELINE_PARTS_CACHE_SECONDS
    readmodel.summary(version)
    facts(version, seconds)
    filterset = EventFilter(QueryDict(), queryset=Event.objects.public())
    filterset.is_valid()
    filterset.panel(version, seconds)
    words.vocabulary(version)
