"""Search words: a cap, short words left to the index's judgement, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relations.models import Event
from relations.search import distinct_words, search_refusal, split_search
from tests.factories import EventFactory

HTMX = {"HX-Request": "true"}
HUNDRED_LETTERS = " ".join("abcdefghijklmnopqrstuvwxyz" * 4)[:199]


def test_repeated_words_and_words_inside_longer_ones_are_dropped():
    assert distinct_words("visit Visit VISIT vis minsk isi") == ["visit", "minsk"]


def test_short_words_are_left_out_beside_a_longer_word():
    words = split_search("EU x sanctions of")
    assert words.indexed == ("sanctions",)
    assert words.scanned == ()
    assert words.ignored == ("EU", "x", "of")


def test_short_words_alone_are_searched_for():
    assert split_search("EU UN").scanned == ("EU", "UN")


def test_searches_with_too_many_words_are_refused(settings):
    settings.TIMELINE_SEARCH_MAX_WORDS = 3
    assert search_refusal("one two three") is None
    assert "at most 3 different words" in search_refusal("one two three four")
    assert search_refusal("one one one one") is None


def test_searches_of_many_short_words_are_refused(settings):
    settings.TIMELINE_SEARCH_MAX_SHORT_WORDS = 3
    assert search_refusal("a b c") is None
    assert "Add a word of 3 or more letters" in search_refusal("a b c d")
    assert search_refusal("a b c d visit") is None
    assert "at most 20 different words" in search_refusal(HUNDRED_LETTERS)


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_many_one_letter_words_get_a_clear_400(client, headers):
    response = client.get("/", {"q": HUNDRED_LETTERS}, headers=headers)
    assert response.status_code == 400
    assert "Search for at most 20 different words" in response.content.decode()
    response = client.get("/", {"q": "a b c d"}, headers=headers)
    assert response.status_code == 400
    assert "Add a word of 3 or more letters" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/export/csv/", "/feed/"])
def test_downloads_refuse_the_same_searches(client, url):
    response = client.get(url, {"q": "a b c d"})
    assert response.status_code == 400
    assert "Add a word of 3 or more letters" in response.content.decode()


@pytest.mark.django_db
def test_the_page_says_which_short_words_it_left_out(client):
    EventFactory(title="EU sanctions on potash", publication="published")
    EventFactory(title="US sanctions on potash", publication="published")
    html = client.get("/", {"q": "EU sanctions"}).content.decode()
    assert "Showing 2 of 2 events." in html
    assert "left out beside longer ones: “EU”." in html


@pytest.mark.django_db
def test_short_words_on_their_own_still_find_events():
    EventFactory(slug="eu", title="EU sanctions on potash")
    EventFactory(slug="us", title="US sanctions on potash")
    assert list(Event.objects.search("EU").values_list("slug", flat=True)) == ["eu"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text", ["ЕС", "ес", "Ес", "МИНСК", "минск", "STRAßE", "strasse"], ids=lambda t: t
)
def test_words_in_any_alphabet_match_whatever_their_case(text):
    # SQLite's LIKE folded ASCII letters only: "ес" did not find "ЕС".
    EventFactory(slug="eu", title="ЕС и Минск: Straße")
    EventFactory(slug="other", title="Another event")
    assert list(Event.objects.search(text).values_list("slug", flat=True)) == ["eu"]


def scans_without_index(sql):
    """How many conditions of `sql` read each event's text rather than an index."""
    if connection.vendor == "sqlite":
        return sql.count("LIKE")
    return 0  # on PostgreSQL, checked with EXPLAIN below


@pytest.mark.django_db
def test_short_words_beside_a_longer_word_cost_no_scan():
    EventFactory(title="Minsk talks")
    with CaptureQueriesContext(connection) as queries:
        list(Event.objects.search("talks " + HUNDRED_LETTERS).values_list("pk", flat=True))
    (query,) = queries.captured_queries
    assert query["sql"].count("LIKE") <= 1  # PostgreSQL: the one indexed word; SQLite: none
    assert scans_without_index(query["sql"]) == 0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_postgresql_serves_every_searched_word_from_the_trigram_index():
    for n in range(50):
        EventFactory(title=f"Event number {n}", summary="Ministers meet.")
    qs = Event.objects.search("ministers number a b").values_list("pk", flat=True)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # With so few rows the planner would read them all; make it show what it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "relations_event_search_trgm" in plan
    assert "Seq Scan on relations_event" not in plan
    assert "'%a%'" not in plan  # the short words were left out, not scanned for


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")
def test_sqlite_serves_every_searched_word_from_the_fts_index():
    EventFactory(title="Ministers meet")
    qs = Event.objects.search("ministers meet a b").values_list("pk", flat=True)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan
    assert "LIKE" not in sql
