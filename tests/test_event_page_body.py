"""A reader's event page reads its body as the read model stored it (relations/event_page.py)."""

import re
from unittest import mock

import pytest
from django.test.utils import override_script_prefix

from relations import event_page
from relations.models import EventBody
from tests.factories import CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_a_readers_event_page_reads_its_stored_body(client):
    event = EventFactory(title="Industrial park agreement")
    CitationFactory(event=event, source=SourceFactory(title="Ministry statement"))
    with mock.patch.object(event_page.Bodies, "render", side_effect=AssertionError("rendered")):
        html = client.get(event.get_absolute_url()).content.decode()
    assert "Industrial park agreement" in html
    assert "Ministry statement" in html


def test_the_bodys_links_name_the_script_prefix(client):
    event = EventFactory(category="trade")
    CitationFactory(event=event, source=SourceFactory(slug="mfa-statement"))
    with override_script_prefix("/timeline/"):
        html = client.get(f"/events/{event.slug}/").content.decode()
    assert 'href="/timeline/?category=trade"' in html
    assert 'href="/timeline/sources/mfa-statement/' in html
    assert "script-prefix" not in html


def test_a_body_of_other_code_is_rendered_afresh(client):
    event = EventFactory(title="Visa-free travel begins")
    EventBody.objects.filter(event_id=event.pk).update(form="old", html="<p>stale</p>")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "stale" not in html
    assert re.search(r"<h1>\s*Visa-free travel begins", html)
