"""The read model (relations/readmodel) against a plain reading of the events, filter by filter."""

import calendar
import datetime as dt
import random
from collections import Counter

import pytest

from relations import readmodel
from relations.models import Event
from relations.readmodel import Criteria
from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory

WORDS = ["potash", "loan", "rail", "visit"]


@pytest.fixture
def events(db):
    rng = random.Random(3)
    actors = [ActorFactory(name=f"Actor {n}") for n in range(4)]
    sources = [SourceFactory(slug=f"source-{n}") for n in range(4)]
    for n in range(90):
        start = dt.date(rng.randint(1990, 2000), rng.randint(1, 12), rng.randint(1, 28))
        if n % 7 == 0:
            start = dt.date(1995, 6, 1)
        event = EventFactory(
            # Equal dates for some, so that the slug decides their order.
            slug=f"e-{rng.randint(0, 10**6):07d}-{n}",
            title=" ".join(rng.sample(WORDS, 2)),
            summary=rng.choice(["Ministers meet.", "A LOAN is signed.", "Rail freight."]),
            start_date=start,
            end_date=start + dt.timedelta(days=rng.choice([20, 400])) if n % 5 == 0 else None,
            category=rng.choice(Event.Category.values),
            publication="published" if n % 9 else "draft",
            actors=rng.sample(actors, rng.randint(0, 2)),
        )
        for source in rng.sample(sources, rng.randint(0, 2)):
            CitationFactory(event=event, source=source)
    return actors, sources


def published():
    return list(Event.objects.public().prefetch_related("actors", "citations"))


def expected(criteria, events=None):
    """The published events `criteria` selects, in its order, read one by one."""
    found = []
    for event in published() if events is None else events:
        end = max(event.end_date or event.start_date, event.start_date)
        text = f"{event.title} {event.summary}".casefold()
        if criteria.text and not all(w.casefold() in text for w in criteria.text.split()):
            continue
        if criteria.categories and event.category not in criteria.categories:
            continue
        if criteria.status and event.status != criteria.status:
            continue
        if criteria.actor and criteria.actor not in {a.pk for a in event.actors.all()}:
            continue
        if criteria.source and criteria.source not in {c.source_id for c in event.citations.all()}:
            continue
        if criteria.year_from is not None and end.year < criteria.year_from:
            continue
        if criteria.year_to is not None and event.start_date.year > criteria.year_to:
            continue
        if criteria.month:
            year, month = criteria.year_from, criteria.month
            first = dt.date(year, month, 1)
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            if event.start_date > last or end < first:
                continue
        found.append(event)
    if criteria.order == "updated":
        found.sort(key=lambda event: event.slug)
        found.sort(key=lambda event: event.updated_at, reverse=True)
    else:
        found.sort(key=lambda event: (event.start_date, event.slug))
        if criteria.order == "newest":
            found.reverse()
    return found


def draws(actors, sources, count=120):
    """Criteria as readers combine them: every filter, alone and together, with text."""
    rng = random.Random(5)
    for _ in range(count):
        year = rng.randint(1989, 2001)
        window = rng.choice(
            [{}, {"year_from": year}, {"year_to": year}, {"year_from": year, "year_to": year + 2},
             {"year_from": year, "year_to": year, "month": rng.randint(1, 12)}]
        )  # fmt: skip
        yield Criteria(
            text=rng.choice(["", "", "loan", "RAIL potash", "nothing-matches"]),
            categories=tuple(sorted(rng.sample(Event.Category.values, rng.choice([0, 0, 1, 2])))),
            status=rng.choice([None, None, *Event.Status.values]),
            actor=rng.choice([None, None, *(actor.pk for actor in actors)]),
            source=rng.choice([None, None, *(source.pk for source in sources)]),
            order=rng.choice(["timeline", "newest", "updated"]),
            **window,
        )


def test_every_filter_and_combination_finds_what_reading_the_events_finds(events):
    actors, sources = events
    everything = published()
    for criteria in draws(actors, sources):
        result = readmodel.query(criteria)
        wanted = expected(criteria, everything)
        assert list(result.ids) == [event.pk for event in wanted], criteria
        assert result.ids[2:5] == [event.pk for event in wanted][2:5]
        years = Counter(event.start_date.year for event in wanted)
        assert result.year_counts() == sorted(years.items()), criteria


def test_the_extent_is_the_matches_whatever_the_window(events):
    actors, _ = events
    criteria = Criteria(actor=actors[0].pk, year_from=1996, year_to=1996)
    unwindowed = expected(criteria.without_window())
    first = unwindowed[0].start_date
    last = max(max(e.end_date or e.start_date, e.start_date) for e in unwindowed)
    assert readmodel.query(criteria).extent() == (first, last)


def test_month_and_day_counts_put_events_begun_before_the_window_first(events):
    criteria = Criteria(year_from=1995, year_to=1995)
    months = Counter(
        0 if event.start_date.year < 1995 else event.start_date.month - 1
        for event in expected(criteria)
    )
    assert readmodel.query(criteria).month_counts(1995) == sorted(months.items())
    criteria = Criteria(year_from=1995, year_to=1995, month=6)
    days = Counter(
        0 if event.start_date < dt.date(1995, 6, 1) else event.start_date.day - 1
        for event in expected(criteria)
    )
    assert readmodel.query(criteria).day_counts(1995, 6) == sorted(days.items())


def test_option_counts_follow_the_other_filters(events):
    actors, _ = events
    criteria = Criteria(categories=("trade",), actor=actors[1].pk, year_from=1994)
    result = readmodel.query(criteria)
    assert result.option_counts("category") == dict(
        Counter(event.category for event in expected(criteria.without("categories")))
    )
    assert result.option_counts("status") == dict(
        Counter(event.status for event in expected(criteria))
    )
    others = expected(criteria.without("actor"))
    assert result.option_counts("actor") == dict(
        Counter(actor.pk for event in others for actor in event.actors.all())
    )
    cited = Counter(
        source_id
        for event in expected(criteria)
        for source_id in {citation.source_id for citation in event.citations.all()}
    )
    assert result.option_counts("source") == dict(cited)


EACH_WAY = [
    Criteria(),  # the totals
    # From the year cube, with the events begun earlier that reach into the years:
    Criteria(categories=("trade", "energy")),
    Criteria(status="confirmed"),
    Criteria(categories=("security",), status="reported"),
    Criteria(year_from=1996, year_to=1996),
    Criteria(year_from=1991),
    Criteria(year_to=1993),
    Criteria(categories=("trade", "diplomacy"), year_from=1995, year_to=1998),
    Criteria(year_from=1980, year_to=1985),
    Criteria(year_from=2005),
    # Counted event by event: few events in the mask, or most (from those out of it).
    Criteria(year_from=1995, year_to=1995, month=6),
    Criteria(categories=("diplomacy",), year_to=1997, text="loan"),
    Criteria(text="rail"),
]


@pytest.mark.parametrize("name", ["category", "status", "actor", "source"])
def test_option_counts_read_each_way_equal_a_plain_count(events, name):
    actors, sources = events
    by_actor_or_source = [
        Criteria(actor=actors[0].pk, year_from=1994),
        Criteria(source=sources[1].pk, categories=("trade",)),
    ]
    for criteria in [*EACH_WAY, *by_actor_or_source]:
        assert_counts_equal_a_plain_count(events, criteria, name)


def assert_counts_equal_a_plain_count(events, criteria, name):
    actors, sources = events
    result = readmodel.query(criteria)
    others = expected(criteria.without({"category": "categories"}.get(name, name)))
    if name == "actor":
        plain = Counter(actor.pk for event in others for actor in event.actors.all())
        options = [actor.pk for actor in actors]
    elif name == "source":
        plain = Counter(
            source_id
            for event in others
            for source_id in {citation.source_id for citation in event.citations.all()}
        )
        options = [source.pk for source in sources]
    else:
        plain = Counter(getattr(event, name) for event in others)
        options = list(getattr(Event, name.capitalize()).values)

    assert result.option_counts(name) == dict(plain), criteria
    unknown = max(options) + 1000 if name in ("actor", "source") else "unknown"
    assert result.option_counts_of(name, [*options, unknown]) == [
        *(plain[option] for option in options),
        0,
    ]


def test_a_draft_and_its_links_are_left_out(events):
    _, sources = events
    draft = Event.objects.drafts().first()
    CitationFactory(event=draft, source=sources[0])
    result = readmodel.query(Criteria(source=sources[0].pk))
    assert draft.pk not in list(result.ids)


def test_a_month_needs_one_year():
    with pytest.raises(ValueError):
        Criteria(year_from=1990, year_to=1991, month=3)


def test_an_events_neighbours_and_related_events_are_what_the_database_finds(events):
    """Same-day events (ordered by slug), spans and drafts among them."""
    for event in Event.objects.prefetch_related("actors"):
        around = readmodel.around(event)
        if event.publication != "published":
            assert around is None
            continue
        before, after = event.timeline_neighbours()
        related = Event.objects.public().related_to(event)
        assert around == (
            before and before.pk,
            after and after.pk,
            [other.pk for other in related],
        ), event.slug
