import datetime as dt

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from relations.models import Citation, Event, Source
from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_event_end_before_start_is_invalid():
    event = EventFactory.build(start_date=dt.date(2024, 8, 22), end_date=dt.date(2024, 8, 21))
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "end_date" in excinfo.value.message_dict


def test_event_end_before_start_is_refused_by_the_database():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(end_date=event.start_date - dt.timedelta(days=1))


def test_event_with_month_precision_must_start_on_the_first():
    event = EventFactory.build(start_date=dt.date(2024, 8, 22), precision="month")
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "first day of the month" in str(excinfo.value.message_dict["start_date"])


def test_event_with_unknown_category_is_invalid():
    event = EventFactory.build(category="tourism")
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "category" in excinfo.value.message_dict


def test_event_date_display_follows_precision():
    assert EventFactory.build(start_date=dt.date(1992, 1, 1), precision="year").date_display == (
        "1992"
    )
    event = EventFactory.build(
        start_date=dt.date(2023, 8, 16), end_date=dt.date(2023, 8, 18), precision="day"
    )
    assert event.date_display == "16–18 August 2023"


def test_unreliable_source_needs_a_note_saying_why():
    source = SourceFactory.build(reliability=Source.Reliability.UNRELIABLE, reliability_note="")
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    assert "reliability_note" in excinfo.value.message_dict


def test_source_published_with_year_precision_is_stored_as_first_of_january():
    source = SourceFactory.build(published_on=dt.date(2023, 8, 16), published_precision="year")
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    assert "published_on" in excinfo.value.message_dict


def test_citation_quote_found_verbatim_is_valid():
    citation = CitationFactory.build(source=SourceFactory(), event=EventFactory())
    citation.full_clean()


def test_citation_quote_not_in_source_names_the_closest_passage():
    source = SourceFactory()
    citation = CitationFactory.build(
        source=source,
        event=EventFactory(),
        quote="They agreed to strengthen co-operation in trade and energy.",
    )
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    message = " ".join(excinfo.value.message_dict["quote"])
    assert "not found verbatim" in message
    assert "They agreed to strengthen cooperation in trade and energy." in message


def test_citation_quote_compares_apostrophes_exactly():
    source = SourceFactory(text="China is Belarus’s second-largest trading partner.")
    citation = CitationFactory.build(
        source=source, event=EventFactory(), quote="China is Belarus's second-largest"
    )
    with pytest.raises(ValidationError):
        citation.full_clean()


def test_same_quote_cannot_be_cited_twice_for_one_event():
    citation = CitationFactory()
    duplicate = Citation(event=citation.event, source=citation.source, quote=citation.quote)
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_independent_sources_count_rewrites_of_one_outlet_once():
    event = EventFactory()
    text = "A shared sentence."
    reuters_a = SourceFactory(publisher="Aggregator A", origin="Reuters", text=text)
    reuters_b = SourceFactory(publisher="Aggregator B", origin="Reuters", text=text)
    tass = SourceFactory(publisher="TASS", text=text)
    disputing = SourceFactory(publisher="Other", text=text)
    for source in (reuters_a, reuters_b, tass):
        CitationFactory(event=event, source=source, quote=text)
    CitationFactory(event=event, source=disputing, quote=text, stance=Citation.Stance.DISPUTES)

    (shown,) = Event.objects.filter(pk=event.pk).for_display()

    assert shown.independent_sources == 2


def test_natural_keys_round_trip_through_serialization():
    actor = ActorFactory(slug="belarus", name="Belarus")
    citation = CitationFactory(event=EventFactory(actors=[actor]))
    objects = [actor, citation.source, citation.event, citation]
    data = serializers.serialize(
        "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    Citation.objects.all().delete()
    Event.objects.all().delete()

    for deserialized in serializers.deserialize("json", data):
        deserialized.save()

    restored = Citation.objects.get_by_natural_key(
        citation.event.slug, citation.source.slug, citation.quote
    )
    assert restored.event.title == citation.event.title
    assert list(restored.event.actors.values_list("slug", flat=True)) == ["belarus"]
    assert Source.objects.get_by_natural_key(citation.source.slug) == citation.source


def found(text):
    return set(Event.objects.search(text).values_list("slug", flat=True))


def test_search_index_follows_title_edits_quotes_and_deletions():
    event = EventFactory(slug="kumquat", title="Kumquat harvest agreement", summary="Fruit.")
    assert found("kumquat") == {"kumquat"}
    assert found("HARVEST agree") == {"kumquat"}

    event.title = "Persimmon harvest agreement"
    event.save()
    assert found("kumquat") == set()
    assert found("persimmon") == {"kumquat"}

    source = SourceFactory(text="Officials praised the durian shipment.")
    citation = CitationFactory(event=event, source=source, quote="the durian shipment")
    assert found("durian") == {"kumquat"}
    citation.delete()
    assert found("durian") == set()

    event.delete()
    assert found("persimmon") == set()


def test_search_matches_substrings_and_short_words():
    EventFactory(slug="trade", title="Trade up 8.4% in Q3", summary="Exports rose.")
    EventFactory(slug="other", title="Unrelated", summary="Nothing.")
    assert found("xport") == {"trade"}
    assert found("Q3") == {"trade"}
    assert found("8.4% q3") == {"trade"}
    assert found('"quoted" words') == set()


def test_start_year_follows_the_start_date_however_it_is_given():
    event = Event.objects.create(
        slug="s", title="T", summary="S", start_date="2024-08-22", category="trade"
    )
    assert event.start_year == 2024
    event.start_date = dt.date(1992, 1, 20)
    event.save()
    assert Event.objects.get(pk=event.pk).start_year == 1992


def test_events_on_the_same_day_follow_each_other_in_slug_order():
    day = dt.date(2020, 5, 1)
    first, second, third = (EventFactory(slug=slug, start_date=day) for slug in "abc")
    EventFactory(slug="z-earlier-day", start_date=dt.date(2020, 4, 30))

    assert second.timeline_neighbours() == (first, third)
    assert first.timeline_neighbours()[0].slug == "z-earlier-day"
    assert third.timeline_neighbours()[1] is None


@pytest.mark.parametrize(
    ("field", "date"),
    [
        ("start_date", dt.date(24, 8, 22)),
        ("start_date", dt.date(9999, 1, 1)),
        ("end_date", dt.date(9999, 12, 31)),
    ],
)
def test_event_dates_outside_the_timeline_years_are_invalid(field, date):
    event = EventFactory.build(start_date=dt.date(2024, 1, 1), end_date=None)
    setattr(event, field, date)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert f"The year {date.year} is outside the years this timeline covers (1800 to 2100)" in str(
        excinfo.value.message_dict[field]
    )


def test_event_year_range_follows_the_settings(settings):
    settings.TIMELINE_YEAR_MIN = 1000
    EventFactory.build(start_date=dt.date(1054, 7, 16)).full_clean()
    settings.TIMELINE_YEAR_MAX = 2030
    with pytest.raises(ValidationError):
        EventFactory.build(start_date=dt.date(2031, 1, 1)).full_clean()


def test_source_published_outside_the_timeline_years_is_invalid():
    source = SourceFactory.build(published_on=dt.date(9999, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    assert "outside the years" in str(excinfo.value.message_dict["published_on"])


def test_an_event_without_any_date_is_refused_with_a_message_not_a_crash(db):
    event = Event(slug="no-date", title="No date", summary="…", category="diplomacy")
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "Give the date" in str(refused.value.message_dict)
