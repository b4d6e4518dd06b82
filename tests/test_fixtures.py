import json
from pathlib import Path

import pytest
from django.core.management import call_command

from relations.models import Citation, Event, Source
from tests.conftest import FIXTURE

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

pytestmark = pytest.mark.django_db


def fixture_records(model):
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [r["fields"] for r in records if r["model"] == model]


def test_fixtures_load_with_loaddata(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    assert Event.objects.count() == len(fixture_records("relations.event"))


def test_fixtures_load_through_the_validating_importer(timeline):
    assert Source.objects.exclude(text="").count() == 3
    assert Event.objects.count() >= 9


def test_every_fixture_quote_is_verbatim_in_its_source_text():
    texts = {s["slug"]: s["text"] for s in fixture_records("relations.source")}
    for citation in fixture_records("relations.citation"):
        source_slug = citation["source"][0]
        assert citation["quote"] in texts[source_slug], citation["quote"]


def test_every_fixture_event_has_a_citation():
    cited = {c["event"][0] for c in fixture_records("relations.citation")}
    events = {e["slug"] for e in fixture_records("relations.event")}
    assert events <= cited


def test_source_texts_are_the_seed_articles_byte_for_byte():
    stored = [s for s in fixture_records("relations.source") if s["text"]]
    texts = sorted(s["text"].encode("utf-8") for s in stored)
    seeds = sorted(path.read_bytes() for path in SEEDS.glob("*.txt"))
    assert texts == seeds


def test_unreliable_source_is_marked_and_explained(timeline):
    explainer = Source.objects.get(slug="chinese-troops-in-belarus-explainer")
    assert explainer.reliability == Source.Reliability.UNRELIABLE
    assert "Borrell" in explainer.reliability_note
    assert "exercise" in explainer.reliability_note


def test_dates_the_articles_only_imply_carry_a_note(timeline):
    defence_visit = Event.objects.get(slug="li-shangfu-visits-belarus")
    assert "Wednesday" in defence_visit.date_note
    assert defence_visit.date_display == "16–18 August 2023"


@pytest.mark.parametrize(
    ("slug", "date_display"),
    [
        ("diplomatic-relations-established", "20 January 1992"),
        ("belt-and-road-initiative-announced", "7 September 2013"),
        ("comprehensive-strategic-partnership", "16 July 2013"),
        ("industrial-park-agreement", "18 September 2011"),
        ("li-shangfu-visits-belarus", "16–18 August 2023"),
        ("li-qiang-golovchenko-talks-minsk", "22 August 2024"),
        ("joint-statement-2024", "23 August 2024"),
        ("trade-2023-above-8-4-billion", "2023"),
        ("eagle-assault-2024-exercise", "8–19 July 2024"),
    ],
)
def test_required_events_are_in_the_fixtures(timeline, slug, date_display):
    assert Event.objects.get(slug=slug).date_display == date_display


def test_imported_fixtures_pass_model_validation(timeline):
    for citation in Citation.objects.select_related("source", "event"):
        citation.full_clean()
    for event in Event.objects.all():
        event.full_clean()
