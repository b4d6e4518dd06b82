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
left open (relations/readmodel/stored.py), so one row serves every prefix. A row
rendered from another form of the template (another `form()`) is not read:
the item is rendered for the request that needs it (a GET writes nothing) and
`migrate` stores it again.
"""

import hashlib
import threading
from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString

from relations.held import PerVersion
from relations.readmodel.stored import LINK_PREFIX, PerEvent, links_left_open, with_links

TEMPLATE = "relations/_event_item.html"
# Items kept per process and version: a few pages of every query readers ask.
KEPT = 20000


class Kept:
    """{event id: (start year, html, links left open)} read or rendered at data version
    `version`."""

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


class Items(PerEvent):
    model_name = "EventItem"
    columns = ("year", "html")
    label = "list item"

    @cache  # noqa: B019 (one instance, for the life of the process)
    def form(self):
        """A digest of what an item's HTML is made from besides the event: the template's
        text and the labels of categories and statuses."""
        from relations.models import Category, Status

        with translation.override(settings.LANGUAGE_CODE):
            source = get_template(TEMPLATE).template.source
            labels = [(v, str(label)) for v, label in [*Category.choices, *Status.choices]]
        return hashlib.sha256(repr((source, LINK_PREFIX, labels)).encode()).hexdigest()[:12]

    def render(self, ids):
        """{id: (start year, html, links left open)} of the events with these ids, rendered
        now."""
        from relations.models import Event

        template = get_template(TEMPLATE)
        fields = ("slug", "title", "category", "status", "status_reason", "date_edtf",
                  "start_date", "end_date", "precision")  # fmt: skip
        with links_left_open(), translation.override(settings.LANGUAGE_CODE):
            before, after = around_slug()
            events = Event.objects.filter(pk__in=ids).only(*fields).for_display()
            return {
                event.pk: (
                    event.start_date.year,
                    template.render({"event": event, "url": f"{before}{quote(event.slug)}{after}"}),
                )
                for event in events
            }


ITEMS = Items()


def items(ids, version):
    """[(start year, html)] of the events with `ids`, in that order, as safe strings."""
    held = kept(version)
    found = {pk: held.items.get(pk) for pk in ids}
    missing = [pk for pk, item in found.items() if item is None]
    if missing:
        fresh = ITEMS.found(missing)
        held.keep(fresh)
        found.update(fresh)
    return [
        (found[pk][0], SafeString(with_links(found[pk][1])))
        for pk in ids
        if found.get(pk) is not None
    ]
