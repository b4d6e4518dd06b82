"""Each event as the timeline's result list shows it: rendered from its template when a
page first needs it, and kept in this process for the data version it was rendered at."""

import threading
from urllib.parse import quote

from django.template.loader import get_template
from django.urls import get_script_prefix, reverse

from relations.held import PerVersion

TEMPLATE = "relations/_event_item.html"
# Items kept per process and version: a few pages of every query readers ask.
KEPT = 20000


class Rendered:
    """{(script prefix, event id): (start year, html)} rendered at data version `version`."""

    def __init__(self, version):
        self.version = version
        self.items = {}
        self.lock = threading.Lock()

    def keep(self, found):
        with self.lock:
            if len(self.items) + len(found) <= KEPT:
                self.items.update(found)


rendered = PerVersion(Rendered)


def around_slug():
    """What comes before and after an event's slug in its URL ("/events/", "/"):
    one reverse() for a whole list of links rather than one per event."""
    return reverse("relations:event", args=["-"]).rsplit("-", 1)


def render(ids):
    """{id: (start year, html)} of the events with these ids, rendered now."""
    from relations.models import Event

    template = get_template(TEMPLATE)
    before, after = around_slug()
    events = Event.objects.filter(pk__in=ids).defer("search_document", "notes").for_display()
    return {
        event.pk: (
            event.start_date.year,
            template.render({"event": event, "url": f"{before}{quote(event.slug)}{after}"}),
        )
        for event in events
    }


def items(ids, version):
    """[(start year, html)] of the events with `ids`, in that order, as safe strings."""
    held = rendered(version)
    prefix = get_script_prefix()
    found = {pk: held.items.get((prefix, pk)) for pk in ids}
    missing = [pk for pk, item in found.items() if item is None]
    if missing:
        fresh = render(missing)
        held.keep({(prefix, pk): item for pk, item in fresh.items()})
        found.update(fresh)
    return [found[pk] for pk in ids if found.get(pk) is not None]
