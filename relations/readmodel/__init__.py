"""The timeline's read model: the one way views, filters, the axis, the front page and the
exports ask which events match, how many there are per year, month, day and option, and
what span they cover.

    result = readmodel.query(Criteria(actor=7, year_from=2013, year_to=2013), version)
    result.ids[0:50]; result.year_counts(); result.month_counts(2013); result.extent()
    result.option_counts("category")
    readmodel.summary(version)   # the whole published timeline's result
    readmodel.around(event, version=version)   # its neighbours and related events

A backend, chosen by the READ_MODEL_BACKEND setting, answers `query()`; the
default (relations.readmodel.memory.MemoryBackend) holds each data version's
published events in memory in every server process, and reads them again when
the version moves, so an edit is seen by every process on its next request.

What is derived and stored in the database (each event's search document and
status, the word index, each event's list item, the data version) is kept true by one function,
`changed(ids)` (relations/readmodel/writes.py), called once per transaction
for the events it wrote; `rebuild()` derives everything again and `check()`
names what differs from a fresh derivation (`manage.py rebuild_read_model`,
`manage.py check_read_model`).
"""

import functools

from django.conf import settings
from django.utils.module_loading import import_string

from relations.readmodel.criteria import WINDOW, Criteria

__all__ = ["WINDOW", "Criteria", "around", "backend", "forget", "query", "summary"]

DEFAULT_BACKEND = "relations.readmodel.memory.MemoryBackend"


@functools.cache
def backend():
    return import_string(getattr(settings, "READ_MODEL_BACKEND", DEFAULT_BACKEND))()


def current_version():
    from relations.models import TimelineVersion

    return TimelineVersion.current()


def query(criteria, version=None):
    """The published events matching `criteria` (a Criteria) at data version `version`
    (the one the request read first; read now when None)."""
    return backend().query(criteria, current_version() if version is None else version)


def summary(version=None):
    """The whole published timeline as a result: its size, extent and counts per option."""
    return query(Criteria(), version)


def around(event, limit=4, version=None):
    """(the id before, the id after, [ids of up to `limit` related events]) of a published
    `event` in timeline order; related events share its category or an actor, nearest in
    time first, listed in timeline order. None when the event is not published."""
    version = current_version() if version is None else version
    return backend().around(event.pk, limit, version)


def forget():
    """Drop what this process holds for any data version (tests, where numbers repeat)."""
    from relations import held

    held.forget_all()
