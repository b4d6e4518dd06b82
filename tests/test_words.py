"""The index of whole words (relations/words.py): kept in step with every write, and answering
as the database's own substring search does."""

import random

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from relations import words
from relations.models import Event, EventWords, SearchWord, Source, TimelineVersion
from relations.models.derived import BUCKET, PIECE, STEP
from relations.readmodel.text import matching_ids as search_ids
from tests.factories import CitationFactory, EventFactory, SourceFactory


def indexed():
    """{(word, event id)} as the index holds them."""
    pairs = set()
    for word, bucket, events in SearchWord.objects.values_list("word", "bucket", "events"):
        offsets = np.frombuffer(bytes(events), dtype=words.OFFSETS)
        assert len(offsets), f"an empty list is left for “{word}”"
        assert list(offsets) == sorted(set(offsets))
        pairs.update((word, int(offset) + bucket * BUCKET) for offset in offsets)
    return pairs


def expected():
    """{(word, event id)} as the events' search documents are now."""
    return {
        (word, pk)
        for pk, document in Event.objects.values_list("pk", "search_document")
        for word in words.words_of(document)
    }


def assert_current():
    assert indexed() == expected()
    stored = dict(EventWords.objects.values_list("event_id", "words"))
    documents = dict(Event.objects.values_list("pk", "search_document"))
    assert stored == {pk: words.joined(words.words_of(doc)) for pk, doc in documents.items()}


def database_search(word):
    """Ids of the events the database's substring search finds (FTS5 or pg_trgm)."""
    return sorted(Event.objects.search(word).values_list("pk", flat=True))


def index_search(word):
    found = words.search([word.casefold()], TimelineVersion.current())
    return None if found is None else found.tolist()


@pytest.fixture
def events(db):
    return [
        EventFactory(slug="loan", title="A state LOAN for the Great Stone park", summary="Signed."),
        EventFactory(slug="potash", title="Potash shipments via Klaipėda", summary="Straße."),
        EventFactory(slug="visit", title="Визит в Минск", summary="ЕС и Китай (2015)."),
    ]


def test_saves_and_deletes_of_events_citations_and_sources_keep_the_index_current(events):
    assert_current()
    loan, potash, _ = events
    loan.title = "A renamed credit line"
    loan.save()
    assert_current()
    assert index_search("loan") == []

    source = SourceFactory(text="They signed a memorandum on fertiliser logistics.")
    citation = CitationFactory(
        event=potash, source=source, quote="signed a memorandum on fertiliser"
    )
    assert_current()
    assert index_search("fertiliser") == [potash.pk]
    source.publication = Source.Publication.DRAFT  # its quotes leave the search documents
    source.save()
    assert_current()
    assert index_search("fertiliser") == []
    source.publication = Source.Publication.PUBLISHED
    source.save()
    citation.delete()
    assert_current()
    assert index_search("fertiliser") == []

    potash.delete()
    assert_current()
    assert not EventWords.objects.filter(event_id=potash.pk).exists()


def test_queryset_update_bulk_create_and_bulk_update_keep_the_index_current(events):
    Event.objects.filter(slug="loan").update(title="written in bulk")
    assert_current()
    made = Event.objects.bulk_create(
        [EventFactory.build(slug=f"bulk-{n}", title=f"bulk word{n}") for n in range(3)]
    )
    assert_current()
    for event in made:
        event.summary = "changed again"
    Event.objects.bulk_update(made, ["summary"])
    assert_current()
    assert index_search("again") == sorted(event.pk for event in made)
    Event.objects.filter(slug__startswith="bulk-").delete()
    assert_current()


def test_migrate_indexes_what_raw_sql_changed_and_drops_what_is_gone(events):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE relations_event SET search_document = 'behind its back'")
        cursor.execute("DELETE FROM relations_eventwords WHERE event_id = %s", [events[0].pk])
    EventWords.objects.create(event_id=10**6, words="gone")
    SearchWord.objects.create(word="gone", bucket=10**6 // BUCKET, events=b"\x01\x00")
    assert indexed() != expected()
    call_command("migrate", verbosity=0)
    assert_current()


def test_lists_are_kept_in_buckets_of_ids(db):
    first = EventFactory(title="A bucketed word")
    far = EventFactory(pk=first.pk + 3 * BUCKET + 5, slug="far", title="Another bucketed word")
    assert SearchWord.objects.filter(word="bucketed").count() == 2
    assert index_search("bucket") == [first.pk, far.pk]
    far.delete()
    assert SearchWord.objects.filter(word="bucketed").count() == 1
    assert_current()


SAMPLES = ["loan", "LOAN", "oan", "stone park", "klaipėda", "ipė", "STRASSE", "strasse",
           "минск", "ес", "(2015)", "2015).", "signed.", "nothing", "a", "e"]  # fmt: skip


@pytest.mark.parametrize("text", SAMPLES)
def test_a_search_finds_what_the_database_finds(events, text):
    """Whole words or parts, any case or alphabet, punctuation, several words, short words."""
    ids = search_ids(text, TimelineVersion.current())
    assert sorted(np.asarray(ids).tolist()) == database_search(text)


def test_random_words_and_their_parts_are_found_as_the_database_finds_them(db):
    rng = random.Random(5)
    alphabet = "abcdeéßΣσ-.,()"
    for n in range(40):
        document = " ".join(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
            for _ in range(rng.randint(1, 12))
        )
        EventFactory(slug=f"random-{n}", title=document, summary="")
    documents = list(Event.objects.values_list("search_document", flat=True))
    assert_current()
    for _ in range(150):
        tokens = rng.choice(documents).split()
        token = rng.choice(tokens)
        start = rng.randrange(len(token))
        part = token[start : start + rng.randint(3, 8)]
        if len(part) < 3:
            continue
        assert index_search(part) == database_search(part), part


def test_words_longer_than_a_piece_are_found_across_the_pieces(db):
    rng = random.Random(8)
    long_word = "".join(rng.choice("abcdefgh") for _ in range(3 * PIECE + 17))
    event = EventFactory(title="Begins", summary=f"{long_word} ends")  # longer than a title
    assert max(len(word) for word, _ in indexed()) == PIECE
    for start in [0, STEP - 1, STEP, PIECE - 3, 2 * PIECE + 1, len(long_word) - STEP]:
        part = long_word[start : start + STEP]
        assert index_search(part) == [event.pk], start
    assert index_search(long_word[5 : 4 + STEP] + "z") == []


def test_a_word_longer_than_the_index_serves_is_searched_in_the_database(db):
    word = "x" * (STEP + 1)
    event = EventFactory(title=f"A very long {word}", summary="")
    assert index_search(word) is None
    assert list(search_ids(word, TimelineVersion.current())) == [event.pk]


def test_a_new_word_is_found_after_the_edit_that_brings_it(events):
    version = TimelineVersion.current()
    assert index_search("zanzibar") == []
    EventFactory(slug="new", title="Zanzibar")
    assert TimelineVersion.current() != version
    assert len(index_search("zanzibar")) == 1
