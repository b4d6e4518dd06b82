import hashlib
import logging
import math
import secrets
from collections import Counter, namedtuple
from html import escape
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from relations import evidence, tally
from relations.filters import EventFilter, SourceFilterForm
from relations.http import revalidated
from relations.models import Citation, Event, Source, TimelineVersion
from relations.passages import mark_citations, surrounding
from relations.search import split_search

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
NARROW_LIMIT = 20000


@require_safe
def healthz(request):
    """For load balancers and the benchmark's baseline: answers without touching the database."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@never_cache
def readyz(request):
    """For orchestrators: 200 when this server can reach its database and its cache, else 503."""
    failures = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("/readyz: the database does not answer")
        failures.append("database")
    try:
        probe = secrets.token_hex(8)
        cache.set("readyz", probe, 10)
        if cache.get("readyz") != probe:
            raise RuntimeError("a value just stored could not be read back")
    except Exception:  # each cache backend raises errors of its own
        logger.exception("/readyz: the cache does not answer")
        failures.append("cache")
    if failures:
        # Which service failed, not why: the log has the details.
        return HttpResponse(
            f"not ready: {', '.join(failures)} unavailable\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse("ready\n", content_type="text/plain")


@require_safe
@vary_on_headers("HX-Request")
@revalidated
def timeline(request):
    """The timeline page; with htmx, only its result list (and the count, out of band)."""
    fragment = request.htmx and not request.htmx.history_restore_request
    version = getattr(request, "timeline_version", None)  # read by @revalidated
    if version is None:
        version = TimelineVersion.current()
    filterset = EventFilter(request.GET, queryset=Event.objects.public())
    if filterset.is_valid():
        query = filterset.canonical_query()
        page_number = page_parameter(request.GET.get("page"))
        key = results_cache_key(query, page_number, version)
        results = cache.get(key)
        if results is None:
            results = build_results(request, filterset, query, page_number, version)
            cache.set(key, results, settings.TIMELINE_CACHE_SECONDS)
    else:
        query = QueryDict()
        results = filter_errors(request, filterset)
    if fragment:
        html = format_html(
            '<p id="result-status" hx-swap-oob="innerHTML">{}</p>{}',
            results["status_text"],
            results["results_html"],
        )
        return HttpResponse(html, status=results["status"])
    options = filterset.cached_options(version, settings.TIMELINE_PARTS_CACHE_SECONDS)
    context = {"filter": filterset, "options": options, "query": query, **results}
    return render(request, "relations/timeline.html", context, status=results["status"])


def page_parameter(value):
    """The page asked for as a whole number (1 when it is not one); the paginator clamps it."""
    try:
        return int(value or 1)
    except ValueError:
        return 1


def results_cache_key(query, page_number, version):
    """The data version and the validated query: an edit anywhere makes every key stale."""
    digest = hashlib.sha256(f"{query.urlencode()}#{page_number}".encode()).hexdigest()
    return f"timeline-results:{version}:{digest}"


def filter_errors(request, filterset):
    """The filter form's errors, status 400; never cached."""
    return {
        "status": 400,
        "status_text": "The filters need correcting.",
        "results_html": render_to_string(
            "relations/timeline.html#results", {"filter": filterset}, request
        ),
    }


def build_results(request, filterset, query, page_number, version):
    """The result list of a valid filter as HTML, with its status line.

    Every link in it is built from `query`, the validated filters, so what is
    cached depends on nothing else in the request.
    """
    page, year_counts = paginate(filterset, page_number)
    total = tally.Counts().total()
    status_text = f"Showing {page.paginator.count} of {total} event{pluralize(total)}"
    if page.paginator.num_pages > 1:
        status_text += f" (page {page.number} of {page.paginator.num_pages})"
    status_text += "."
    ignored = split_search(filterset.form.cleaned_data["q"]).ignored
    if ignored:
        status_text += (
            " Words shorter than three letters are left out beside longer ones: "
            + ", ".join(f"“{word}”" for word in ignored)
            + "."
        )
    context = {
        "filter": filterset,
        "query": query,
        "page": page,
        "events": event_items(list(page.object_list), version),
        "years": year_chart(year_counts, query),
    }
    return {
        "status": 200,
        "status_text": status_text,
        "results_html": render_to_string("relations/timeline.html#results", context, request),
    }


def paginate(filterset, page_number):
    """The requested page of event ids, and the per-year counts of all matching events.

    Neither counts the matching events one by one when it can be helped:
    categories, a status and years are counted from the tally table; a text
    search usually narrows the timeline to a few hundred events, and matching
    it is the costly part of each query, so its matches are fetched once and
    counted here. The page itself is read from the years it spans.
    """
    data = filterset.form.cleaned_data
    events = filterset.qs
    if data["q"]:
        rows = list(events.values_list("pk", "start_year")[: NARROW_LIMIT + 1])
        if len(rows) <= NARROW_LIMIT:
            page = Paginator([pk for pk, _ in rows], PAGE_SIZE).get_page(page_number)
            return page, sorted(Counter(year for _, year in rows).items())
    if data["q"] or data["actor"] or data["source"]:
        year_counts = events.year_counts()
    else:
        year_counts = tally.Counts(
            data["category"], data["status"], data["year_from"], data["year_to"]
        ).by_year()
    ids = tally.YearSlicedIds(events, year_counts, newest_first=bool(data["order"]))
    return Paginator(ids, PAGE_SIZE).get_page(page_number), year_counts


EventItem = namedtuple("EventItem", "year html")
# What event_item_html shows, and what its dates are derived from.
LISTED_FIELDS = (
    "slug", "title", "category", "status", "status_reason",
    "date_edtf", "start_date", "end_date", "precision",
)  # fmt: skip


def event_items(ids, version):
    """The events with these ids, each rendered as the list shows it, in the order given.

    Rendering fifty events is most of the work of a result list nobody asked
    for before; each event's HTML is kept in the cache by its id and the data
    version, so a new query reuses the events earlier queries have shown, and
    only the others are read from the database.
    """
    keys = {pk: f"event-item:{version}:{pk}" for pk in ids}
    items = cache.get_many(keys.values())
    missing = [pk for pk in ids if keys[pk] not in items]
    if missing:
        # One reverse() for all: "/events/" and "/" around the slug.
        before, after = reverse("relations:event", args=["-"]).rsplit("-", 1)
        events = Event.objects.filter(pk__in=missing).only(*LISTED_FIELDS).for_display()
        rendered = {
            keys[event.pk]: (
                event.start_date.year,
                event_item_html(event, f"{before}{quote(event.slug)}{after}"),
            )
            for event in events
        }
        cache.set_many(rendered, settings.TIMELINE_PARTS_CACHE_SECONDS)
        items.update(rendered)
    return [EventItem(*items[keys[pk]]) for pk in ids]


EVENT_ITEM = """\
<li class="event event-{category}">
  <article aria-labelledby="event-{pk}-title">
    <p class="event-date"><time datetime="{start}">{date}</time></p>
    <h4 class="event-title" id="event-{pk}-title"><a href="{url}">{title}</a></h4>
    <p class="event-meta">
      <span class="tag">{category_label}</span>
      <span class="status status-{status}">{status_label}</span>
      <span class="sources">{sources} independent source{plural}{unreliable}</span>
      {actors}
    </p>
    <p class="event-status-reason">{status_label}: {reason}</p>
  </article>
</li>
"""


def event_item_html(event, url):
    """One event as the result list shows it (an event from `for_display`), linking to `url`.

    Built in Python rather than with a template, and escaped with the standard
    library's html.escape (what Django's escape calls, without its lazy-string
    checks): a template costs about 0.2 ms an event, format_html a third of
    that, this a tenth, and a page of a query nobody asked before shows fifty.
    """
    unreliable = (
        f" (and {event.unreliable_sources} rated unreliable, not counted)"
        if event.unreliable_sources
        else ""
    )
    actors = (
        f'<span class="actors">{escape(", ".join(event.actor_names))}</span>'
        if event.actor_names
        else ""
    )
    when = event.when
    return mark_safe(  # every value below is escaped or a number
        EVENT_ITEM.format(
            category=escape(event.category),
            pk=int(event.pk),
            start=escape(when.start_iso),
            date=escape(when.display),
            url=escape(url),
            title=escape(event.title),
            category_label=escape(str(event.get_category_display())),
            status=escape(event.status),
            status_label=escape(str(event.get_status_display())),
            sources=int(event.independent_sources),
            plural=pluralize(event.independent_sources),
            unreliable=unreliable,
            actors=actors,
            reason=escape(event.status_reason),
        )
    )


CHART_MAX_LABELS = 12
# However far apart the first and last events are (an event saved outside the
# admin may lie anywhere), the chart draws at most this many bars.
CHART_MAX_BARS = 60


def year_chart(year_counts, query):
    """A bar per year (or per run of years) from the first to the last, empty ones included.

    When the events span more than CHART_MAX_BARS years, each bar covers the same
    number of consecutive years, so the page's size is bounded whatever the data.
    Heights are percentages of the tallest bar; about a dozen bars are labelled,
    none so close to the last one that the two labels would run together.
    Each bar links to its years under the current, validated filters (`query`).
    """
    if not year_counts:
        return []
    first, last = year_counts[0][0], year_counts[-1][0]
    width = math.ceil((last - first + 1) / CHART_MAX_BARS)
    counts = Counter()
    for year, count in year_counts:
        counts[first + (year - first) // width * width] += count
    starts = range(first, last + 1, width)
    tallest = max(counts.values())
    label_every = math.ceil(len(starts) / CHART_MAX_LABELS)
    # The other filters, encoded once: sixty copies of the query cost more than the rest.
    others = query.copy()
    others.pop("year_from", None)
    others.pop("year_to", None)
    prefix = f"?{others.urlencode()}&" if others else "?"
    bars = []
    for index, start in enumerate(starts):
        end = min(start + width - 1, last)
        count = counts[start]
        height = round(100 * count / tallest, 1)
        years = start if start == end else f"{start}–{end}"
        # Numbers as text: the template would format each one for the locale.
        bars.append(
            {
                "href": f"{prefix}year_from={start}&year_to={end}",
                "name": f"{years}: {count} event{pluralize(count)}",
                "label": str(start),
                "height": str(height),
                "y": str(round(100 - height, 1)),
                "labelled": index == len(starts) - 1
                or (index % label_every == 0 and len(starts) - 1 - index >= label_every),
                "edge": index in (0, len(starts) - 1),
            }
        )
    return bars


def previews_drafts(request):
    """Editors see drafts on the public pages (with a banner); readers get a 404."""
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("relations.view_event")


def visible(queryset, request):
    return queryset.all() if previews_drafts(request) else queryset.public()


def preview_response(request, response):
    """A page an editor previews may show drafts: never store it in a shared cache."""
    if previews_drafts(request):
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
@revalidated
def event_detail(request, slug):
    citations = visible(Citation.objects, request).select_related("source")
    event = get_object_or_404(
        visible(Event.objects, request).prefetch_related(
            "actors", Prefetch("citations", queryset=citations.order_by("source__slug", "pk"))
        ),
        slug=slug,
    )
    citations = list(event.citations.all())
    for citation in citations:
        citation.passage = surrounding(citation.source.text, citation.quote, start=citation.start)
    counted_origins, left_out = evidence.sources_summary(citations)
    claims = evidence.date_claims(citations, event.when)
    earlier, later = event.timeline_neighbours()
    context = {
        "event": event,
        "earlier": earlier,
        "later": later,
        "quoted": [citation for citation in citations if citation.quote],
        "references": [citation for citation in citations if not citation.quote],
        "counted_origins": counted_origins,
        "left_out": left_out,
        # Side by side only where the sources give more than one date.
        "claims": claims if len({claim.date.edtf for claim in claims}) > 1 else [],
    }
    return preview_response(request, render(request, "relations/event.html", context))


@require_safe
@revalidated
def source_list(request):
    """The sources; `?kind=text` keeps the quoted texts kept here, `?kind=reference` the rest."""
    form = SourceFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "sources": []}
        return render(request, "relations/sources.html", context, status=400)
    sources = form.filter(
        Source.objects.public().defer("text").with_event_counts().with_text_flag()
    )
    context = {"form": form, "sources": sources.order_by("title", "slug")}
    return render(request, "relations/sources.html", context)


@require_safe
@revalidated
def about(request):
    """How the timeline weighs evidence: the status rules, claims, dates and quotes."""
    return render(request, "relations/about.html")


@require_safe
@revalidated
def source_detail(request, slug):
    source = get_object_or_404(visible(Source.objects, request), slug=slug)
    citations = sorted(
        visible(Citation.objects, request).filter(source=source).select_related("event", "source"),
        key=lambda citation: (citation.position, citation.pk),
    )
    numbers = {citation.pk: number for number, citation in enumerate(citations, start=1)}
    context = {
        "source": source,
        "citations": citations,
        "event_count": len({citation.event_id for citation in citations}),
        "marked_text": mark_citations(source.text, citations, numbers),
    }
    return preview_response(request, render(request, "relations/source.html", context))
