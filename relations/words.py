"""An index of the whole words of the events' search documents, for the timeline's text search.

A search word is found wherever it occurs inside a search document, as part
of a longer word too ("ene" finds "energy"). SQLite's FTS5 trigram index and
PostgreSQL's pg_trgm index answer that by merging the lists of every trigram
of the word, with positions on SQLite, and checking each candidate: 20–45 ms
for a word found in a tenth of 100,000 events. But a search word holds no
space, so it always falls inside one word of the document (a run of
non-space characters, as `str.split` cuts them). Here each such word of the
documents is kept once, with the events whose document holds it, and a
search word is first matched against these words, a few thousand of them, then
read as their lists of events: under a millisecond for the same search. The
matching is the same substring match, so the answers are the same.

The lists are kept in pieces of BUCKET event ids (`SearchWord` rows, keyed by
word and bucket, the ids as 16-bit offsets), so that an edit rewrites a few
small rows, not the list of a word half the events hold. `EventWords` keeps
the words each event is indexed under, so that an edit knows which lists to
leave. Words longer than PIECE characters are kept as overlapping pieces, so
that any search word of up to STEP characters still falls inside one of them.

The index is refreshed for the events every write changed, by the read
model's one hook (relations/readmodel/writes.py); `migrate` indexes what is
missing or out of date (`refresh_stale`), and `stale()` names what differs
from a fresh index (manage.py check_read_model).
"""

from bisect import bisect_right
from collections import defaultdict
from itertools import islice

import numpy as np
from django.db import connection, transaction

from relations.held import PerVersion
from relations.models import Event, EventWords, SearchWord, lock_writers
from relations.models.derived import BUCKET_BITS, PIECE, STEP

CHUNK = 500  # values per IN (...) list
OFFSETS = np.dtype("<u2")


def words_of(document):
    """The distinct words of a (folded) search document; a word longer than PIECE as its
    pieces of PIECE characters every STEP, which hold every run of STEP characters."""
    found = set()
    for word in document.split():
        if len(word) <= PIECE:
            found.add(word)
        else:
            found.update(word[start : start + PIECE] for start in range(0, len(word) - STEP, STEP))
    return found


def joined(words):
    return " ".join(sorted(words))


def search(words, version):
    """Sorted ids (a NumPy array) of the events, draft or published, whose search document
    holds every one of `words` (folded), or None when a word is too long for the index.

    `version` is the data version the caller read first (TimelineVersion.current()).
    """
    if any(len(word) > STEP for word in words):
        return None
    known = vocabulary(version)
    holding = {word: known.containing(word) for word in set(words)}
    lists = _lists({held for found in holding.values() for held in found})
    found = None
    for word in sorted(holding, key=lambda word: len(holding[word])):
        ids = _union([part for held in holding[word] for part in lists.get(held, [])])
        found = ids if found is None else np.intersect1d(found, ids, assume_unique=True)
        if not len(found):
            break
    return found if found is not None else np.array([], dtype=np.int64)


class Vocabulary:
    """Every word of the index at data version `version`, in memory: a few thousand words
    (about 30 KB) at 100,000 events, searched in microseconds where the table took 1–2 ms."""

    def __init__(self, version):
        self.version = version
        # One row per word and bucket: each word once.
        words = SearchWord.objects.order_by("word").values_list("word", flat=True).distinct()
        self.words = list(words)
        # One string, each word after a newline, which no word holds: a search word
        # (no spaces either) found in it lies inside one word.
        self.starts, offset = [], 0
        for word in self.words:
            self.starts.append(offset)
            offset += len(word) + 1
        self.text = "\n".join(self.words)

    def containing(self, word):
        """The words of the index that hold `word`."""
        found, at = [], self.text.find(word)
        while at != -1:
            index = bisect_right(self.starts, at) - 1
            found.append(self.words[index])
            if index + 1 == len(self.starts):
                break
            at = self.text.find(word, self.starts[index + 1])
        return found


# The Vocabulary of a data version, read again when this process holds another's.
vocabulary = PerVersion(Vocabulary)
forget = vocabulary.forget


def _lists(words):
    """{word: [its ids, per bucket, as NumPy arrays]} of `words`, in one query (or one per
    CHUNK words), in SQL: the ORM's own work was half the cost of a one-word search."""
    lists = defaultdict(list)
    table = connection.ops.quote_name(SearchWord._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(words)):
            cursor.execute(
                f"SELECT word, bucket, events FROM {table} "
                f"WHERE word IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for word, bucket, events in cursor.fetchall():
                offsets = np.frombuffer(events, dtype=OFFSETS).astype(np.int64)
                lists[word].append(offsets + (bucket << BUCKET_BITS))
    return lists


def _union(parts):
    """Sorted distinct ids of the arrays `parts`."""
    if not parts:
        return np.array([], dtype=np.int64)
    if len(parts) == 1:
        return parts[0]
    # Several words of one event: a mask over the ids rather than a sort.
    ids = np.concatenate(parts)
    seen = np.zeros(int(ids.max()) + 1, dtype=bool)
    seen[ids] = True
    return np.flatnonzero(seen)


def refresh(ids):
    """Index again the events with `ids` (an iterable), as their search documents now are;
    an id with no event leaves the index."""
    by_bucket = defaultdict(list)
    for pk in {pk for pk in ids if pk is not None}:
        by_bucket[pk >> BUCKET_BITS].append(pk)
    for bucket in sorted(by_bucket):
        with transaction.atomic():
            # Two edits' refreshes, each locking rows in its own order across several
            # calls, can never wait for one another.
            lock_writers()
            _refresh_bucket(bucket, sorted(by_bucket[bucket]))


def _chunks(values):
    values = iter(values)
    while chunk := list(islice(values, CHUNK)):
        yield chunk


def _refresh_bucket(bucket, ids):
    # Lock the events' rows of the index first (one transaction at a time per event
    # on PostgreSQL; SQLite's transactions are one at a time anyway), then read the
    # documents as they are once the lock is held.
    EventWords.objects.bulk_create(
        [EventWords(event_id=pk, words="") for pk in ids], ignore_conflicts=True
    )
    old, new = {}, {}
    for chunk in _chunks(ids):
        rows = EventWords.objects.select_for_update().filter(event_id__in=chunk)
        old.update(rows.order_by("event_id").values_list("event_id", "words"))
        new.update(
            (pk, words_of(document))
            for pk, document in Event.objects.filter(pk__in=chunk).values_list(
                "pk", "search_document"
            )
        )
    added, removed = defaultdict(list), defaultdict(list)
    for pk in ids:
        before, after = set(old.get(pk, "").split()), new.get(pk, set())
        for word in after - before:
            added[word].append(pk - (bucket << BUCKET_BITS))
        for word in before - after:
            removed[word].append(pk - (bucket << BUCKET_BITS))
    changed = sorted(added.keys() | removed.keys())
    _write_lists(bucket, changed, added, removed)
    EventWords.objects.bulk_create(
        [EventWords(event_id=pk, words=joined(new[pk])) for pk in ids if pk in new],
        update_conflicts=True,
        unique_fields=["event_id"],
        update_fields=["words"],
        batch_size=CHUNK,
    )
    gone = [pk for pk in ids if pk not in new]
    for chunk in _chunks(gone):
        EventWords.objects.filter(event_id__in=chunk).delete()


def _write_lists(bucket, changed, added, removed):
    SearchWord.objects.bulk_create(
        [SearchWord(word=word, bucket=bucket, events=b"") for word in changed if word in added],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    rows = []
    for chunk in _chunks(changed):
        rows += SearchWord.objects.select_for_update().filter(bucket=bucket, word__in=chunk)
    emptied = []
    for row in rows:
        offsets = np.frombuffer(bytes(row.events), dtype=OFFSETS)
        if row.word in removed:
            offsets = np.setdiff1d(offsets, np.array(removed[row.word], dtype=OFFSETS))
        if row.word in added:
            offsets = np.union1d(offsets, np.array(added[row.word], dtype=OFFSETS))
        row.events = offsets.astype(OFFSETS).tobytes()
        if not len(offsets):
            emptied.append(row.pk)
    SearchWord.objects.bulk_create(
        [row for row in rows if row.events],
        update_conflicts=True,
        unique_fields=["word", "bucket"],
        update_fields=["events"],
        batch_size=CHUNK,
    )
    for chunk in _chunks(emptied):
        SearchWord.objects.filter(pk__in=chunk).delete()


def stale():
    """What differs between the index and a fresh one: [description], empty when none."""
    stored = dict(EventWords.objects.values_list("event_id", "words"))
    documents = Event.objects.order_by("pk").values_list("pk", "search_document")
    differences = []
    for pk, document in documents.iterator(chunk_size=2000):
        if stored.pop(pk, None) != joined(words_of(document)):
            differences.append(f"event {pk}: its indexed words are not its document's")
    differences += [f"event {pk}: indexed, but there is no such event" for pk in stored]
    held = defaultdict(set)  # {word: ids of the events indexed under it}
    for pk, words in EventWords.objects.values_list("event_id", "words").iterator(2000):
        for word in words.split():
            held[word].add(pk)
    listed = defaultdict(set)  # {word: ids in its stored lists}
    rows = SearchWord.objects.values_list("word", "bucket", "events").iterator(2000)
    for word, bucket, events in rows:
        offsets = np.frombuffer(events, dtype=OFFSETS).astype(np.int64)
        listed[word].update((offsets + (bucket << BUCKET_BITS)).tolist())
    for word in sorted(held.keys() | listed.keys()):
        if held.get(word, set()) != listed.get(word, set()):
            differences.append(f"word {word!r}: its list is not the events indexed under it")
    return differences


def rebuild():
    """Index every event again, from empty."""
    ids = list(Event.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        lock_writers()
        SearchWord.objects.all().delete()
        EventWords.objects.all().delete()
        refresh(ids)


def refresh_stale():
    """Index everything again if any event's words are missing or out of date, or an event
    that is gone is still indexed: the lists may then hold what no row of EventWords
    says, so they are rebuilt rather than patched. Otherwise it writes nothing."""
    stored = dict(EventWords.objects.values_list("event_id", "words"))
    documents = Event.objects.order_by("pk").values_list("pk", "search_document")
    ids, stale = [], False
    for pk, document in documents.iterator(chunk_size=2000):
        ids.append(pk)
        stale = stale or stored.pop(pk, None) != joined(words_of(document))
    if stale or stored:  # what is left in `stored` has no event
        with transaction.atomic():
            SearchWord.objects.all().delete()
            EventWords.objects.all().delete()
            refresh(ids)
