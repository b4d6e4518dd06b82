import math

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from relations import exports
from relations.feeds import EventFeed
from relations.filters import EventFilter
from relations.models import Citation, Event, Source
from relations.passages import mark_citations, surrounding

PAGE_SIZE = 50


@require_GET
@vary_on_headers("HX-Request")
def timeline(request):
    filterset = EventFilter(request.GET, queryset=Event.objects.all())
    fragment = request.htmx and not request.htmx.history_restore_request
    context = {"filter": filterset, "total": Event.objects.count(), "fragment": fragment}
    status = 200
    if filterset.is_valid():
        events = filterset.qs
        page = Paginator(events.values_list("pk", flat=True), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(
            page=page,
            events=page_events(page),
            years=year_chart(events.year_counts()),
        )
    else:
        status = 400
    template = "relations/timeline.html"
    if fragment:
        template += "#results"
    return render(request, template, context, status=status)


def page_events(page):
    """The page's events with what the list shows, fetched for those rows only."""
    ids = list(page.object_list)
    by_id = Event.objects.filter(pk__in=ids).for_display().in_bulk()
    return [by_id[pk] for pk in ids]


CHART_MAX_LABELS = 12


def year_chart(year_counts):
    """A bar per year from the first to the last, empty years included.

    Heights are percentages of the tallest bar; about a dozen years are labelled.
    """
    if not year_counts:
        return []
    counts = dict(year_counts)
    first, last = year_counts[0][0], year_counts[-1][0]
    tallest = max(counts.values())
    label_every = math.ceil((last - first + 1) / CHART_MAX_LABELS)
    bars = []
    for year in range(first, last + 1):
        height = round(100 * counts.get(year, 0) / tallest, 1)
        bars.append(
            {
                "year": year,
                "count": counts.get(year, 0),
                "height": height,
                "y": round(100 - height, 1),
                "labelled": (year - first) % label_every == 0,
            }
        )
    return bars


@require_GET
def event_detail(request, slug):
    citations = Citation.objects.select_related("source").order_by("source__slug", "pk")
    event = get_object_or_404(
        Event.objects.prefetch_related("actors", Prefetch("citations", queryset=citations)),
        slug=slug,
    )
    for citation in event.citations.all():
        citation.passage = surrounding(citation.source.text, citation.quote)
    return render(request, "relations/event.html", {"event": event})


@require_GET
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    citations = sorted(
        source.citations.select_related("event"),
        key=lambda citation: (source.text.find(citation.quote), citation.pk),
    )
    numbers = {citation.pk: number for number, citation in enumerate(citations, start=1)}
    context = {
        "source": source,
        "citations": citations,
        "marked_text": mark_citations(source.text, citations, numbers),
    }
    return render(request, "relations/source.html", context)


EXPORT_FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "ics": ("text/calendar; charset=utf-8", "ics"),
    "timelinejs": ("application/json", "timelinejs.json"),
}


def bad_filters(filterset):
    """A plain-text 400 for machine clients, naming each parameter that is wrong."""
    lines = ["These filters could not be applied:"]
    for name, errors in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        lines += [f"- {label} ({name}): {error}" for error in errors]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def export(request, fmt):
    """The filtered timeline as a download, streamed."""
    if fmt not in EXPORT_FORMATS:
        raise Http404(f"No export format “{fmt}”; choose one of {', '.join(EXPORT_FORMATS)}.")
    filterset = EventFilter(request.GET, queryset=Event.objects.all())
    if not filterset.is_valid():
        return bad_filters(filterset)
    events = filterset.qs
    title = settings.TIMELINE_TITLE
    absolute = request.build_absolute_uri
    streams = {
        "json": lambda: exports.stream_json(events, absolute, title),
        "csv": lambda: exports.stream_csv(events, absolute),
        "ics": lambda: exports.stream_ical(
            events, absolute, request.get_host().split(":")[0], title
        ),
        "timelinejs": lambda: exports.stream_timelinejs(events, absolute, title),
    }
    content_type, extension = EXPORT_FORMATS[fmt]
    response = StreamingHttpResponse(streams[fmt](), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{settings.EXPORT_FILENAME}.{extension}"'
    )
    return response


@require_GET
def feed(request):
    filterset = EventFilter(request.GET, queryset=Event.objects.all())
    if not filterset.is_valid():
        return bad_filters(filterset)
    return EventFeed(filterset, settings.TIMELINE_TITLE)(request)
