"""Saves that leave the derived data of the events they touch to one refresh at the end.

The receivers in relations/signals.py read `deferred` to tell whether they run
inside `deferred_refresh()`. relations.listing and relations.tally import the
models, so they are imported here when a refresh runs, not when this module loads.
"""

import threading
from contextlib import contextmanager

from django.db import transaction

from relations.models.events import Event
from relations.models.site import TimelineVersion


class Deferred(threading.local):
    """What saves within `deferred_refresh()` left to its end, in this thread."""

    events = None  # the ids of events to refresh, while deferring
    years = None  # the start years the events had before


deferred = Deferred()


@contextmanager
def deferred_refresh():
    """One transaction in which saves leave the derived data of the events they touch
    (search documents, statuses, list items, the word index, the counts and the data
    version) to one refresh at its end: an import refreshed each event after each of
    its citations, most of its time."""
    from relations import listing, tally

    if deferred.events is not None:  # within one already
        yield
        return
    deferred.events, deferred.years = set(), set()
    try:
        with transaction.atomic():
            tally.lock_writers()  # for the whole block: saves within need not ask again
            yield
            events, years = deferred.events, deferred.years
            deferred.events = deferred.years = None
            relisted = Event.objects.filter(pk__in=events).refresh_derived()
            listing.refresh(events - relisted)
            tally.refresh(years)
            TimelineVersion.bump()
    finally:
        deferred.events = deferred.years = None
