"""QuerySet.update(), bulk_create() and bulk_update() of events send no signals, yet pages
and search follow them like any save."""

import pytest

from relations.models import Event
from tests.factories import CitationFactory, EventFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def shown(client, query=""):
    return client.get(f"/{query}", headers=HTMX).content.decode()


def test_a_page_cached_before_an_update_shows_the_update(client):
    event = EventFactory(title="Ministers meet in Minsk")
    assert "Ministers meet in Minsk" in shown(client)
    Event.objects.filter(pk=event.pk).update(category=Event.Category.ENERGY)
    assert "cat-energy" in shown(client)


def test_a_page_cached_before_bulk_create_shows_the_new_events(client):
    EventFactory()
    shown(client)
    Event.objects.bulk_create([EventFactory.build(slug="bulk", title="Made in bulk")])
    assert "Made in bulk" in shown(client)


def test_a_page_cached_before_bulk_update_shows_the_change(client):
    event = EventFactory(title="Ministers meet in Minsk")
    shown(client)
    event.title = "Ministers meet in Brest"
    Event.objects.bulk_update([event], ["title"])
    assert "Ministers meet in Brest" in shown(client)


@pytest.mark.parametrize("field, old_word", [("title", "gather"), ("summary", "confer")])
def test_an_updated_title_or_summary_is_searched_with_the_events_quotes(client, field, old_word):
    event = CitationFactory(
        event__slug="the-event", event__title="Ministers gather", event__summary="They confer."
    ).event
    Event.objects.filter(pk=event.pk).update(**{field: "Potash talks"})
    assert "/events/the-event/" in shown(client, "?q=potash")
    assert "/events/the-event/" in shown(client, "?q=potash+strengthen")  # a word of its quote
    assert "/events/the-event/" not in shown(client, f"?q={old_word}")


def test_titles_changed_by_bulk_update_are_searched(client):
    events = [EventFactory(title=f"Event number {n}") for n in range(3)]
    for event in events:
        event.title = f"Potash talks {event.slug}"
    Event.objects.bulk_update(events, ["title"])
    html = shown(client, "?q=potash")
    assert all(f"/events/{event.slug}/" in html for event in events)
