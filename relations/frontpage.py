"""What the front page says about the data: key numbers and counts beside the filter options.

Both are computed by aggregate queries over the public events and kept in the
cache under the data version, so they cost nothing on a repeated page view and
follow every edit at once.
"""

from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.utils.text import Truncator

from relations.models import Event, FrontPage, Source


def facts(version, seconds):
    """{"events", "sources", "first_year", "last_year", "updated"} of the public timeline."""
    key = f"front-page-facts:{version}"
    found = cache.get(key)
    if found is None:
        row = Event.objects.public().aggregate(
            events=Count("pk"),
            first=Min("start_date"),
            last_start=Max("start_date"),
            last_end=Max("end_date"),
            updated=Max("updated_at"),
        )
        last = max((d for d in (row["last_start"], row["last_end"]) if d), default=None)
        found = {
            "events": row["events"],
            "sources": Source.objects.public().count(),
            "first_year": row["first"].year if row["first"] else None,
            "last_year": last.year if last else None,
            "updated": row["updated"],
            "introduction": FrontPage.introduction_text(),
        }
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
        events = Event.objects.public().order_by()
        found = {
            name: dict(events.values_list(name).annotate(n=Count("pk")))
            for name in ("category", "status")
        }
        cache.set(key, found, seconds)
    return found
