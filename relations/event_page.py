"""An event's page: its body (dates, status, actors, claims and evidence) rendered from
relations/_event_body.html when the event, its citations, its cited sources or its
actors change, and stored (EventBody, relations/readmodel/stored.py); its notes,
neighbours and related events, which name other events, are read per request.

A reader's page reads the stored body in one query, where rendering it with the
citations, sources and excerpts it shows cost most of the page. An editor who
previews drafts sees them in the body (draft sources' citations too), so it is
rendered for that request.
"""

from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from relations import evidence
from relations.http import rendering_state
from relations.passages import excerpts
from relations.readmodel.stored import PerEvent, links_left_open, with_links

TEMPLATE = "relations/_event_body.html"


def with_evidence(events, citations):
    """`events` (a queryset) with their actors, and `citations` (a queryset) by source."""
    return events.prefetch_related(
        "actors",
        Prefetch(
            "citations", queryset=citations.select_related("source").order_by("source__slug", "pk")
        ),
    )


def body_context(event):
    """What the body shows of `event` (from with_evidence)."""
    citations = list(event.citations.all())
    quoted = [citation for citation in citations if citation.quote]
    counted_origins, left_out = evidence.sources_summary(citations)
    claim_groups = evidence.claim_groups(citations, event.when)
    return {
        "event": event,
        "quoted": quoted,
        "quoted_groups": [
            (source, excerpts(source.text, list(group)))
            for source, group in groupby(quoted, key=attrgetter("source"))
        ],
        "references": [citation for citation in citations if not citation.quote],
        "counted_origins": counted_origins,
        "left_out": left_out,
        # Only where the sources give more than one date.
        "claim_groups": claim_groups if len(claim_groups) > 1 else [],
    }


def render_body(event):
    return SafeString(render_to_string(TEMPLATE, body_context(event)))


class Bodies(PerEvent):
    model_name = "EventBody"
    columns = ("html",)
    label = "event page body"

    def form(self):
        """The rendering code's digest: templates, labels, and the rules they show."""
        return rendering_state()[0]

    def render(self, ids):
        """{id: (html,)} of the events with these ids, as readers see them, links left open."""
        from relations.models import Citation, Event

        events = with_evidence(Event.objects.filter(pk__in=ids), Citation.objects.public())
        with links_left_open(), translation.override(settings.LANGUAGE_CODE):
            return {event.pk: (render_body(event),) for event in events}


BODIES = Bodies()


def stored_body(event):
    """The body of published `event` as a reader sees it, under this request's prefix."""
    (html,) = BODIES.found([event.pk])[event.pk]
    return SafeString(with_links(html))
