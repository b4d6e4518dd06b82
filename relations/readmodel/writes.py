"""The one way the derived data stays true: every write says which events it changed.

What is derived and stored: each event's search document and status (from
its title, summary and citations, relations/evidence.py), the word index of
the documents (relations/words.py), each event's list item and CSV row
(relations/readmodel/stored.py) and the data version (TimelineVersion),
which every process's in-memory snapshot and every cached page is keyed by.

Every write of timeline data calls `changed(ids)` with the ids of the events
whose derived data may differ after it (none for, say, the front page's text,
which only moves the version): the signal receivers in relations/signals.py
for saves and deletes, EventQuerySet for update(), bulk_create() and
bulk_update(), and anything that writes with raw SQL. Within `writing()`, one
transaction, the ids are gathered and applied once at its end, before it
commits, with one move of the data version; outside it, each call applies at
once, in the caller's transaction if there is one. The version moves in the
writer's transaction, never after it, so no failure between a commit and a
second step can leave the data new and the version old.
"""

import threading
from contextlib import contextmanager

from django.db import transaction

from relations.models import TimelineVersion, lock_writers


class Pending(threading.local):
    ids = None  # the ids changed within writing(), or None outside it
    applying = False  # while apply() writes the derived data itself


pending = Pending()


@contextmanager
def writing():
    """One transaction whose writes' changes are applied once, at its end."""
    if pending.ids is not None:  # within one already
        yield
        return
    pending.ids = set()
    try:
        with transaction.atomic():
            lock_writers()  # for the whole block: writes within need not ask again
            yield
            ids, pending.ids = pending.ids, None
            apply(ids)
    finally:
        pending.ids = None


def changed(ids=()):
    """Say that the events with `ids` changed (or, with none, something else of the
    timeline): applied at the end of writing(), or now outside it."""
    if pending.applying:
        return
    if pending.ids is not None:
        pending.ids.update(pk for pk in ids if pk is not None)
        return
    with writing():
        pending.ids.update(pk for pk in ids if pk is not None)


def apply(ids):
    """Derive again what is stored of the events with `ids`, and move the data version."""
    from relations import words
    from relations.models import Event

    pending.applying = True
    try:
        if ids:
            Event.objects.filter(pk__in=ids).refresh_derived()
            words.refresh(ids)
            for rendering in renderings():
                rendering.refresh(ids)
        TimelineVersion.bump()
    finally:
        pending.applying = False


def renderings():
    """What the read model renders of each event and stores (relations/readmodel/stored.py)."""
    from relations.event_page import BODIES
    from relations.exports.rows import CSV_ROWS
    from relations.items import ITEMS

    return [ITEMS, CSV_ROWS, BODIES]
