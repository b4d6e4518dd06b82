"""The citations of a filtered view as a W3C Web Annotation collection (JSON-LD).

https://www.w3.org/TR/annotation-model/ and https://www.w3.org/TR/annotation-vocab/.
Each citation is one Annotation that links a passage of a source (its target)
to the event it is evidence for (its body):

- a quote of a stored text targets our copy of the text, at
  /sources/<slug>/, with a TextQuoteSelector (exact, prefix, suffix: the
  stored disambiguators, widened to 32 characters of context as annotation
  clients expect) and a TextPositionSelector (start, end, in code points);
- a citation of a reference targets the reference's own address, and its
  locator (page, paragraph) is a textual body, since the model has no
  selector for "page 2 of a page we do not hold".

The stance, the claimed date and its rank are textual bodies too. The whole
collection is one AnnotationCollection whose first (and only) page holds every
item, written a chunk at a time, so any number of citations streams.
"""

import json

from django.urls import reverse
from django.utils.http import urlencode

from relations.anchors import CONTEXT_CHARS, surrounding_context
from relations.exports.events import chunks, id_list
from relations.models import Citation, Event, Publication

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CHUNK_SIZE = 500


def selectors(citation, text):
    start, end = citation.start, citation.end
    if start is None:  # not anchored yet (bulk-loaded data): the first occurrence
        start = text.find(citation.quote)
        end = start + len(citation.quote)
    width = max(CONTEXT_CHARS, len(citation.prefix), len(citation.suffix))
    prefix, exact, suffix = surrounding_context(text, start, end, width)
    return [
        {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


def annotation(citation, absolute_url):
    event_url = absolute_url(citation.event.get_absolute_url())
    source = citation.source
    body = [
        {"type": "SpecificResource", "source": event_url, "purpose": "linking"},
        {"type": "TextualBody", "purpose": "tagging", "value": citation.stance},
    ]
    if citation.claimed_date:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "describing",
                "value": f"Date given: {citation.claimed_date} (EDTF); rank: {citation.rank}"
                + (f", because {citation.rank_reason}" if citation.rank_reason else ""),
            }
        )
    if citation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": citation.note})
    if citation.quote:
        target = {
            "type": "SpecificResource",
            "source": absolute_url(source.get_absolute_url()),
            "selector": selectors(citation, source.text),
        }
    else:
        body.append({"type": "TextualBody", "purpose": "identifying", "value": citation.locator})
        target = {"source": source.url or absolute_url(source.get_absolute_url())}
    return {
        "id": f"{event_url}#{citation.fragment}",
        "type": "Annotation",
        "motivation": "linking",
        "body": body,
        "target": target,
    }


def public_citations(ids):
    """The citations readers see of the events with `ids`, with their event and source."""
    # Citation.objects.public(), its condition on the event answered first: with it in
    # the query, SQLite walks every published event to find the chunk's.
    events = Event.objects.filter(pk__in=id_list(ids)).values_list("pk", "publication")
    published = [pk for pk, publication in events if publication == Publication.PUBLISHED]
    return (
        Citation.objects.filter(
            event__in=id_list(published), source__publication=Publication.PUBLISHED
        )
        .select_related("event", "source")
        .order_by("event__start_date", "event__slug", "source__slug", "start", "pk")
    )


def stream_annotations(ids, context):
    """The AnnotationCollection of the citations of the events with `ids` (in timeline
    order), as JSON text in pieces, a chunk of events at a time.

    `context` is the exports' ExportContext (title, absolute_url, filters).
    """
    query = urlencode(context.filters, doseq=True)
    path = reverse("relations:export", args=["annotations"]) + (f"?{query}" if query else "")
    parts = list(chunks(ids))
    head = {
        "@context": CONTEXT,
        "id": context.absolute_url(path),
        "type": "AnnotationCollection",
        "label": f"{context.title}: evidence",
        "total": sum(public_citations(part).count() for part in parts),
    }
    yield (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "first": {"type": "AnnotationPage", "items": ['
    )
    citations = (citation for part in parts for citation in public_citations(part))
    for index, citation in enumerate(citations):
        item = json.dumps(annotation(citation, context.absolute_url), ensure_ascii=False)
        yield ("\n" if index == 0 else ",\n") + item
    yield "\n]}}\n"
