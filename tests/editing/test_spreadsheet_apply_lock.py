"""While a spreadsheet is applied on SQLite (one writer at a time), other editors'
saves get the maintenance page, never a "database is locked" 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from relations import maintenance
from relations.models import Event
from tests.editing.test_spreadsheets import TIMELINEJS_HEADER, csv_bytes, tljs_row

pytestmark = pytest.mark.django_db

IMPORT = "/admin/relations/event/import/"


@pytest.fixture
def marker(tmp_path, monkeypatch):
    path = tmp_path / "db.sqlite3.import-running"
    monkeypatch.setattr(maintenance, "marker_path", lambda: path)
    return path


def test_saves_are_paused_while_a_spreadsheet_is_applied(client, editor, marker, monkeypatch):
    data = csv_bytes([TIMELINEJS_HEADER, tljs_row("2025", "3", "5", "Customs protocol signed")])
    response = client.post(IMPORT, {"file": SimpleUploadedFile("e.csv", data)})
    seen = []
    original = Event.save

    def save_and_try_a_write(event, *args, **kwargs):
        seen.append(client.post("/admin/login/", {"username": "x", "password": "y"}))
        return original(event, *args, **kwargs)

    monkeypatch.setattr(Event, "save", save_and_try_a_write)
    response = client.post(
        IMPORT, {"payload": response.context["payload"], "filename": "e.csv", "apply": "1"}
    )
    assert response.status_code == 302
    [during] = seen
    assert during.status_code == 503
    assert "Saving is paused while data is imported" in during.content.decode()
    assert not marker.exists()


def test_a_write_that_timed_out_on_the_lock_gets_the_maintenance_page(client, editor, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("relations.editing.admin_views.create_source", locked)
    response = client.post(
        "/admin/relations/source/add-from-document/",
        {"text": "Some text.", "kind": "news", "reliability": "reliable", "publisher": "P"},
    )
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Your change was not saved" in response.content.decode()
