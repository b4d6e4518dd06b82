"""Each event as the timeline's result list shows it: its list item, rendered from the
template relations/_event_item.html when the event changes and stored (EventItem).

A page of a query nobody asked before shows fifty events: rendering them there
and then (three queries and fifty template renders) cost more than the rest of
the request, in every server process that had not shown them yet (BENCHMARKS.md).
So the read model renders an event's item when the event, its citations, its
cited sources or its actors change (`refresh`, called by
relations/readmodel/writes.py), and a page reads its fifty items in one query.
Each process also keeps the items it read for the data version.

An item is rendered in the site's default language, with its link's script prefix
left as PREFIX and filled in when read, so one row serves every prefix. A row
rendered from another form of the template (another `form()`) is not read:
the item is rendered for the request that needs it (a GET writes nothing) and
`migrate` stores it again.
"""

import hashlib
import threading
from functools import cache
from itertools import islice
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.safestring import SafeString

from relations.held import PerVersion

TEMPLATE = "relations/_event_item.html"
# Stands for the script prefix ("/" unless the site is served under a path) in a stored
# item. Its first occurrence is the link's: nothing an editor wrote comes before it.
PREFIX = "{prefix}"
# Items kept per process and version: a few pages of every query readers ask.
KEPT = 20000
BATCH = 500


class Kept:
    """{event id: (start year, html with PREFIX)} read or rendered at data version `version`."""

    def __init__(self, version):
        self.version = version
        self.items = {}
        self.lock = threading.Lock()

    def keep(self, found):
        with self.lock:
            if len(self.items) + len(found) <= KEPT:
                self.items.update(found)


kept = PerVersion(Kept)


def around_slug():
    """What comes before and after an event's slug in its URL ("/events/", "/"):
    one reverse() for a whole list of links rather than one per event."""
    return reverse("relations:event", args=["-"]).rsplit("-", 1)


@cache
def form():
    """A digest of what an item's HTML is made from besides the event: the template's text
    and the labels of categories and statuses."""
    from relations.models import Category, Status

    with translation.override(settings.LANGUAGE_CODE):
        source = get_template(TEMPLATE).template.source
        labels = [(value, str(label)) for value, label in [*Category.choices, *Status.choices]]
    return hashlib.sha256(repr((source, PREFIX, labels)).encode()).hexdigest()[:12]


def render(ids):
    """{id: (start year, html with PREFIX)} of the events with these ids, rendered now."""
    from relations.models import Event

    template = get_template(TEMPLATE)
    before, after = around_slug()
    before = PREFIX + before.removeprefix(get_script_prefix())
    fields = ("slug", "title", "category", "status", "status_reason", "date_edtf",
              "start_date", "end_date", "precision")  # fmt: skip
    with translation.override(settings.LANGUAGE_CODE):
        events = Event.objects.filter(pk__in=ids).only(*fields).for_display()
        return {
            event.pk: (
                event.start_date.year,
                template.render({"event": event, "url": f"{before}{quote(event.slug)}{after}"}),
            )
            for event in events
        }


def _table():
    from relations.models import EventItem

    return connection.ops.quote_name(EventItem._meta.db_table)


def stored(ids):
    """{id: (start year, html with PREFIX)} of the stored items of these ids, of this form,
    in plain SQL (one array parameter on PostgreSQL)."""
    ids = [int(pk) for pk in ids]
    if not ids:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            condition, params = "event_id = ANY(%s)", [ids]
        else:
            condition, params = f"event_id IN ({', '.join(['%s'] * len(ids))})", ids
        cursor.execute(
            f"SELECT event_id, year, html FROM {_table()} WHERE {condition} AND form = %s",
            [*params, form()],
        )
        return {pk: (year, html) for pk, year, html in cursor.fetchall()}


def items(ids, version):
    """[(start year, html)] of the events with `ids`, in that order, as safe strings."""
    held = kept(version)
    found = {pk: held.items.get(pk) for pk in ids}
    missing = [pk for pk, item in found.items() if item is None]
    if missing:
        fresh = stored(missing)
        unstored = [pk for pk in missing if pk not in fresh]
        if unstored:
            fresh.update(render(unstored))
        held.keep(fresh)
        found.update(fresh)
    prefix = get_script_prefix()
    return [
        (found[pk][0], SafeString(found[pk][1].replace(PREFIX, prefix, 1)))
        for pk in ids
        if found.get(pk) is not None
    ]


def _batches(ids):
    ids = iter(ids)
    while batch := list(islice(ids, BATCH)):
        yield batch


def refresh(ids):
    """Render and store the items of the events with `ids`; remove those of events gone."""
    from relations.models import EventItem

    current = form()
    for batch in _batches(sorted(set(ids))):
        fresh = render(batch)
        EventItem.objects.filter(event_id__in=batch).delete()
        EventItem.objects.bulk_create(
            EventItem(event_id=pk, form=current, year=year, html=html)
            for pk, (year, html) in fresh.items()
        )


def rebuild():
    """Render every event's item again, from empty."""
    from relations.models import Event, EventItem

    with transaction.atomic():
        EventItem.objects.all().delete()
        refresh(Event.objects.values_list("pk", flat=True))


def stale():
    """What differs between the stored items and fresh ones: [description], empty when none."""
    from relations.models import Event, EventItem

    stored_items = {
        pk: (item_form, year, html)
        for pk, item_form, year, html in EventItem.objects.values_list(
            "event_id", "form", "year", "html"
        ).iterator(2000)
    }
    differences = []
    ids = Event.objects.order_by("pk").values_list("pk", flat=True)
    for batch in _batches(ids.iterator(2000)):
        for pk, item in render(batch).items():
            if stored_items.pop(pk, None) != (form(), *item):
                differences.append(f"event {pk}: its stored list item is not its own")
    return differences + [f"event {pk}: a list item, but no such event" for pk in stored_items]


def refresh_stale():
    """Store again the items of another form, and those missing, and remove those of
    events gone (after `migrate`, which may change the template or write events without
    the read model)."""
    from relations.models import Event, EventItem

    current = dict(EventItem.objects.values_list("event_id", "form"))
    ids = list(Event.objects.values_list("pk", flat=True))
    refresh(pk for pk in ids if current.pop(pk, None) != form())
    EventItem.objects.filter(event_id__in=list(current)).delete()
