from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

FEED_LENGTH = 50


class EventFeed(Feed):
    """The most recently added or changed events matching the timeline's filters."""

    feed_type = Atom1Feed
    subtitle = "Events added or changed most recently, each backed by verbatim quotes."

    def __init__(self, filterset, title):
        super().__init__()
        self.filterset = filterset
        self.title = title

    def link(self):
        return reverse("relations:timeline")

    def items(self):
        return self.filterset.qs.order_by("-updated_at", "slug").prefetch_related("actors")[
            :FEED_LENGTH
        ]

    def item_title(self, event):
        return f"{event.date_display}: {event.title}"

    def item_description(self, event):
        return event.summary

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [event.get_category_display(), *(actor.name for actor in event.actors.all())]
