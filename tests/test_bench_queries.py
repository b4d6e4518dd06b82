"""The benchmark's random queries (bench/combos.py) are ones the timeline accepts, so
that `make bench` times answers, not 400s."""

import sys
from pathlib import Path

import pytest

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import combos

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    actors = ActorFactory.create_batch(3)
    sources = SourceFactory.create_batch(3)
    for actor, source in zip(actors, sources, strict=True):
        CitationFactory(event=EventFactory(actors=[actor]), source=source)
    return combos.Seeded(
        actors=[a.slug for a in actors], sources=[s.slug for s in sources], events=100_000
    )


@pytest.mark.parametrize("kind", combos.KINDS)
def test_every_query_of_a_kind_uses_it_and_is_accepted(client, seeded, kind):
    names = {"years": ("year_from", "year_to"), "text": ("q",)}.get(kind, (kind,))
    for path in combos.for_kind(kind, 12, seeded):
        assert any(f"{name}=" in path for name in names), path
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 200, (path, response.content[:500])


def test_mixed_queries_full_pages_and_filtered_exports_are_accepted(client, seeded):
    for path in combos.mixed(20, seeded) + combos.filtered_exports(12, seeded):
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:500])


def test_the_same_seed_gives_the_same_distinct_queries(seeded):
    first = combos.for_kind("month", 200, seeded)
    assert first == combos.for_kind("month", 200, seeded)
    assert len(set(first)) == 200
    assert all("month=" in path for path in first)
