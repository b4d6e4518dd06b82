"""What every download of the filtered timeline shares: the events as plain records
with their actors and citations, read a chunk at a time, and the text they carry
cleaned of control characters.

Everything here works on iterators, so an export of any size streams in
constant memory. Each format (json, csv, timelinejs, ical, annotations) is a
module with a record function (one event in, one record out) and a stream
function that writes the records with the format's header and footer; FORMATS
in relations/exports/downloads.py names them for the view.
"""

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from django.db.models.expressions import RawSQL
from django.urls import reverse

from relations.dates import SpanDates
from relations.models import Category, Citation, Event, Publication

CHUNK_SIZE = 1000
BUFFER_SIZE = 64 * 1024

EXPORT_FIELDS = [
    "pk", "slug", "title", "summary", "date_edtf", "start_date", "end_date", "precision",
    "date_note", "category", "status", "status_reason", "updated_at",
]  # fmt: skip
CITATION_EXPORT_FIELDS = [
    "event_id", "quote", "stance", "locator", "source__slug", "source__title", "source__url",
    "claimed_date", "rank", "rank_reason", "origin", "source__origin", "source__publisher",
]  # fmt: skip

# C0 and C1 control characters other than tab, line feed and carriage return:
# XML 1.0 (the feed) forbids most of them, RFC 5545 (iCalendar) all of them, and
# no reader of the other formats expects them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value):
    """`value` without control characters, whatever the database holds."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


# How repr() shows those characters; it shows tab, line feed and carriage return as
# \t, \n and \r. A literal backslash-x in the text may match too, which only costs time.
ESCAPED_CONTROL_CHARACTERS = re.compile(r"\\x[0189][0-9a-f]|\\x7f|\\uff(fe|ff)")


def clean_rows(rows):
    """`rows` (tuples) with control characters removed from their strings.

    Such characters are rare: one search over the chunk's repr() decides whether
    any row needs cleaning, at C speed, rather than a Python call per value.
    """
    if not ESCAPED_CONTROL_CHARACTERS.search(repr(rows)):
        return rows
    return [tuple(map(clean_text, row)) for row in rows]


@dataclass(frozen=True)
class ExportContext:
    """What every record of one download shares."""

    title: str
    absolute_url: object  # path -> absolute URL
    filters: dict  # the validated filters, {name: [values as in the query string]}
    uid_domain: str  # host-independent right-hand side of iCalendar UIDs
    schema_url: str = ""
    origin: str = ""  # "https://example.org", which absolute_url puts before a path


@dataclass
class ExportEvent(SpanDates):
    """An event as the exports write it: plain values, no model instance per row."""

    pk: int
    slug: str
    title: str
    summary: str
    date_edtf: str
    start_date: dt.date
    end_date: dt.date | None
    precision: str
    date_note: str
    category: str
    status: str
    status_reason: str
    updated_at: dt.datetime
    actors: list = field(default_factory=list)
    citations: list = field(default_factory=list)

    @functools.cached_property
    def when(self):
        # Read once: each record asks for it several times.
        return SpanDates.when.fget(self)

    @property
    def category_label(self):
        return Category(self.category).label

    @property
    def path(self):
        # One reverse() for all rows: reversing per row costs more than the rest of the row.
        return event_path_template().replace(SLUG_PLACEHOLDER, self.slug)

    @property
    def start_display(self):
        return self.when.known_points[0].display

    @property
    def end_display(self):
        points = self.when.known_points
        return points[-1].display if len(points) > 1 else ""


SLUG_PLACEHOLDER = "slug-placeholder"


@functools.cache
def event_path_template():
    return reverse("relations:event", args=[SLUG_PLACEHOLDER])


def id_list(ids):
    """`ids` as a literal SQL list for `__in`: Django's per-value preparation of a
    thousand-value parameter list costs more than the query it builds."""
    return RawSQL(",".join(str(int(pk)) for pk in ids), [])


def chunks(ids, size=CHUNK_SIZE):
    """`ids` (a sequence, such as a read model result's) in lists of `size`, in order."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def export_events(ids):
    """The events with `ids`, in that order, as ExportEvents with their actors and
    citations, fetched a chunk at a time.

    Every text is passed through clean_text, so no format has to.
    """
    for chunk_ids in chunks(ids):
        rows = Event.objects.filter(pk__in=id_list(chunk_ids)).values_list(
            *EXPORT_FIELDS, "publication"
        )
        found = {row[0]: row for row in clean_rows(list(rows))}
        events_by_pk = {pk: ExportEvent(*found[pk][:-1]) for pk in chunk_ids if pk in found}
        if not events_by_pk:
            continue
        actors = (
            Event.actors.through.objects.filter(event_id__in=id_list(events_by_pk))
            .order_by("actor__name")
            .values_list("event_id", "actor__name")
        )
        for event_id, name in clean_rows(list(actors)):
            events_by_pk[event_id].actors.append(name)
        # Citation.objects.public() less its condition on the event, which the rows above
        # answer: with it, SQLite walks every published event to find a thousand.
        published = [pk for pk in events_by_pk if found[pk][-1] == Publication.PUBLISHED]
        if not published:  # drafts, whose rows the read model stores too
            yield from events_by_pk.values()
            continue
        citations = (
            Citation.objects.filter(
                event_id__in=id_list(published), source__publication=Publication.PUBLISHED
            )
            .order_by("source__slug", "pk")
            .values_list(*CITATION_EXPORT_FIELDS)
        )
        for event_id, *values in clean_rows(list(citations)):
            events_by_pk[event_id].citations.append(
                dict(zip(CITATION_EXPORT_FIELDS[1:], values, strict=True))
            )
        yield from events_by_pk.values()


def encoded(chunks, size=BUFFER_SIZE):
    """UTF-8 bytes of `chunks` in pieces of about `size`: one write per piece, not per row."""
    buffer, length = [], 0
    for chunk in chunks:
        buffer.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()
