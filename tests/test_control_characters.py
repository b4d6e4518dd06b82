"""Control characters are refused on the way in: admin, import, validation and plain saves."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from relations.models import Event
from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory
from tests.test_admin import editor, event_form  # noqa: F401
from tests.test_import import fixture_with, write

pytestmark = pytest.mark.django_db

REFUSED = {
    "form feed": "\x0c",
    "escape": "\x1b",
    "NUL": "\x00",
    "backspace": "\x08",
    "DEL": "\x7f",
    "C1 next line": "\x85",
    "lone surrogate": "\ud800",
    "noncharacter": "\ufffe",
}


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (EventFactory, "title"),
        (EventFactory, "summary"),
        (EventFactory, "date_note"),
        (SourceFactory, "publisher"),
        (SourceFactory, "notes"),
        (ActorFactory, "name"),
    ],
)
def test_control_characters_are_refused_with_a_clear_message(factory, field, char):
    obj = factory.build(**{field: f"Minsk{char} talks"})
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    message = " ".join(excinfo.value.message_dict[field])
    assert f"control character U+{ord(char):04X} (at character 6)" in message


def test_tabs_and_line_breaks_are_fine_in_multiline_text():
    EventFactory.build(summary="First line.\r\nSecond\tline.\n").full_clean()


@pytest.mark.parametrize("char", ["\n", "\r", "\t"])
def test_one_line_fields_refuse_tabs_and_line_breaks(char):
    event = EventFactory.build(title=f"Minsk{char}talks")
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "put it on one line" in " ".join(excinfo.value.message_dict["title"])


def test_a_control_character_in_a_quote_is_refused():
    citation = CitationFactory.build(
        event=EventFactory(), source=SourceFactory(), quote="They agreed\x0c"
    )
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    assert "U+000C" in " ".join(excinfo.value.message_dict["quote"])


def test_saves_that_skip_validation_are_refused_too():
    event = EventFactory()
    event.summary = "Escape\x1b[31m"
    with pytest.raises(ValidationError):
        event.save()
    assert "\x1b" not in Event.objects.get(pk=event.pk).summary


def test_loaddata_refuses_a_control_character(tmp_path):
    record = {
        "model": "relations.actor",
        "fields": {"slug": "bell", "name": "Bell\x07", "kind": "country"},
    }
    path = tmp_path / "actors.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    with pytest.raises(ValidationError):
        call_command("loaddata", str(path), verbosity=0)


def test_admin_refuses_a_form_feed_and_says_where(client, editor):  # noqa: F811
    source = SourceFactory()
    data = event_form(
        source, "They agreed to strengthen cooperation", summary="They meet.\x0cAgain."
    )
    response = client.post("/admin/relations/event/add/", data)
    assert response.status_code == 200
    assert "control character U+000C (at character 11)" in response.content.decode()
    assert not Event.objects.exists()


def test_import_names_the_record_with_a_control_character(tmp_path):
    def corrupt(records):
        event = next(r for r in records if r["model"] == "relations.event")
        event["fields"]["summary"] += "\x1b[2J"

    path = write(tmp_path, fixture_with(corrupt))
    with pytest.raises(CommandError, match=r"relations.event .*control character U\+001B"):
        call_command("import_timeline", str(path))
    assert not Event.objects.exists()
