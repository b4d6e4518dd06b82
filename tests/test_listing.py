"""The rendered list items (relations/listing.py) against the events they show, after each write."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import set_script_prefix

from relations import listing
from relations.models import Event, EventListing, Source
from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory

HTMX = {"HX-Request": "true"}


def stale():
    """Slugs of the events whose stored item is not what rendering them now gives."""
    fresh = listing._rendered(Event.objects.values_list("pk", flat=True))
    stored = {
        row.event_id: (row.year, row.html)
        for row in EventListing.objects.filter(format=listing._format())
    }
    differ = [pk for pk in fresh if stored.get(pk) != fresh[pk]]
    gone = set(stored) - set(fresh)
    return sorted(Event.objects.filter(pk__in=differ).values_list("slug", flat=True)), gone


def item(slug):
    return EventListing.objects.get(event_id=Event.objects.get(slug=slug).pk).html


@pytest.fixture
def events(db):
    minister, ministry = ActorFactory(name="A minister"), ActorFactory(name="A ministry")
    made = [
        EventFactory(slug=f"e-{n}", start_date=dt.date(2000 + n, 1, 1), actors=[minister])
        for n in range(4)
    ]
    made[1].actors.add(ministry)
    CitationFactory(event=made[0])
    return made


def test_saves_of_events_citations_sources_and_actors_keep_the_items_current(events):
    assert stale() == ([], set())
    first, second = events[0], events[1]

    first.title = "A <new> title"
    first.save()
    assert "A &lt;new&gt; title" in item("e-0")

    source = SourceFactory(publisher="Another publisher")
    citation = CitationFactory(event=first, source=source)
    assert "2 independent sources" in item("e-0")
    source.reliability = Source.Reliability.UNRELIABLE
    source.save()
    assert "(and 1 rated unreliable, not counted)" in item("e-0")
    citation.delete()
    assert "1 independent source<" in item("e-0")
    assert stale() == ([], set())

    minister = first.actors.get()
    minister.name = "A renamed minister"
    minister.save()
    assert "A renamed minister" in item("e-2")
    first.actors.clear()
    second.actors.remove(minister)
    minister.events.add(events[3])  # from the actor's side
    assert stale() == ([], set())
    minister.events.clear()
    assert "A renamed minister" not in item("e-3")
    second.actors.first().delete()  # the ministry
    assert "ministry" not in item("e-1")

    second.delete()
    assert stale() == ([], set())


def test_queryset_update_bulk_create_and_bulk_update_keep_the_items_current(events):
    Event.objects.filter(slug__in=["e-0", "e-1"]).update(title="Renamed in bulk")
    assert "Renamed in bulk" in item("e-1")
    Event.objects.filter(slug="e-2").update(start_date=dt.date(1990, 5, 1))
    Event.objects.bulk_create([EventFactory.build(slug=f"bulk-{n}") for n in range(3)])
    changed = list(Event.objects.filter(slug__startswith="bulk-"))
    for event in changed:
        event.category = Event.Category.FINANCE
    Event.objects.bulk_update(changed, ["category"])
    assert "Finance" in item("bulk-2")
    Event.objects.filter(slug__startswith="bulk-").delete()
    assert stale() == ([], set())


def test_an_update_of_what_no_item_shows_renders_nothing(events):
    with CaptureQueriesContext(connection) as queries:
        Event.objects.filter(slug="e-3").update(notes="An editor's note")
    assert not [q for q in queries if "relations_eventlisting" in q["sql"]]


def test_migrate_renders_missing_items_and_refresh_what_raw_sql_changed(events, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM relations_eventlisting WHERE event_id = %s", [events[2].pk])
    EventListing.objects.create(event_id=99999, year=2000, format=listing._format(), html="gone")
    assert stale() == (["e-2"], {99999})
    call_command("migrate", verbosity=0)
    assert stale() == ([], set())

    with connection.cursor() as cursor:
        cursor.execute("UPDATE relations_event SET title = 'Changed behind its back'")
    assert stale()[0] == ["e-0", "e-1", "e-2", "e-3"]
    listing.refresh()
    assert stale() == ([], set())

    monkeypatch.setattr(listing, "EVENT_ITEM", listing.EVENT_ITEM.replace("<li ", "<li data-x "))
    listing._format.cache_clear()
    try:
        call_command("migrate", verbosity=0)  # rendered with other markup: all again
        assert "<li data-x " in item("e-1")
        assert stale() == ([], set())
    finally:
        listing._format.cache_clear()


def test_a_page_reads_its_items_in_one_query(client, events):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?category=diplomacy", headers=HTMX)
    assert response.status_code == 200
    assert "A minister" in response.content.decode()
    assert len([q for q in queries if "relations_eventlisting" in q["sql"]]) == 1
    # Neither the events nor their actors and citations are read for the list.
    assert not [q for q in queries if "relations_event_actors" in q["sql"]]
    assert not [q for q in queries if "relations_citation" in q["sql"]]


def test_an_item_the_table_lacks_is_rendered_for_the_page_and_not_written(client, events):
    EventListing.objects.all().delete()
    response = client.get("/?category=diplomacy", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert all(f'href="/events/e-{n}/"' in html for n in range(4))
    assert not EventListing.objects.exists()


def test_stored_items_link_under_the_script_prefix_of_the_request(client, events):
    # Rendered without a prefix (as a management command does), served under one.
    try:
        set_script_prefix("/timeline/")
        html = "".join(item.html for item in listing_items(events))
    finally:
        set_script_prefix("/")
    assert 'href="/timeline/events/e-0/"' in html
    assert html.count("/timeline/") == 4


def listing_items(events):
    from relations.views import event_items

    return event_items([event.pk for event in events])


def test_a_citation_or_source_save_renders_and_indexes_each_event_once(events, monkeypatch):
    from relations import words

    calls = {"listing": [], "words": []}
    real_listing, real_words = listing.refresh, words.refresh
    # What each refresh was asked to do (a call with no ids does nothing).
    monkeypatch.setattr(
        listing,
        "refresh",
        lambda ids=None: calls["listing"].append(list(ids) or None) or real_listing(ids),
    )
    monkeypatch.setattr(
        words, "refresh", lambda ids: calls["words"].append(list(ids)) or real_words(ids)
    )
    first = events[0]
    source = SourceFactory(publisher="A new publisher")
    calls = {"listing": [], "words": []}
    CitationFactory(event=first, source=source)  # a second origin: the status changes too
    assert calls["listing"] == [[first.pk]] and calls["words"] == [[first.pk]]
    calls.update(listing=[], words=[])
    source.reliability = Source.Reliability.MIXED
    source.save()
    assert [ids for ids in calls["listing"] if ids] == [[first.pk]]
    assert calls["words"] == [[first.pk]]
    assert stale() == ([], set())


def test_saving_an_actor_renders_its_events_again_only_when_its_name_changed(events):
    minister = events[0].actors.get()
    with CaptureQueriesContext(connection) as queries:
        minister.save()
    assert not [q for q in queries if "relations_eventlisting" in q["sql"]]
    minister.name = "A minister of state"
    minister.save()
    assert "A minister of state" in item("e-3")
    assert stale() == ([], set())


def test_bulk_update_renders_each_event_once(events, monkeypatch):
    rendered = []
    real = listing._rendered
    monkeypatch.setattr(listing, "_rendered", lambda ids: rendered.extend(ids) or real(ids))
    for event in events:
        event.title = f"Retitled {event.slug}"
    Event.objects.bulk_update(events, ["title"])
    assert sorted(rendered) == sorted(event.pk for event in events)
    assert "Retitled e-2" in item("e-2")
