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


def surrounding(text, quote, context=CONTEXT_CHARS, start=None):
    """The quote with up to `context` characters either side, cut at word boundaries.

    `start` is the quote's anchored position; without it, its first occurrence.
    """
    if not quote:
        return None
    if start is None or text[start : start + len(quote)] != quote:
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


def mark_citations(text, citations, number_of, window=None):
    """The text as HTML, each cited passage in a <mark> linked to its events.

    Overlapping quotes are merged into one mark that links to all of them;
    each quote's passage has the id `q-<start>-<end>` (stable across databases:
    the link to this quote), on its mark or where it starts inside a merged one.
    `number_of` maps a citation to the number it has in the list beside the text.
    Citations without a quote (of a reference) are skipped. `window` (start,
    end) limits the HTML to that stretch of the text, which must hold the quotes.
    """
    first, last = window or (0, len(text))
    spans = []
    for citation in citations:
        if not citation.quote:
            continue
        start = getattr(citation, "start", None)
        if start is None or text[start : start + len(citation.quote)] != citation.quote:
            start = text.find(citation.quote)
        if start >= 0:
            spans.append((start, start + len(citation.quote), citation))
    spans.sort(key=lambda span: (span[0], span[1]))

    parts, cursor, index = [], first, 0
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
    parts.append(escape(text[cursor:last]))
    return mark_safe("".join(parts))


@dataclass
class MarkedExcerpt:
    html: str
    clipped_start: bool
    clipped_end: bool


def marked_excerpts(text, citations, number_of, context=CONTEXT_CHARS):
    """What readers see of a stored third-party text: its cited passages, each in at most
    `context` characters either side, marked and anchored as mark_citations marks the
    whole text, so links to a quote reach it either way."""
    quoted = [citation for citation in citations if citation.quote]
    return [
        MarkedExcerpt(
            mark_citations(text, excerpt.citations, number_of, (excerpt.start, excerpt.end)),
            excerpt.clipped_start,
            excerpt.clipped_end,
        )
        for excerpt in excerpts(text, quoted, context)
        if excerpt.segments
    ]


def _marked(text, start, end, group, number_of):
    """One <mark> for quotes that overlap, with the id of the first (`q-<start>-<end>`), so
    that the link to that quote makes the passage itself the :target. Quotes merged into
    it have an empty anchor where they start, and highlight the mark they are in."""
    quote_ids = [f"q-{span_start}-{span_start + len(c.quote)}" for span_start, _, c in group]
    pieces, cursor, anchored = [], start, {quote_ids[0]}
    for (span_start, _, _), quote_id in zip(group, quote_ids, strict=True):
        if quote_id not in anchored:  # two events may cite the same passage: one anchor
            anchored.add(quote_id)
            pieces.append(escape(text[cursor:span_start]))
            pieces.append(format_html('<span id="{}" class="anchor"></span>', quote_id))
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
    return format_html(
        '<mark id="{}">{}</mark><sup>{}</sup>',
        quote_ids[0],
        mark_safe("".join(pieces)),
        mark_safe(links),
    )


# How much of a source the closest-passage search reads: about half a second of
# work, so a save with a misquote stays fast whatever the size of the source.
CLOSEST_PASSAGE_SCAN_LIMIT = 1_000_000


@dataclass
class CommonRun:
    """The longest stretch of `text` that also occurs in `quote`."""

    text_start: int
    quote_start: int
    length: int
    steps: int  # transitions followed while scanning: the work done


def longest_common_run(text, quote, limit=CLOSEST_PASSAGE_SCAN_LIMIT):
    """The longest common substring of text[:limit] and `quote`, earliest in `text`.

    A suffix automaton of the quote reads the text once, in time linear in
    len(text) + len(quote). difflib's SequenceMatcher, used before, compares
    every pair of positions: 3 s for a 1,000-character quote in a 300 KB text.
    """
    transitions, links, lengths = _suffix_automaton(quote)
    state = length = best = best_end = steps = 0
    for index, char in enumerate(text[:limit]):
        while state and char not in transitions[state]:
            state = links[state]
            length = lengths[state]
            steps += 1
        steps += 1
        target = transitions[state].get(char)
        if target is None:
            state = length = 0
            continue
        state = target
        length += 1
        if length > best:
            best, best_end = length, index + 1
    if not best:
        return CommonRun(0, 0, 0, steps)
    start = best_end - best
    return CommonRun(start, quote.find(text[start:best_end]), best, steps)


def _suffix_automaton(text):
    """(transitions, suffix links, lengths) of the automaton of every substring of `text`."""
    transitions, links, lengths = [{}], [-1], [0]
    last = 0
    for char in text:
        current = len(transitions)
        transitions.append({})
        lengths.append(lengths[last] + 1)
        links.append(0)
        state = last
        while state != -1 and char not in transitions[state]:
            transitions[state][char] = current
            state = links[state]
        if state != -1:
            target = transitions[state][char]
            if lengths[state] + 1 == lengths[target]:
                links[current] = target
            else:
                clone = len(transitions)
                transitions.append(dict(transitions[target]))
                lengths.append(lengths[state] + 1)
                links.append(links[target])
                while state != -1 and transitions[state].get(char) == target:
                    transitions[state][char] = clone
                    state = links[state]
                links[target] = links[current] = clone
        last = current
    return transitions, links, lengths


@dataclass
class Excerpt:
    """A stretch of a source's text holding one or more cited quotes."""

    segments: list  # [(text, marked)]
    citations: list
    clipped_start: bool
    clipped_end: bool
    start: int = 0  # where the stretch lies in the text
    end: int = 0


def excerpts(text, citations, context=CONTEXT_CHARS):
    """The citations' quotes in their surrounding text, overlapping stretches merged into one.

    Two quotes from one source a sentence apart read as one excerpt with two
    marks, not as two excerpts repeating each other.
    """
    windows, references = [], []
    for citation in citations:
        anchored = getattr(citation, "start", None)
        passage = surrounding(text, citation.quote, context, start=anchored)
        if passage is None:
            # A reference (a source without text) or a quote not found: no excerpt to show.
            references.append(Excerpt([], [citation], False, False))
            continue
        start = anchored
        if start is None or text[start : start + len(citation.quote)] != citation.quote:
            start = text.find(citation.quote)
        left = start - len(passage.before)
        right = start + len(citation.quote) + len(passage.after)
        windows.append([left, right, [(start, start + len(citation.quote))], [citation]])
    windows.sort(key=lambda window: window[0])
    merged = []
    for window in windows:
        if merged and window[0] <= merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], window[1])
            last[2] += window[2]
            last[3] += window[3]
        else:
            merged.append(window)
    result = []
    for left, right, quotes, cited in merged:
        segments, cursor = [], left
        for start, end in sorted(quotes):
            start = max(start, cursor)
            if start > cursor:
                segments.append((text[cursor:start], False))
            if end > start:
                segments.append((text[start:end], True))
            cursor = max(cursor, end)
        if right > cursor:
            segments.append((text[cursor:right], False))
        result.append(Excerpt(segments, cited, left > 0, right < len(text), left, right))
    return result + references
