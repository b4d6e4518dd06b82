import datetime as dt

import pytest

from relations.editing.candidates import (
    actor_patterns,
    actors_named,
    guess_category,
    propose,
    sentences,
)
from relations.editing.proposals import source_proposals
from relations.models import Source
from tests.factories import ActorFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def belarus():
    return ActorFactory(name="Belarus", slug="belarus-test", aliases="Беларусь\n白俄罗斯\nMinsk")


@pytest.fixture
def lukashenko():
    return ActorFactory(name="Alexander Lukashenko", aliases="Лукашенко\nAleksandr Lukashenko")


@pytest.mark.parametrize(
    "sentence",
    [
        "Belarus signed the agreement.",
        "Президент Беларуси подписал соглашение.",  # an inflected Russian form
        "白俄罗斯总统访问中国。",
        "Talks were held in Minsk.",
    ],
)
def test_actors_are_found_by_name_or_alias_in_any_script(sentence, belarus):
    assert actors_named(sentence, actor_patterns([belarus])) == [belarus]


def test_actors_match_whole_words_only(belarus, lukashenko):
    patterns = actor_patterns([belarus, lukashenko])
    assert actors_named("Belarusian officials met.", patterns) == []
    assert actors_named("Лукашенко встретился с делегацией.", patterns) == [lukashenko]


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("The defence ministers watched the joint military exercise.", "security"),
        ("Bilateral trade and exports grew.", "trade"),
        ("Belarus joined the Belt and Road Initiative.", "infrastructure"),
        ("The leaders held talks.", "diplomacy"),
    ],
)
def test_category_is_guessed_from_the_words(sentence, category):
    assert guess_category(sentence) == category


def test_sentences_keep_exact_offsets_and_skip_abbreviations():
    text = "Mr. Li arrived on Monday. He met officials.\nA new paragraph!"
    spans = sentences(text)
    assert [text[start:end] for start, end in spans] == [
        "Mr. Li arrived on Monday.",
        "He met officials.",
        "A new paragraph!",
    ]


def test_the_seed_article_proposes_the_1992_ties_and_the_august_2024_talks(timeline):
    source = Source.objects.get(slug="theworldnews-2024-08-23-china-belarus-cooperation")
    proposals = source_proposals(source)
    by_year = {}
    for proposal in proposals:
        assert source.text[proposal.start : proposal.end] == proposal.sentence
        by_year.setdefault(proposal.date.date.year, []).append(proposal)

    [ties] = [p for p in by_year[1992] if "1992" in p.sentence]
    assert ties.best_match.slug == "diplomatic-relations-established"
    talks = [p for p in by_year[2024] if "August 22, 2024" in p.sentence]
    assert talks and talks[0].date.date == dt.date(2024, 8, 22)
    assert talks[0].best_match.slug == "li-qiang-golovchenko-talks-minsk"
    assert {actor.name for actor in talks[0].actors} >= {"Li Qiang", "Roman Golovchenko"}


def test_the_defence_visit_article_infers_the_day_from_wednesday(timeline):
    source = Source.objects.get(slug="idn-2023-08-china-defence-minister-in-belarus")
    [visit] = [p for p in source_proposals(source) if "on Wednesday" in p.sentence]
    assert visit.date.inferred
    assert visit.category == "security"


def test_every_seed_article_has_dated_proposals(timeline):
    for source in Source.objects.exclude(text=""):  # references keep no text to read
        assert source_proposals(source), source.slug


def test_an_event_at_the_sentences_main_date_comes_before_one_at_a_date_it_mentions():
    recognition = EventFactory(
        title="Shortly after Belarus gained independence, China recognises it",
        summary="The partnership dates back to this, shortly after Belarus gained independence.",
        start_date=dt.date(1991, 12, 27),
    )
    ties = EventFactory(
        title="Diplomatic relations: the partnership begins",
        summary="The partnership of China and Belarus dates back to these ties.",
        start_date=dt.date(1992, 1, 20),
    )
    sentence = (
        "The partnership dates back to 1992, shortly after Belarus gained independence in 1991."
    )
    [proposal] = propose(sentence, dt.date(2024, 8, 23), [], [recognition, ties])
    assert proposal.date.date.year == 1992
    assert [event for event, _ in proposal.matches] == [ties, recognition]
