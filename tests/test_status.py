"""Statuses stored from the evidence rules, kept current, and overridden only with a reason."""

import pytest
from django.core.exceptions import ValidationError

from relations.models import Citation, Event, Source, TimelineVersion
from tests.factories import CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_status_follows_the_citations_as_they_are_added():
    event = EventFactory()
    assert (event.status, event.status_reason) == ("reported", "No citation yet.")
    CitationFactory(event=event, source=SourceFactory(publisher="Reuters"))
    CitationFactory(event=event, source=SourceFactory(publisher="BelTA"))
    event.refresh_from_db()
    assert event.status == "confirmed"
    assert event.status_reason == "2 independent origins, 2 rated reliable: BelTA, Reuters."


def test_rating_a_source_unreliable_downgrades_the_events_citing_it():
    event = EventFactory()
    reuters = SourceFactory(publisher="Reuters")
    CitationFactory(event=event, source=reuters)
    CitationFactory(event=event, source=SourceFactory(publisher="BelTA"))
    version = TimelineVersion.current()
    reuters.reliability = Source.Reliability.UNRELIABLE
    reuters.reliability_note = "Found to invent quotes."
    reuters.save()
    event.refresh_from_db()
    assert event.status == "reported"
    assert "Left out, rated unreliable: Reuters." in event.status_reason
    assert TimelineVersion.current() > version


def test_deleting_a_citation_updates_the_status():
    event = EventFactory()
    first = CitationFactory(event=event, source=SourceFactory(publisher="Reuters"))
    CitationFactory(event=event, source=SourceFactory(publisher="BelTA"))
    first.delete()
    event.refresh_from_db()
    assert event.status == "reported"


def test_an_override_needs_a_reason():
    event = EventFactory.build(status_override="disputed")
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "status_override_reason" in excinfo.value.message_dict


def test_confirmed_cannot_be_set_by_hand():
    event = EventFactory.build(status_override="confirmed", status_override_reason="Trust me.")
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "status_override" in excinfo.value.message_dict


def test_an_override_is_stored_as_the_editors_judgement_beside_the_rules_verdict():
    event = EventFactory()
    CitationFactory(event=event, source=SourceFactory(publisher="Reuters"))
    CitationFactory(event=event, source=SourceFactory(publisher="BelTA"))
    event.refresh_from_db()
    event.status_override = "disputed"
    event.status_override_reason = "Minsk denies the meeting took place."
    event.full_clean()
    event.save()
    event.refresh_from_db()
    assert event.status == "disputed"
    assert event.status_overridden
    assert event.status_reason == (
        "Editors' judgement: Minsk denies the meeting took place. (By the rules it would be "
        "confirmed: 2 independent origins, 2 rated reliable: BelTA, Reuters.)"
    )


def test_status_filter_uses_the_computed_status(client):
    confirmed = EventFactory(title="Two origins")
    CitationFactory(event=confirmed, source=SourceFactory(publisher="Reuters"))
    CitationFactory(event=confirmed, source=SourceFactory(publisher="BelTA"))
    EventFactory(title="Nothing yet")
    html = client.get("/?status=confirmed").content.decode()
    assert "Two origins" in html
    assert "Nothing yet" not in html


def test_independent_sources_leave_unreliable_sources_out():
    event = EventFactory()
    CitationFactory(event=event, source=SourceFactory(publisher="Reuters"))
    CitationFactory(event=event, source=SourceFactory(publisher="Farm", reliability="unreliable"))
    (counted,) = Event.objects.filter(pk=event.pk).for_display()
    assert (counted.independent_sources, counted.unreliable_sources) == (1, 1)


def test_fixture_exercise_is_not_confirmed_by_the_unreliable_explainer_alone(timeline):
    event = Event.objects.get(slug="eagle-assault-2024-exercise")
    explainer = Citation.objects.get(
        event=event, source__slug="chinese-troops-in-belarus-explainer"
    )
    assert not explainer.counts
    others = event.citations.exclude(pk=explainer.pk)
    assert event.status == "confirmed"
    counted = [c for c in others if c.counts]
    assert len({c.source.origin or c.source.publisher for c in counted}) >= 2
    assert any(c.source.reliability == "reliable" for c in counted)
    assert "Left out, rated unreliable: testops.teslarati.com" in event.status_reason


def test_fixture_belt_and_road_sits_at_the_astana_speech(timeline):
    event = Event.objects.get(slug="belt-and-road-initiative-announced")
    assert event.date_edtf == "2013-09-07"
    assert event.date_display == "7 September 2013"
    partnership = Event.objects.get(slug="comprehensive-strategic-partnership")
    assert event.timeline_neighbours()[0] == partnership


def test_fixture_statuses_are_what_the_rules_give(timeline):
    for event in Event.objects.all():
        assert (event.status, event.status_reason) == event.assess(), event.slug
