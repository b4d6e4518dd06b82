"""The JSON export: every event with its dates, status, actors and citations, and the
filters applied, described by schemas/export-1.schema.json."""

import json

from relations import evidence
from relations.exports.events import export_events

FORMAT_NAME = "relations-timeline-export"
# 1.1: date_edtf, earliest, latest, status_reason, claims; 1.2: the stance "announces" and
# each citation's origin.
FORMAT_VERSION = "1.2"


def event_record(event, context):
    return event_fields(event, context) | {"citations": citation_records(event)}


def event_fields(event, context):
    """The record's fields besides its citations (what the CSV's row is made of)."""
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
    }


def citation_records(event):
    return [
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
                citation["origin"] or citation["source__origin"] or citation["source__publisher"]
            ),
        }
        for citation in event.citations
    ]


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
