"""Quotes shown inside their source text."""

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

CONTEXT_CHARS = 160


@dataclass
class Passage:
    before: str
    quote: str
    after: str
    clipped_start: bool
    clipped_end: bool


def surrounding(text, quote, context=CONTEXT_CHARS):
    """The quote with up to `context` characters either side, cut at word boundaries."""
    start = text.find(quote)
    if start < 0:
        return None
    end = start + len(quote)
    left = max(0, start - context)
    right = min(len(text), end + context)
    while 0 < left < start and not text[left - 1].isspace():
        left += 1
    while end < right < len(text) and not text[right].isspace():
        right -= 1
    return Passage(
        before=text[left:start],
        quote=quote,
        after=text[end:right],
        clipped_start=left > 0,
        clipped_end=right < len(text),
    )


def mark_citations(text, citations, number_of):
    """The text as HTML, each cited passage in a <mark> linked to its events.

    Overlapping quotes are merged into one mark that links to all of them;
    every citation gets an anchor `citation-<pk>` where its quote starts.
    `number_of` maps a citation to the number it has in the list beside the text.
    """
    spans = []
    for citation in citations:
        start = text.find(citation.quote)
        if start >= 0:
            spans.append((start, start + len(citation.quote), citation))
    spans.sort(key=lambda span: (span[0], span[1]))

    parts, cursor, index = [], 0, 0
    while index < len(spans):
        start, end, _ = spans[index]
        group = []
        while index < len(spans) and spans[index][0] < end:
            end = max(end, spans[index][1])
            group.append(spans[index])
            index += 1
        parts.append(escape(text[cursor:start]))
        parts.append(_marked(text, start, end, group, number_of))
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))


def _marked(text, start, end, group, number_of):
    pieces, cursor = [], start
    for span_start, _, citation in group:
        pieces.append(escape(text[cursor:span_start]))
        pieces.append(format_html('<span id="citation-{}" class="anchor"></span>', citation.pk))
        cursor = span_start
    pieces.append(escape(text[cursor:end]))
    links = "".join(
        format_html(
            '<a class="cite-ref" href="#ref-{}" title="{}">[{}]</a>',
            citation.pk,
            citation.event.title,
            number_of[citation.pk],
        )
        for _, _, citation in group
    )
    return format_html("<mark>{}</mark><sup>{}</sup>", mark_safe("".join(pieces)), mark_safe(links))
