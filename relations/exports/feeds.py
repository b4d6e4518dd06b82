"""The Atom feed (RFC 4287) of the events most recently added or changed in a filtered view."""

import uuid

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from relations.exports.events import clean_text
from relations.models import Event

FEED_LENGTH = 50
AUTHOR = "Relations Timeline"


def stable_id(name):
    """A permanent id that does not depend on the host the feed was fetched from."""
    name = f"relations-timeline:{settings.EXPORT_FILENAME}:{name}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


class TextAtomFeed(Atom1Feed):
    """Atom with plain-text summaries, and an `updated` that stands still while the data does.

    Django writes summaries as type="html", so a reader would turn an escaped
    "<script>" in an event's summary back into markup; type="text" is shown as
    written.
    """

    def add_item_elements(self, handler, item):
        summary, item["description"] = item["description"], None
        super().add_item_elements(handler, item)
        if summary is not None:
            handler.addQuickElement("summary", summary, {"type": "text"})

    def latest_post_date(self):
        # Django falls back to the time of the request for a feed without entries.
        dates = [item["updateddate"] or item["pubdate"] for item in self.items]
        return max(filter(None, dates), default=self.feed["data_changed_at"])


class EventFeed(Feed):
    """The most recently added or changed events matching the timeline's filters.

    Each filter has its own feed: its id and its self and alternate links carry the
    validated filters (and nothing else from the query string).
    """

    feed_type = TextAtomFeed
    subtitle = "Events added or changed most recently, each backed by verbatim quotes."
    author_name = AUTHOR

    def __init__(self, filterset, title, data_changed_at):
        super().__init__()
        self.filterset = filterset
        self.title = clean_text(title)
        self.query = filterset.canonical_query().urlencode()
        self.data_changed_at = data_changed_at

    def with_query(self, path):
        return f"{path}?{self.query}" if self.query else path

    def link(self):
        return self.with_query(reverse("relations:timeline"))

    def feed_url(self):
        return self.with_query(reverse("relations:feed"))

    def feed_guid(self):
        return stable_id(self.with_query("feed"))

    def feed_extra_kwargs(self, obj):
        return {"data_changed_at": self.data_changed_at}

    def items(self):
        latest = self.filterset.matches(order="updated").ids[:FEED_LENGTH]
        return (
            Event.objects.filter(pk__in=latest)
            .order_by("-updated_at", "slug")
            .prefetch_related("actors")
        )

    def item_title(self, event):
        return clean_text(f"{event.date_display}: {event.title}")

    def item_description(self, event):
        return clean_text(event.summary)

    def item_guid(self, event):
        return stable_id(f"event:{event.slug}")

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        names = [event.get_category_display(), *(actor.name for actor in event.actors.all())]
        return [clean_text(name) for name in names]
