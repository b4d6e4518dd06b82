"""How free text becomes search words the indexes can serve.

The indexes (FTS5 with trigrams on SQLite, pg_trgm on PostgreSQL) find the
events containing a word of three or more characters; a shorter word can only
be matched by reading every event's text. So a search:

- may hold at most settings.TIMELINE_SEARCH_MAX_WORDS different words;
- ignores its words shorter than a trigram when it has a longer word, which the
  index serves (the page says which words it left out);
- made of short words only may hold at most TIMELINE_SEARCH_MAX_SHORT_WORDS,
  each a scan of every event.

Repeated words, and words contained in a longer word of the same search, are
dropped: every word must match anyway, so they change nothing.
"""

from dataclasses import dataclass

from django.conf import settings

TRIGRAM = 3


@dataclass(frozen=True)
class SearchWords:
    indexed: tuple[str, ...]  # found through the index
    scanned: tuple[str, ...]  # short words of a search without longer ones
    ignored: tuple[str, ...]  # short words left out because a longer word is there


def distinct_words(text):
    """The words of `text`, without repeats or words inside another word (case-insensitive)."""
    words = []
    for word in text.split():
        if word.upper() not in (seen.upper() for seen in words):
            words.append(word)
    return [
        word
        for word in words
        if not any(word.upper() in other.upper() and word != other for other in words)
    ]


def split_search(text):
    words = distinct_words(text)
    indexed = tuple(word for word in words if len(word) >= TRIGRAM)
    short = tuple(word for word in words if len(word) < TRIGRAM)
    if indexed:
        return SearchWords(indexed=indexed, scanned=(), ignored=short)
    return SearchWords(indexed=(), scanned=short, ignored=())


def search_refusal(text):
    """Why `text` cannot be searched for, or None."""
    words = distinct_words(text)
    limit = settings.TIMELINE_SEARCH_MAX_WORDS
    if len(words) > limit:
        return (
            f"Search for at most {limit} different words at a time; this search has "
            f"{len(words)}. Keep the most distinctive ones."
        )
    short_limit = settings.TIMELINE_SEARCH_MAX_SHORT_WORDS
    searched = split_search(text)
    if len(searched.scanned) > short_limit:
        return (
            f"Add a word of {TRIGRAM} or more letters: a search made only of shorter words "
            f"may have at most {short_limit} of them; this one has {len(searched.scanned)}."
        )
    return None
