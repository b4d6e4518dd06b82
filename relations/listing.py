"""Each event as the timeline's result list shows it, rendered when it changes and kept in a table.

A page of a query nobody asked before shows fifty events. Reading them with
their actors and independent-source counts (three queries, mostly the ORM's
work) and rendering them cost about 8 ms at 100,000 events, in every server
process that had not shown them yet, and a cache keyed by the data version
lost them all at each edit. Here each event's list item is rendered when the
event, its citations, its cited sources or its actors change, and a page reads
its fifty items in one query.

The table follows every way those are written: saves and deletes (signals in
relations/signals.py), the actors of an event changed from either side,
`QuerySet.update()`, `bulk_create()` and `bulk_update()` of events
(EventQuerySet), and `migrate` (post_migrate renders what is missing or was
rendered by other code: `FORMAT` changes with the markup and the labels). Raw
SQL that writes what a list item shows must call `refresh()`. An item the
table lacks is rendered for the request that needs it, never written then: a
GET writes nothing.
"""

import hashlib
from functools import cache
from html import escape
from itertools import islice
from urllib.parse import quote

from django.db import connection
from django.template.defaultfilters import pluralize
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString

from relations.models import Category, Event, EventListing, Status

# What a list item shows, and what its dates are derived from.
LISTED_FIELDS = (
    "slug", "title", "category", "status", "status_reason",
    "date_edtf", "start_date", "end_date", "precision",
)  # fmt: skip
EVENT_ITEM = """\
<li class="event cat-{category}">
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
# Stands for the script prefix ("/" unless the site is served under a path) in a
# stored item: the same table serves every prefix. The first occurrence is the
# link's, as nothing an editor wrote comes before it.
PREFIX = "{prefix}"
BATCH = 500


@cache
def _format():
    labels = [(value, str(label)) for value, label in [*Category.choices, *Status.choices]]
    return hashlib.sha256(repr((EVENT_ITEM, PREFIX, labels)).encode()).hexdigest()[:12]


def item_html(event, path):
    """One event (from `EventQuerySet.for_display`) as the list shows it, linking to `path`.

    Built in Python rather than with a template, and escaped with the standard
    library's html.escape (what Django's escape calls, without its lazy-string
    checks): a template cost about 0.2 ms an event, this a tenth of that.
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
    return EVENT_ITEM.format(
        category=escape(event.category),
        pk=int(event.pk),
        start=escape(when.start_iso),
        date=escape(when.display),
        url=path,  # escaped by the caller
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


def around_slug():
    """What comes before and after an event's slug in its URL ("/events/", "/"):
    one reverse() for a whole list of links rather than one per event."""
    return reverse("relations:event", args=["-"]).rsplit("-", 1)


def _rendered(ids):
    """{pk: (start year, html with PREFIX)} of the events with these ids."""
    before, after = around_slug()
    before = before.removeprefix(get_script_prefix())
    events = Event.objects.filter(pk__in=ids).only(*LISTED_FIELDS).for_display()
    return {
        event.pk: (
            event.start_date.year,
            item_html(event, PREFIX + escape(f"{before}{quote(event.slug)}{after}")),
        )
        for event in events
    }


def refresh(ids=None):
    """Render again the events with `ids` (an iterable), or all of them."""
    events = Event.objects.order_by("pk")
    if ids is not None:
        ids = sorted({pk for pk in ids if pk is not None})
        if not ids:
            return
        events = events.filter(pk__in=ids)
    current = _format()
    pks = iter(list(events.values_list("pk", flat=True)))
    while batch := list(islice(pks, BATCH)):
        rows = [
            EventListing(event_id=pk, year=year, format=current, html=html)
            for pk, (year, html) in _rendered(batch).items()
        ]
        EventListing.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["event_id"],
            update_fields=["year", "format", "html"],
        )


def forget(ids):
    EventListing.objects.filter(event_id__in=list(ids)).delete()


def refresh_stale():
    """Render the events whose item is missing or was rendered with other markup or labels,
    and forget the items of events that are gone."""
    current = EventListing.objects.filter(format=_format()).values("event_id")
    refresh(Event.objects.exclude(pk__in=current).values_list("pk", flat=True))
    EventListing.objects.exclude(event_id__in=Event.objects.values("pk")).delete()


def items(ids):
    """[(start year, html)] of the events with `ids`, in that order, as safe strings.

    One query for those the table holds, in SQL rather than through the ORM,
    which doubled its cost; any it lacks is rendered now.
    """
    stored = {}
    if ids:
        table = connection.ops.quote_name(EventListing._meta.db_table)
        if connection.vendor == "postgresql":  # one array parameter: a third faster
            among, values = "= ANY(%s)", [list(ids)]
        else:
            among, values = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT event_id, year, html FROM {table} WHERE event_id {among} AND format = %s",
                [*values, _format()],
            )
            stored = {pk: (year, html) for pk, year, html in cursor.fetchall()}
    missing = [pk for pk in ids if pk not in stored]
    if missing:
        stored.update(_rendered(missing))
    prefix = escape(get_script_prefix())
    # SafeString rather than mark_safe, whose checks for lazy strings cost 0.1 ms a page.
    return [
        (stored[pk][0], SafeString(stored[pk][1].replace(PREFIX, prefix, 1)))  # escaped above
        for pk in ids
        if pk in stored
    ]
