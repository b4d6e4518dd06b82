"""Candidate events in a stored text: its dated sentences, with the actors they name,
a guessed category and the existing event each probably refers to.

Nothing here saves anything: the editor chooses what becomes a citation or an
event (relations/editing/proposals.py).
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from relations.editing.textdates import FoundDate, find_dates

# A sentence ends at . ! ? (and their CJK forms) followed by space, or at a line break.
SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"'”’)]*\s+|\n+")
ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "U.S.", "U.K.", "e.g.", "i.e.", "No.", "Gen.")

# Words that suggest each category; the first category wins a tie.
CATEGORY_WORDS = {
    "security": r"militar\w*|defen[cs]e\w*|troops?|army|armed|exercises?|soldiers?|weapons?|"
    r"drills?|security|counter-terror\w*",
    "trade": r"trade|exports?|imports?|tariffs?|customs|goods|commerce|market access",
    "energy": r"energy|oil|gas|nuclear|power plants?|electricity|pipelines?",
    "finance": r"loans?|banks?|credit|finance|financial|yuan|investment fund|currency",
    "infrastructure": r"belt and road|\bBRI\b|railways?|industrial park|great stone|logistics|"
    r"infrastructure|highway",
    "multilateral": r"\bSCO\b|shanghai cooperation|BRICS|united nations|\bUN\b|summit of",
    "diplomacy": r"visit\w*|talks|met\b|meeting|relations|ambassador\w*|diplomatic\w*|"
    r"agree\w*|statement|treaty|ties",
}
CATEGORY_PATTERNS = {
    category: re.compile(rf"\b(?:{words})", re.I) for category, words in CATEGORY_WORDS.items()
}

MATCH_THRESHOLD = 0.25


@dataclass
class Proposal:
    start: int  # offsets of the sentence in the source text
    end: int
    sentence: str
    dates: list[FoundDate]
    actors: list = field(default_factory=list)
    category: str = "diplomacy"
    matches: list = field(default_factory=list)  # [(event, score)], best first

    @property
    def date(self):
        """The sentence's main date: the first one stated outright, else the first inferred."""
        stated = [found for found in self.dates if not found.inferred]
        return (stated or self.dates)[0]

    @property
    def best_match(self):
        return self.matches[0][0] if self.matches else None


def sentences(text):
    """[(start, end)] of each sentence in `text`, without surrounding whitespace."""
    spans, start = [], 0
    for boundary in SENTENCE_END.finditer(text):
        candidate = text[start : boundary.start()]
        if candidate.rstrip().endswith(ABBREVIATIONS):
            continue
        spans.append((start, boundary.start()))
        start = boundary.end()
    spans.append((start, len(text)))
    result = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            result.append((begin, end))
    return result


def actor_pattern(name):
    """A whole-word match of `name`; names in scripts without spaces match anywhere."""
    escaped = re.escape(name)
    if re.search(r"[\u3040-\u9fff]", name):
        return re.compile(escaped)
    if re.search(r"[\u0400-\u04ff]", name) and len(name) >= 5:
        # Russian inflects names: Беларусь, Беларуси, Беларусью share the stem.
        return re.compile(rf"(?<!\w){re.escape(name[:-1])}\w{{0,3}}(?!\w)", re.I)
    return re.compile(rf"(?<!\w){escaped}(?!\w)")


def actor_patterns(actors):
    patterns = []
    for actor in actors:
        names = actor.names if hasattr(actor, "names") else [actor.name]
        patterns.append((actor, [actor_pattern(name) for name in names if name]))
    return patterns


def actors_named(sentence, patterns):
    return [actor for actor, compiled in patterns if any(p.search(sentence) for p in compiled)]


def guess_category(sentence):
    counts = {
        category: len(pattern.findall(sentence)) for category, pattern in CATEGORY_PATTERNS.items()
    }
    best = max(counts, key=lambda category: counts[category])
    return best if counts[best] else "diplomacy"


def words(text):
    return {word for word in re.findall(r"\w{3,}", text.lower())}


def similarity(sentence, event):
    """How much the sentence reads like the event: shared words and a fuzzy title match."""
    title = event.title.lower()
    overlap = words(sentence) & words(f"{event.title} {event.summary}")
    word_score = len(overlap) / max(1, len(words(event.title) | words(event.summary)) ** 0.5 * 3)
    fuzzy = SequenceMatcher(None, sentence.lower(), title, autojunk=False).ratio()
    return min(1.0, word_score + fuzzy / 2)


def overlaps(found, event):
    earliest, latest = found.span
    event_end = event_span_end(event)
    return event.start_date <= latest and earliest <= event_end


def event_span_end(event):
    return FoundDate(0, 0, "", event.start_date, event.end_date, event.precision, False).span[1]


def probable_events(found_dates, sentence, actors, candidates):
    """[(event, score)] of events whose dates overlap the sentence's, most alike first."""
    scored = []
    actor_ids = {actor.pk for actor in actors}
    main = ([found for found in found_dates if not found.inferred] or found_dates)[0]
    for event in candidates:
        if not any(overlaps(found, event) for found in found_dates):
            continue
        score = similarity(sentence, event)
        shared = actor_ids & {actor.pk for actor in event.actors.all()}
        score += 0.1 * len(shared)
        if score >= MATCH_THRESHOLD:
            scored.append((event, round(score, 2), overlaps(main, event)))
    # Events at the sentence's main date come first: "dates back to 1992, shortly after
    # independence in 1991" is about 1992, however alike a 1991 event reads.
    scored.sort(key=lambda match: (not match[2], -match[1]))
    return [(event, score) for event, score, _ in scored[:3]]


def propose(text, published_on, actors, events, published_precision="day"):
    """The dated sentences of `text` as Proposals, in text order."""
    patterns = actor_patterns(actors)
    events = list(events)
    proposals = []
    for start, end in sentences(text):
        sentence = text[start:end]
        found = find_dates(sentence, published_on, published_precision)
        if not found:
            continue
        named = actors_named(sentence, patterns)
        proposals.append(
            Proposal(
                start=start,
                end=end,
                sentence=sentence,
                dates=found,
                actors=named,
                category=guess_category(sentence),
                matches=probable_events(found, sentence, named, events),
            )
        )
    return proposals
