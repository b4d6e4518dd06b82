"""Downloads of the filtered timeline, its Atom feed, the JSON export's schema and the
Data page that lists them."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from relations.exports import files
from relations.exports.annotations import stream_annotations
from relations.exports.events import ExportContext, encoded
from relations.exports.feeds import EventFeed
from relations.exports.ical import stream_ical
from relations.exports.json import stream_json
from relations.exports.rows import stream_csv, stream_excel_csv
from relations.exports.timelinejs import stream_timelinejs
from relations.filters import EventFilter
from relations.http import last_modified, revalidated, shared_with_any_origin
from relations.models import Event, TimelineVersion

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
    """The filtered timeline as a download, streamed; the whole timeline from a file
    written once per data version (relations/exports/files.py)."""
    if fmt not in FORMATS:
        return HttpResponseNotFound(
            f"There is no export format “{fmt}”; choose one of {', '.join(FORMATS)}.\n",
            content_type="text/plain; charset=utf-8",
        )
    filterset = EventFilter(request.GET, queryset=Event.objects.public())
    if not filterset.is_valid():
        return bad_filters(filterset)
    applied = dict(filterset.canonical_query().lists())
    origin = f"{request.scheme}://{request.get_host()}"  # as request.build_absolute_uri's
    context = export_context(origin, applied)
    version = getattr(request, "timeline_version", None)  # read by @revalidated
    if version is None:
        version = TimelineVersion.current()
    whole = None
    if not filterset.is_filtered:
        whole = files.opened(
            files.FullExport(fmt, version, origin, order_name(filterset)),
            lambda out: out.writelines(export_chunks(fmt, filterset, version, context)),
            build=request.method != "HEAD",  # a HEAD is answered without the body
        )
    export_format = FORMATS[fmt]
    if whole is not None:
        response = FileResponse(whole, content_type=export_format.content_type)
    else:
        response = StreamingHttpResponse(
            export_chunks(fmt, filterset, version, context),
            content_type=export_format.content_type,
        )
    filename = download_name(applied, export_format.suffix)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_context(origin, applied):
    """What every record shares; `origin` ("https://example.org") makes a path absolute
    as request.build_absolute_uri would, without its work per row."""

    def absolute_url(path):
        return iri_to_uri(origin + path)

    return ExportContext(
        title=settings.TIMELINE_TITLE,
        absolute_url=absolute_url,
        filters=applied,
        uid_domain=settings.EXPORT_FILENAME,
        schema_url=absolute_url(reverse("relations:export-schema")),
        origin=origin,
    )


def export_chunks(fmt, filterset, version, context):
    """The download's bytes, in pieces: the validated filters' events at data `version`."""
    # Annotations follow the timeline's order whatever the list's.
    result = filterset.matches(version, order="timeline" if fmt == "annotations" else None)
    return encoded(FORMATS[fmt].stream(result.ids, context))


def order_name(filterset):
    return "newest" if filterset.form.cleaned_data.get("order") else "oldest"


def build_whole(fmt, origin, order="oldest", version=None):
    """Write the file of the whole timeline's download in `fmt` (for `origin`, e.g.
    "https://example.org", in `order`) if it is not there yet, as the first download
    would; its open file, or None when files are not kept."""
    if version is None:
        version = TimelineVersion.current()
    filterset = EventFilter(
        QueryDict("order=-date" if order == "newest" else ""), queryset=Event.objects.public()
    )
    filterset.is_valid()
    context = export_context(origin, dict(filterset.canonical_query().lists()))
    return files.opened(
        files.FullExport(fmt, version, origin, order),
        lambda out: out.writelines(export_chunks(fmt, filterset, version, context)),
    )


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
