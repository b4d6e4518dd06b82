"""The result list's items: stored when their events change, read in one query, rendered
on demand only when none of the current form is stored (relations/items.py)."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.test.utils import override_script_prefix

from relations import items
from relations.models import EventItem
from tests.factories import ActorFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_an_event_saved_has_its_item_stored_with_its_title_and_actors():
    event = EventFactory(title="Potash shipments resume")
    event.actors.add(ActorFactory(name="Belaruskali"))
    item = EventItem.objects.get(event_id=event.pk)
    assert "Potash shipments resume" in item.html
    assert "Belaruskali" in item.html
    assert item.year == event.start_date.year


def test_a_page_reads_stored_items_without_rendering_them(client):
    event = EventFactory(title="Customs agreement signed")
    with mock.patch.object(items.Items, "render", side_effect=AssertionError("rendered")):
        response = client.get("/", headers={"HX-Request": "true"})
    assert "Customs agreement signed" in response.content.decode()
    assert f'href="/events/{event.slug}/"' in response.content.decode()


def test_an_item_links_under_the_script_prefix_the_site_is_served_at(client):
    event = EventFactory()
    with override_script_prefix("/timeline/"):
        response = client.get("/")
    assert f'href="/timeline/events/{event.slug}/"' in response.content.decode()
    assert "script-prefix" not in response.content.decode()


def test_an_item_of_another_form_is_not_shown_and_migrate_stores_it_again(client):
    event = EventFactory(title="Industrial park opens")
    EventItem.objects.filter(event_id=event.pk).update(form="old", html="<li>stale</li>")
    items.kept.forget()
    response = client.get("/")
    assert "stale" not in response.content.decode()
    assert "Industrial park opens" in response.content.decode()
    assert EventItem.objects.get(event_id=event.pk).form == "old"  # a GET writes nothing
    call_command("migrate", verbosity=0)
    assert EventItem.objects.get(event_id=event.pk).form == items.ITEMS.form()
    assert items.ITEMS.stale() == []


def test_migrate_removes_the_items_of_events_deleted_without_the_read_model():
    event = EventFactory()
    EventItem.objects.create(event_id=event.pk + 1000, form=items.ITEMS.form(), year=2000, html="x")
    assert items.ITEMS.stale() == [f"event {event.pk + 1000}: a list item, but no such event"]
    call_command("migrate", verbosity=0)
    assert items.ITEMS.stale() == []
