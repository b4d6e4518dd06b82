"""Downloads of the filtered timeline, its Atom feed, the JSON export's schema and the
Data page that lists them."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from relations.exports.annotations import stream_annotations
from relations.exports.csv import stream_csv, stream_excel_csv
from relations.exports.events import ExportContext, encoded
from relations.exports.feeds import EventFeed
from relations.exports.ical import stream_ical
from relations.exports.json import stream_json
from relations.exports.timelinejs import stream_timelinejs
from relations.filters import EventFilter
from relations.http import last_modified, revalidated, shared_with_any_origin
from relations.models import Event

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "export-1.schema.json"
FILENAME_MAX = 120


@dataclass(frozen=True)
class Format:
    stream: object  # (events, ExportContext) -> iterator of str
    content_type: str
    suffix: str  # what the file name ends with


FORMATS = {
    "json": Format(stream_json, "application/json", ".json"),
    "csv": Format(stream_csv, "text/csv; charset=utf-8", ".csv"),
    "csv-excel": Format(stream_excel_csv, "text/csv; charset=utf-8", "-excel.csv"),
    "ics": Format(stream_ical, "text/calendar; charset=utf-8", ".ics"),
    "timelinejs": Format(stream_timelinejs, "application/json", ".timelinejs.json"),
    "annotations": Format(
        stream_annotations,
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
        ".annotations.jsonld",
    ),
}


def bad_filters(filterset):
    """A plain-text 400 for machine clients, naming each parameter that is wrong."""
    lines = ["These filters could not be applied:"]
    for name, errors in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        lines += [f"- {label} ({name}): {error}" for error in errors]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def download_name(applied, suffix):
    """'china-belarus-timeline_category-security-trade_from-2020.csv': the file says
    what it holds. Free text that leaves no ASCII slug is named by a short hash."""
    parts = [settings.EXPORT_FILENAME]
    labels = {"year_from": "from", "year_to": "to", "q": "search"}
    for name, values in applied.items():
        if name == "order":
            parts.append("newest-first")
            continue
        words = (
            slugify(" ".join(values)) or hashlib.sha256(" ".join(values).encode()).hexdigest()[:8]
        )
        parts.append(f"{labels.get(name, name)}-{words}")
    stem = "_".join(parts)
    if len(stem) > FILENAME_MAX:
        stem = (
            stem[: FILENAME_MAX - 9].rstrip("-_")
            + "_"
            + hashlib.sha256(stem.encode()).hexdigest()[:8]
        )
    return stem + suffix


@shared_with_any_origin
@require_safe
@revalidated
def export(request, fmt):
    """The filtered timeline as a download, streamed."""
    if fmt not in FORMATS:
        return HttpResponseNotFound(
            f"There is no export format “{fmt}”; choose one of {', '.join(FORMATS)}.\n",
            content_type="text/plain; charset=utf-8",
        )
    filterset = EventFilter(request.GET, queryset=Event.objects.public())
    if not filterset.is_valid():
        return bad_filters(filterset)
    applied = dict(filterset.canonical_query().lists())
    context = ExportContext(
        title=settings.TIMELINE_TITLE,
        absolute_url=request.build_absolute_uri,
        filters=applied,
        uid_domain=settings.EXPORT_FILENAME,
        schema_url=request.build_absolute_uri(reverse("relations:export-schema")),
    )
    export_format = FORMATS[fmt]
    # Annotations follow the timeline's order whatever the list's.
    result = filterset.matches(order="timeline" if fmt == "annotations" else None)
    response = StreamingHttpResponse(
        encoded(export_format.stream(result.ids, context)),
        content_type=export_format.content_type,
    )
    filename = download_name(applied, export_format.suffix)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@shared_with_any_origin
@require_safe
@revalidated
def export_schema(request):
    """The JSON Schema of /export/json/, at a URL that stays while the format's major
    version does; its $id is this URL on whichever host serves it."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    schema = {"$id": request.build_absolute_uri(), **schema}
    return HttpResponse(
        json.dumps(schema, ensure_ascii=False, indent=2) + "\n",
        content_type="application/schema+json",
    )


@shared_with_any_origin
@require_safe
@revalidated
def feed(request):
    filterset = EventFilter(request.GET, queryset=Event.objects.public())
    if not filterset.is_valid():
        return bad_filters(filterset)
    return EventFeed(filterset, feed_title(filterset), last_modified())(request)


# The Data page's formats: (what it is, what reads it), in the order a reader meets them.
DATA_FORMATS = [
    ("json", "JSON", "Every event with its dates, status, actors and citations, and the filters "
     "applied.", "Scripts and notebooks (pandas, jq); validated by the JSON Schema below."),
    ("csv", "CSV", "One row per event (RFC 4180, UTF-8).", "LibreOffice, pandas, R, databases."),
    ("csv-excel", "CSV for Excel", "The same rows with a byte order mark.",
     "Microsoft Excel, which needs the mark to read the text as UTF-8."),
    ("ics", "iCalendar", "One all-day entry per event; vague dates say where they were placed.",
     "Calendar apps: Google Calendar, Apple Calendar, Outlook, Thunderbird."),
    ("timelinejs", "TimelineJS", "A slide per event, with the honest display date.",
     "Knight Lab's TimelineJS: paste the address into its viewer."),
    ("annotations", "Web annotations", "Each citation as a W3C Web Annotation on its source "
     "(JSON-LD), quotes with their text-quote and position selectors.",
     "Annotation tools and anything that reads JSON-LD."),
]  # fmt: skip


@require_safe
@revalidated
def data_page(request):
    """Every download of the filtered view, with what each holds and what reads it."""
    filterset = EventFilter(request.GET, queryset=Event.objects.public())
    if not filterset.is_valid():
        return bad_filters(filterset)
    query = filterset.canonical_query()
    suffix = f"?{query.urlencode()}" if query else ""
    downloads = [
        {
            "label": label,
            "holds": holds,
            "read_by": read_by,
            "url": reverse("relations:export", args=[fmt]) + suffix,
            "filename": download_name(dict(query.lists()), FORMATS[fmt].suffix),
        }
        for fmt, label, holds, read_by in DATA_FORMATS
    ]
    context = {
        "filter": filterset,
        "query": query,
        "count": len(filterset.matches()),
        "downloads": downloads,
        "feed_url": reverse("relations:feed") + suffix,
        "feed_title": feed_title(filterset),
        "schema_url": reverse("relations:export-schema"),
        "timeline_url": reverse("relations:timeline") + suffix,
    }
    return render(request, "relations/data.html", context)


def feed_title(filterset):
    """The whole timeline's title, or what the filters select before it."""
    if not filterset.is_filtered:
        return settings.TIMELINE_TITLE
    return f"{filterset.description()} · {settings.TIMELINE_TITLE}"
