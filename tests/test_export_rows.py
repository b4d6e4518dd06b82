"""CSV downloads read each event's row as the read model stored it (relations/exports/rows.py)."""

import csv
import io
from unittest import mock

import pytest
from django.test.utils import override_script_prefix

from relations.exports import rows
from relations.models import EventRow
from tests.factories import ActorFactory, EventFactory

pytestmark = pytest.mark.django_db


def download(client, path="/export/csv/?category=trade", **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_filtered_csv_reads_the_stored_rows_with_absolute_links(client):
    event = EventFactory(category="trade", title="Potash deal")
    event.actors.add(ActorFactory(name="Belaruskali"))
    with mock.patch.object(rows.CsvRows, "render", side_effect=AssertionError("rendered")):
        (row,) = download(client)
    assert row["title"] == "Potash deal"
    assert row["actors"] == "Belaruskali"
    assert row["url"] == f"http://testserver/events/{event.slug}/"


def test_a_csv_rows_link_names_the_script_prefix(client):
    event = EventFactory(category="trade")
    with override_script_prefix("/timeline/"):
        (row,) = download(client)
    assert row["url"] == f"http://testserver/timeline/events/{event.slug}/"


def test_a_row_of_other_code_is_rendered_afresh_not_served(client):
    event = EventFactory(category="trade", title="Customs union talks")
    EventRow.objects.filter(event_id=event.pk).update(form="old", csv="stale\r\n")
    (row,) = download(client)
    assert row["title"] == "Customs union talks"
    assert rows.CSV_ROWS.stale() == [f"event {event.pk}: its stored CSV row is not its own"]
