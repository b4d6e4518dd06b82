"""The timeline written out: as a Django fixture, and in the formats data users' tools read.

Everything here works on iterators, so an export of any size streams in
constant memory. Each download format is a record function (one event in, one
record out) and a stream function that writes the records with the format's
header and footer; FORMATS names them for the view. iCalendar lives in
relations/ical.py.
"""

import csv
import datetime as dt
import functools
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.core import serializers
from django.db import connection
from django.db.models import F, Prefetch
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from relations import evidence
from relations.dates import DatePrecision, SpanDates
from relations.models import Actor, Category, Citation, Event, Source

CHUNK_SIZE = 1000
CITATION_FIELDS = [
    "event", "source", "quote", "prefix", "suffix", "start", "end", "text_hash", "locator",
    "stance", "claimed_date", "rank", "rank_reason", "origin", "note",
]  # fmt: skip


def by_code_point(field):
    """Order by `field` comparing code points, the same on every database.

    PostgreSQL's default collation depends on the locale (and ignores hyphens in
    en_US); "C" compares bytes of UTF-8, which is code point order. SQLite's
    default BINARY collation already does that.
    """
    if connection.vendor == "postgresql":
        return Collate(F(field), "C")
    return F(field)


# Fixture -------------------------------------------------------------------


def fixture_objects():
    """Every timeline object in a stable order, so that diffs between exports stay small."""
    yield from Actor.objects.order_by(by_code_point("slug")).iterator(CHUNK_SIZE)
    yield from Source.objects.order_by(by_code_point("slug")).iterator(CHUNK_SIZE)
    actors = Actor.objects.order_by(by_code_point("slug")).only("slug")
    yield from (
        Event.objects.order_by(by_code_point("slug"))
        .defer("search_document")
        .prefetch_related(Prefetch("actors", queryset=actors))
        .iterator(CHUNK_SIZE)
    )
    yield from (
        Citation.objects.select_related("event", "source")
        .only(*CITATION_FIELDS, "event__slug", "source__slug")
        .order_by(
            by_code_point("event__slug"),
            by_code_point("source__slug"),
            by_code_point("quote"),
            by_code_point("locator"),
        )
        .iterator(CHUNK_SIZE)
    )


def write_fixture(stream):
    serializers.serialize(
        "json",
        fixture_objects(),
        stream=stream,
        indent=2,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    stream.write("\n")


# Formats for the filtered timeline --------------------------------------------

FORMAT_NAME = "relations-timeline-export"
# 1.1: date_edtf, earliest, latest, status_reason, claims; 1.2: the stance "announces" and
# each citation's origin.
FORMAT_VERSION = "1.2"
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


def export_events(events):
    """`events` as ExportEvents with their actors and citations, fetched a chunk at a time.

    Every text is passed through clean_text, so no format has to.
    """
    rows = events.values_list(*EXPORT_FIELDS).iterator(CHUNK_SIZE)
    while chunk := clean_rows(list(itertools.islice(rows, CHUNK_SIZE))):
        events_by_pk = {row[0]: ExportEvent(*row) for row in chunk}
        ids = id_list(events_by_pk)
        actors = (
            Event.actors.through.objects.filter(event_id__in=ids)
            .order_by("actor__name")
            .values_list("event_id", "actor__name")
        )
        for event_id, name in clean_rows(list(actors)):
            events_by_pk[event_id].actors.append(name)
        citations = (
            Citation.objects.public()
            .filter(event_id__in=ids)
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


# JSON -------------------------------------------------------------------------


def event_record(event, context):
    return {
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "start_date": event.start_iso,
        "end_date": event.end_iso or None,
        "precision": event.precision,
        "date": event.date_display,
        "date_edtf": event.when.edtf,
        "earliest": event.start_date.isoformat(),
        "latest": event.when.latest.isoformat() if event.when.latest else None,
        "date_note": event.date_note,
        "category": event.category,
        "status": event.status,
        "status_reason": event.status_reason,
        "actors": event.actors,
        "url": context.absolute_url(event.path),
        "citations": [
            {
                "source": citation["source__slug"],
                "source_title": citation["source__title"],
                "source_url": citation["source__url"],
                "quote": citation["quote"],
                "stance": citation["stance"],
                "locator": citation["locator"],
                "claimed_date": citation["claimed_date"] or None,
                "rank": citation["rank"],
                "rank_reason": citation["rank_reason"],
                "origin": evidence.body(
                    citation["origin"]
                    or citation["source__origin"]
                    or citation["source__publisher"]
                ),
            }
            for citation in event.citations
        ],
    }


def counted_origin(citation):
    """The origin a citation's values count for, as relations.evidence names it."""
    own = citation["origin"] or citation["source__origin"] or citation["source__publisher"]
    return evidence.body(own)


def stream_json_document(header, entries):
    """`header` with "events": [entries…] added, written an entry at a time."""
    opening = json.dumps(header, ensure_ascii=False)[:-1]
    yield opening + (", " if header else "") + '"events": ['
    for index, entry in enumerate(entries):
        yield ("\n" if index == 0 else ",\n") + json.dumps(entry, ensure_ascii=False)
    yield "\n]}\n"


def stream_json(events, context):
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "schema": context.schema_url,
        "title": context.title,
        "filters": context.filters,
    }
    return stream_json_document(
        header, (event_record(event, context) for event in export_events(events))
    )


# CSV --------------------------------------------------------------------------

CSV_COLUMNS = [
    "slug", "title", "start_date", "end_date", "precision", "date", "date_edtf", "category",
    "status", "status_reason", "actors", "sources", "summary", "date_note", "url",
]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


# What a spreadsheet may take for the start of a formula (OWASP's list), after any
# leading blanks, and in any compatibility form: NFKC turns the full-width ＝ or
# the small ﹢ into = and +.
FORMULA_STARTS = frozenset("=+-@\t\r\n")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def spreadsheet_safe(value):
    """Stop a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    if not isinstance(value, str) or not value:
        return value
    first = value.lstrip().lstrip(INVISIBLE).lstrip()[:1]
    if value[0] in FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_record(event, context):
    record = event_record(event, context)
    record["actors"] = "; ".join(record["actors"])
    record["sources"] = "; ".join(sorted({c["source"] for c in record["citations"]}))
    return [spreadsheet_safe(record[column] or "") for column in CSV_COLUMNS]


def stream_csv(events, context, *, excel=False):
    """RFC 4180 CSV; for Excel, a byte order mark first, or it reads the UTF-8 as ANSI."""
    writer = csv.writer(_Echo())
    if excel:
        yield "\ufeff"
    yield writer.writerow(CSV_COLUMNS)
    for event in export_events(events):
        yield writer.writerow(csv_record(event, context))


def stream_excel_csv(events, context):
    return stream_csv(events, context, excel=True)


# TimelineJS -------------------------------------------------------------------


def timelinejs_point(point, display):
    return timelinejs_date(point.first, point.precision, display)


def timelinejs_date(value, precision, display):
    date = {"year": value.year, "display_date": display}
    if precision in (DatePrecision.MONTH, DatePrecision.DAY):
        date["month"] = value.month
    if precision == DatePrecision.DAY:
        date["day"] = value.day
    return date


def timelinejs_event(event, context):
    """A TimelineJS3 slide. The slide's display_date shows the range once ("16–18 August
    2023"); each end's own display_date is that end alone."""
    text = f"<p>{escape(event.summary)}</p>"
    if event.date_note:
        text += f"<p><small>{escape(event.date_note)}</small></p>"
    text += f'<p><a href="{escape(context.absolute_url(event.path))}">Sources and quotes</a></p>'
    entry = {
        "unique_id": event.slug,
        "start_date": timelinejs_point(event.when.known_points[0], event.start_display),
        "display_date": event.date_display,
        "text": {"headline": escape(event.title), "text": text},
        "group": event.category_label,
    }
    points = event.when.known_points
    if len(points) > 1:  # a range or a set; a year or month alone has no end of its own
        entry["end_date"] = timelinejs_point(points[-1], event.end_display)
    return entry


def timelinejs_placeholder(context):
    """The slide of a view without events: TimelineJS refuses a timeline with none.

    It stands in the first year the filters ask for, or this year.
    """
    years = context.filters.get("year_from") or context.filters.get("year_to")
    year = int(years[0]) if years else dt.date.today().year
    timeline = reverse("relations:timeline")
    if context.filters:
        timeline += "?" + urlencode(context.filters, doseq=True)
    link = escape(context.absolute_url(timeline))
    return {
        "unique_id": "no-events",
        "start_date": {"year": year, "display_date": ""},
        "display_date": "",
        "text": {
            "headline": "No events match these filters",
            "text": f'<p><a href="{link}">Change the filters on the timeline</a></p>',
        },
    }


def or_placeholder(entries, placeholder):
    empty = True
    for entry in entries:
        empty = False
        yield entry
    if empty:
        yield placeholder()


def stream_timelinejs(events, context):
    """TimelineJS3's JSON format: https://timeline.knightlab.com/docs/json-format.html"""
    heading = {"title": {"text": {"headline": escape(context.title), "text": ""}}}
    slides = (timelinejs_event(event, context) for event in export_events(events))
    return stream_json_document(
        heading, or_placeholder(slides, lambda: timelinejs_placeholder(context))
    )
