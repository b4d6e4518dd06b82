"""The timeline written out: as a Django fixture, and in the formats data users' tools read.

Everything here works on iterators, so an export of any size streams in
constant memory.
"""

import csv
import datetime as dt
import functools
import itertools
import json
from dataclasses import dataclass, field

from django.core import serializers
from django.db import connection
from django.db.models import F, Prefetch
from django.db.models.functions import Collate
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from relations.dates import DatePrecision, SpanDates
from relations.models import Actor, Category, Citation, Event, Source

CHUNK_SIZE = 1000
CITATION_FIELDS = ["event", "source", "quote", "locator", "stance", "note"]


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
            by_code_point("event__slug"), by_code_point("source__slug"), by_code_point("quote")
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


EXPORT_FIELDS = [
    "pk", "slug", "title", "summary", "start_date", "end_date", "precision", "date_note",
    "category", "status", "updated_at",
]  # fmt: skip


@dataclass
class ExportEvent(SpanDates):
    """An event as the exports write it: plain values, no model instance per row."""

    pk: int
    slug: str
    title: str
    summary: str
    start_date: dt.date
    end_date: dt.date | None
    precision: str
    date_note: str
    category: str
    status: str
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


SLUG_PLACEHOLDER = "slug-placeholder"


@functools.cache
def event_path_template():
    return reverse("relations:event", args=[SLUG_PLACEHOLDER])


def export_events(events):
    """`events` as ExportEvents with their actors and citations, fetched a chunk at a time."""
    rows = events.values(*EXPORT_FIELDS).iterator(CHUNK_SIZE)
    while chunk := [ExportEvent(**row) for row in itertools.islice(rows, CHUNK_SIZE)]:
        by_pk = {event.pk: event for event in chunk}
        actors = (
            Event.actors.through.objects.filter(event_id__in=by_pk)
            .order_by("actor__name")
            .values_list("event_id", "actor__name")
        )
        for event_id, name in actors:
            by_pk[event_id].actors.append(name)
        citations = (
            Citation.objects.public()
            .filter(event_id__in=by_pk)
            .order_by("source__slug", "pk")
            .values("event_id", "quote", "stance", "locator", "source__slug",
                    "source__title", "source__url")
        )  # fmt: skip
        for citation in citations:
            by_pk[citation.pop("event_id")].citations.append(citation)
        yield from chunk


def event_record(event, absolute_url):
    return {
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "start_date": event.start_iso,
        "end_date": event.end_iso or None,
        "precision": event.precision,
        "date": event.date_display,
        "date_note": event.date_note,
        "category": event.category,
        "status": event.status,
        "actors": event.actors,
        "url": absolute_url(event.path),
        "citations": [
            {
                "source": citation["source__slug"],
                "source_title": citation["source__title"],
                "source_url": citation["source__url"],
                "quote": citation["quote"],
                "stance": citation["stance"],
                "locator": citation["locator"],
            }
            for citation in event.citations
        ],
    }


def stream_json_document(title, entries):
    """{"title": title, "events": [entries…]}, written an entry at a time."""
    yield '{"title": ' + json.dumps(title, ensure_ascii=False) + ', "events": ['
    for index, entry in enumerate(entries):
        yield ("\n" if index == 0 else ",\n") + json.dumps(entry, ensure_ascii=False)
    yield "\n]}\n"


def stream_json(events, absolute_url, title):
    return stream_json_document(
        title, (event_record(event, absolute_url) for event in export_events(events))
    )


CSV_COLUMNS = [
    "slug", "title", "start_date", "end_date", "precision", "date", "category", "status",
    "actors", "sources", "summary", "date_note", "url",
]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def spreadsheet_safe(value):
    """Stop a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def stream_csv(events, absolute_url):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in export_events(events):
        record = event_record(event, absolute_url)
        record["actors"] = "; ".join(record["actors"])
        record["sources"] = "; ".join(sorted({c["source"] for c in record["citations"]}))
        yield writer.writerow([spreadsheet_safe(record[column] or "") for column in CSV_COLUMNS])


def calendar_span(event):
    """All-day start and exclusive end covering what is known of the event's dates."""
    end = event.end_date or event.start_date
    if event.precision == DatePrecision.YEAR:
        return event.start_date, end.replace(year=end.year + 1)
    if event.precision == DatePrecision.MONTH:
        if end.month == 12:
            return event.start_date, end.replace(year=end.year + 1, month=1)
        return event.start_date, end.replace(month=end.month + 1)
    return event.start_date, end + dt.timedelta(days=1)


def stream_ical(events, absolute_url, host, title):
    calendar = Calendar()
    calendar.add("prodid", "-//Relations Timeline//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    header, footer = calendar.to_ical().decode().rsplit("END:VCALENDAR", 1)
    yield header
    for event in export_events(events):
        start, end = calendar_span(event)
        entry = CalendarEvent()
        entry.add("uid", f"{event.slug}@{host}")
        entry.add("dtstamp", event.updated_at)
        entry.add("dtstart", start)
        entry.add("dtend", end)
        entry.add("summary", event.title)
        description = [event.summary, f"Date: {event.date_display}"]
        if event.date_note:
            description.append(event.date_note)
        entry.add("description", "\n\n".join(description))
        entry.add("categories", [event.category_label])
        entry.add("url", absolute_url(event.path))
        entry.add("status", "CONFIRMED" if event.status == "confirmed" else "TENTATIVE")
        yield entry.to_ical().decode()
    yield "END:VCALENDAR" + footer


def timelinejs_date(value, precision, display):
    date = {"year": value.year, "display_date": display}
    if precision in (DatePrecision.MONTH, DatePrecision.DAY):
        date["month"] = value.month
    if precision == DatePrecision.DAY:
        date["day"] = value.day
    return date


def timelinejs_event(event, absolute_url):
    text = f"<p>{escape(event.summary)}</p>"
    if event.date_note:
        text += f"<p><small>{escape(event.date_note)}</small></p>"
    text += f'<p><a href="{escape(absolute_url(event.path))}">Sources and quotes</a></p>'
    entry = {
        "unique_id": event.slug,
        "start_date": timelinejs_date(event.start_date, event.precision, event.date_display),
        "text": {"headline": escape(event.title), "text": text},
        "group": event.category_label,
    }
    if event.end_date:
        entry["end_date"] = timelinejs_date(event.end_date, event.precision, event.date_display)
    return entry


def stream_timelinejs(events, absolute_url, title):
    """TimelineJS3's JSON format: https://timeline.knightlab.com/docs/json-format.html"""
    heading = {"text": {"headline": escape(title), "text": ""}}
    return stream_json_document(
        heading, (timelinejs_event(event, absolute_url) for event in export_events(events))
    )
