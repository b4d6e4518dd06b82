import functools
import hashlib
import logging
import secrets
from collections import namedtuple
from functools import wraps
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from relations import axis, event_page, frontpage, items, readmodel
from relations.filters import EventFilter
from relations.http import revalidated
from relations.models import Citation, Event, Source, TimelineVersion
from relations.passages import mark_citations, marked_excerpts
from relations.prepared import Prepared
from relations.search import split_search
from relations.source_filters import SOURCES_PER_PAGE, SourceFilterForm, source_languages

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# A reader's event page: the event (its body, stored, shows its actors and evidence), and
# the titles of its neighbours and related events.
PUBLISHED_EVENT = Prepared(
    lambda slug: Event.objects.public().defer("search_document").filter(slug=slug).order_by(),
    str,
)
EVENT_LINKS = Prepared(
    lambda ids: Event.objects.only(*Event.LINK_FIELDS).filter(pk__in=ids).order_by(), list
)
TIMELINE = "relations/timeline.html"


@require_safe
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says: answer with the icon."""
    with open(finders.find("relations/favicon.ico"), "rb") as icon:
        response = HttpResponse(icon.read(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=86400)
    return response


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


def embeddable(view):
    """Let the sites named in EMBED_FRAME_ANCESTORS frame the view; by default none may."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origins = settings.EMBED_FRAME_ANCESTORS
        if origins:
            response.xframe_options_exempt = True
            response._csp_replace = {"frame-ancestors": list(origins)}
        return response

    return wrapped


@require_safe
@vary_on_headers("HX-Request")
@revalidated
def timeline(request):
    """The timeline page; with htmx, only its result list (and the count, out of band)."""
    return timeline_response(request, TIMELINE)


@require_safe
@vary_on_headers("HX-Request")
@revalidated
@embeddable
def embed(request):
    """The axis and list of the filtered timeline, compact, for an iframe on another site."""
    return timeline_response(request, "relations/embed.html")


def timeline_response(request, template):
    fragment = request.htmx and not request.htmx.history_restore_request
    version = getattr(request, "timeline_version", None)  # read by @revalidated
    if version is None:
        version = TimelineVersion.current()
    filterset = EventFilter(request.GET, queryset=Event.objects.public())
    seconds = settings.TIMELINE_PARTS_CACHE_SECONDS
    # Only the timeline's own page has the filter panel whose counts follow the filters.
    panel = filterset.panel(version, seconds) if template == TIMELINE else None
    if filterset.is_valid():
        query = filterset.canonical_query()
        if not fragment and has_empty_filters(request.GET, filterset):
            return redirect_without_empty_parameters(request, query)
        results = cached_results(request, filterset, query, version, panel)
    else:
        query = QueryDict()
        results = filter_errors(request, filterset, panel, version)
    if fragment:
        html = format_html(
            "<title>{} · Relations Timeline</title>"
            '<p id="result-status" data-hx-swap-oob="innerHTML">{}</p>{}{}',
            results["title"],
            results["status_text"],
            results["results_html"],
            # Refused filters leave the panel as the reader set it, beside their errors.
            panel.swapped(results["counted"]) if panel and results["status"] == 200 else "",
        )
        return HttpResponse(html, status=results["status"])
    facts = frontpage.facts(version, seconds)
    context = {
        "filter": filterset,
        "panel": panel,
        "options": panel.selects_html(results["counted"], filterset.chosen()) if panel else {},
        "facts": facts,
        "meta_description": frontpage.description(facts),
        "query": query,
        **results,
    }
    return render(request, template, context, status=results["status"])


def has_empty_filters(data, filterset):
    known = {*filterset.filters, "page"}
    return any("" in data.getlist(name) for name in data if name in known)


def redirect_without_empty_parameters(request, query):
    """A plain GET form sends every field, empty or not: keep shared URLs to what is set."""
    query = query.copy()
    if request.GET.get("page"):
        query["page"] = str(page_parameter(request.GET["page"]))
    encoded = query.urlencode()
    return HttpResponseRedirect(f"{request.path}?{encoded}" if encoded else request.path)


def page_parameter(value):
    """The page asked for as a whole number (1 when it is not one); the paginator clamps it."""
    try:
        return int(value or 1)
    except ValueError:
        return 1


def cached_results(request, filterset, query, version, panel=None):
    """The result list of a valid filter, from the cache when it holds it.

    Kept under the page the paginator shows, not the number asked for: any number
    past the end shows the last page, and `?page=1000`, `?page=1001`, … must not
    each store a copy of it. The embed snippet in it holds this site's address
    as the reader reached it, so the scheme and host are part of the key.
    """
    origin = f"{request.scheme}://{request.get_host()}"
    asked = page_parameter(request.GET.get("page"))
    results = cache.get(results_cache_key(origin, request.path, query, asked, version))
    if results is None:
        found = paginate(filterset, asked, version)
        shown = found.page.number
        key = results_cache_key(origin, request.path, query, shown, version)
        if shown != asked:
            results = cache.get(key)
        if results is None:
            results = build_results(request, filterset, query, found, version, panel)
            cache.set(key, results, settings.TIMELINE_CACHE_SECONDS)
    return results


def results_cache_key(origin, path, query, page_number, version):
    """Data version, address and validated query: an edit anywhere makes every key stale."""
    address = f"{origin}{path}?{query.urlencode()}#{page_number}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"timeline-results:{version}:{digest}"


def filter_errors(request, filterset, panel, version):
    """The filter form's errors, status 400; never cached. The panel counts the whole
    timeline's events, as no filter could be applied."""
    return {
        "title": f"{filterset.description()} · {settings.TIMELINE_TITLE}",
        "status": 400,
        "status_text": "The filters need correcting.",
        "results_html": render_to_string(
            "relations/timeline.html#results", {"filter": filterset}, request
        ),
        "counted": panel.counted(readmodel.summary(version), filterset.chosen()) if panel else None,
    }


def build_results(request, filterset, query, found, version, panel=None):
    """The result list of a valid filter as HTML, with its status line; `found`, what
    paginate() found for the page asked for.

    Every link in it is built from `query`, the validated filters, and the
    request's scheme, host and path, so what is cached depends on nothing else
    in the request.
    """
    page = found.page
    total = frontpage.total(version)
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
    title = f"{filterset.description()} · {settings.TIMELINE_TITLE}"
    context = {
        "filter": filterset,
        "title": title,
        "query": query,
        "page": page,
        "events_html": years_html(items.items(list(page.object_list), version)),
        "paths": result_paths(get_script_prefix()),
        "axis": timeline_axis(filterset, query, request.path, found),
    }
    return {
        "title": title,
        "status": 200,
        "status_text": status_text,
        "results_html": render_to_string("relations/timeline.html#results", context, request),
        "counted": panel.counted(found.result, filterset.chosen()) if panel else None,
    }


def timeline_axis(filterset, query, base, found):
    """The time axis of a valid filter: its window is the years and month filters."""
    data = filterset.form.cleaned_data
    return axis.build(
        found.result,
        year_from=data.get("year_from"),
        year_to=data.get("year_to"),
        month=int(data["month"]) if data.get("month") else None,
        query=query,
        base=base,
    )


# What paginate() finds: the page of ids, and the read model's result for the filters.
Found = namedtuple("Found", "page result")


def paginate(filterset, page_number, version):
    """The requested page of event ids, and the read model's result for the filters."""
    result = filterset.matches(version)
    return Found(Paginator(result.ids, PAGE_SIZE).get_page(page_number), result)


@functools.cache
def result_paths(prefix):
    """{name: path} of the downloads and the embed a result list links to, under the script
    prefix `prefix`: reversed once, not on every list."""
    paths = {
        name.replace("-", "_"): reverse("relations:export", args=[name])
        for name in ("json", "csv", "csv-excel", "ics", "timelinejs")
    }
    return {
        **paths,
        "feed": reverse("relations:feed"),
        "embed": reverse("relations:embed"),
        "data": reverse("relations:data"),
    }


def years_html(rendered):
    """The list items under a heading for each start year, in the order given; joined here
    rather than by a regroup and two loops of the template, a fifth of its time."""
    return mark_safe(  # each item is rendered by its template, a year is a number
        "".join(
            f'<li class="year">\n<h3 class="year-heading">{int(year)}</h3>\n'
            f'<ol class="events">\n{"".join(html for _, html in group)}\n</ol>\n</li>\n'
            for year, group in groupby(rendered, key=itemgetter(0))
        )
    )


def previews_drafts(request):
    """Editors see drafts on the public pages (with a banner); readers get a 404."""
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("relations.view_event")


def reads_full_texts(request):
    """Editors read a stored text whole; readers see only its cited passages in context,
    because third-party articles are not republished (the About page says so)."""
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("relations.view_source")


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
    """An event's page. A reader's reads its body as the read model stored it; an editor
    who previews drafts gets it rendered with them."""
    if previews_drafts(request):
        events = event_page.with_evidence(Event.objects.all(), Citation.objects.all())
        event = get_object_or_404(events, slug=slug)
        body = event_page.render_body(event)
    else:
        found = PUBLISHED_EVENT(slug)
        if not found:
            raise Http404("No published event has this slug.")
        event = found[0]
        body = event_page.stored_body(event)
    earlier, later, related = surroundings(event, getattr(request, "timeline_version", None))
    context = {
        "event": event,
        "body": body,
        "earlier": earlier,
        "later": later,
        "related": related,
        "meta_description": Truncator(event.summary).chars(200),
    }
    return preview_response(request, render(request, "relations/event.html", context))


def surroundings(event, version=None):
    """(the event before, the event after, related events) of `event`, from the read model
    at data version `version` (read now when None); a draft an editor previews is not in
    it, and is placed among the published in SQL."""
    around = readmodel.around(event, version=version)
    if around is None:
        return *event.timeline_neighbours(), Event.objects.public().related_to(event)
    before, after, related = around
    wanted = sorted({pk for pk in (before, after, *related) if pk is not None})
    found = {other.pk: other for other in EVENT_LINKS(wanted)}
    return found.get(before), found.get(after), [found[pk] for pk in related]


@require_safe
@vary_on_headers("HX-Request")
@revalidated
def source_list(request):
    """The sources, searched, filtered and ordered as the reader asks, fifty a page; with
    htmx, only the list and its count."""
    form = SourceFilterForm(request.GET, languages=source_languages())
    template = "relations/sources.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#source-results"
    if not form.is_valid():
        return render(request, template, {"form": form, "page": None}, status=400)
    sources = form.filter(
        Source.objects.public().defer("text").with_event_counts().with_text_flag()
    )
    page = Paginator(sources, SOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "total": Source.objects.public().count() if form.is_filtered else page.paginator.count,
        "query": form.query(),
    }
    return render(request, template, context)


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
    full_text = reads_full_texts(request)
    context = {
        "source": source,
        "citations": citations,
        "event_count": len({citation.event_id for citation in citations}),
        "full_text": full_text,
    }
    if full_text:
        context["marked_text"] = mark_citations(source.text, citations, numbers)
    else:
        context["marked_excerpts"] = marked_excerpts(source.text, citations, numbers)
    response = render(request, "relations/source.html", context)
    if full_text:  # never in a shared cache, where a reader could get it
        patch_cache_control(response, private=True, no_store=True)
    return preview_response(request, response)
