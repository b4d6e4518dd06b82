"""What the data says a page should list, worked out from the events, for tests at every level."""

import datetime as dt

from django.db.models import Q

from relations import axis


def titles_in_month(events, year, month):
    """Titles of `events` whose dates reach into that month, in timeline order.

    An event known only to the year or month reaches to the last day it can mean,
    so trade "in 2023" touches August 2023.
    """
    first = dt.date(year, month, 1)
    last = dt.date(year, month, axis.month_days(year, month))
    return [
        event.title
        for event in events.order_by("start_date", "slug")
        if event.start_date <= last
        and axis.latest_day(event.end_date or event.start_date, event.precision) >= first
    ]


def touching(events, year_from=None, year_to=None):
    """`events` (a queryset) whose span touches the years from `year_from` to `year_to`."""
    if year_from is not None:
        events = events.filter(
            Q(start_date__year__gte=year_from) | Q(end_date__year__gte=year_from)
        )
    if year_to is not None:
        events = events.filter(start_date__year__lte=year_to)
    return events


def stored_derived_data():
    """Everything derived from the events and stored (search documents, statuses, the word
    index, the list items), as it is, for comparing with a fresh derivation."""
    from relations.models import Event, EventBody, EventItem, EventRow, EventWords, SearchWord

    return {
        "events": sorted(
            Event.objects.values_list("slug", "search_document", "status", "status_reason")
        ),
        "words": sorted(EventWords.objects.values_list("event_id", "words")),
        "lists": sorted(
            (w, b, bytes(e))
            for w, b, e in SearchWord.objects.values_list("word", "bucket", "events")
        ),
        "items": sorted(EventItem.objects.values_list("event_id", "form", "year", "html")),
        "rows": sorted(EventRow.objects.values_list("event_id", "form", "csv")),
        "bodies": sorted(EventBody.objects.values_list("event_id", "form", "html")),
    }
