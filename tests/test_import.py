import json

import pytest
from django.core.management import CommandError, call_command

from relations.models import Event, EventWords
from relations.readmodel.check import rebuild
from tests.conftest import FIXTURE
from tests.expected import stored_derived_data
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def write(tmp_path, records):
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def fixture_with(change):
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(records)
    return records


def test_import_twice_updates_instead_of_duplicating(timeline):
    count = Event.objects.count()
    call_command("import_timeline", str(FIXTURE), verbosity=0)
    assert Event.objects.count() == count


def test_import_if_empty_keeps_existing_data(timeline):
    Event.objects.filter(slug="joint-statement-2024").update(title="Edited by an editor")
    call_command("import_timeline", str(FIXTURE), "--if-empty", verbosity=0)
    assert Event.objects.get(slug="joint-statement-2024").title == "Edited by an editor"


def test_import_bad_json_says_where(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"model": "relations.actor",', encoding="utf-8")
    with pytest.raises(CommandError, match=r"not valid JSON.*line 1"):
        call_command("import_timeline", str(path))


def test_import_quote_not_in_source_names_the_record_and_saves_nothing(tmp_path):
    def corrupt(records):
        citation = next(
            r for r in records if r["model"] == "relations.citation" and r["fields"]["quote"]
        )
        citation["fields"]["quote"] = "Belarus joined NATO in 2013."

    path = write(tmp_path, fixture_with(corrupt))
    with pytest.raises(CommandError, match=r"record \d+ \(relations.citation .*not found verbatim"):
        call_command("import_timeline", str(path))
    assert Event.objects.count() == 0
    # What the import left to its end is gone with it: the next save refreshes at once.
    event = EventFactory()
    assert EventWords.objects.filter(event_id=event.pk).exists()


def test_import_refuses_a_date_outside_the_timeline_years(tmp_path):
    def corrupt(records):
        event = next(r for r in records if r["model"] == "relations.event")
        event["fields"]["date_edtf"] = "9999"

    path = write(tmp_path, fixture_with(corrupt))
    with pytest.raises(CommandError, match=r"relations.event .*year 9999 is outside"):
        call_command("import_timeline", str(path))
    assert Event.objects.count() == 0


def rederived_state():
    """Everything derived from the events, derived again from scratch."""
    rebuild()
    return stored_derived_data()


def test_an_import_derives_what_saves_one_by_one_would(db):
    call_command("import_timeline", str(FIXTURE), verbosity=0)
    assert stored_derived_data() == rederived_state()


def test_an_import_that_moves_an_event_to_another_year_counts_both_years_again(timeline, tmp_path):
    def move(records):
        for record in records:
            if record["fields"].get("slug") == "joint-statement-2024":
                record["fields"].update(date_edtf="2019-05-05", start_date="2019-05-05")

    call_command("import_timeline", str(write(tmp_path, fixture_with(move))), verbosity=0)
    assert Event.objects.get(slug="joint-statement-2024").start_year == 2019
    assert stored_derived_data() == rederived_state()


def test_an_import_costs_a_few_queries_per_record(db, django_assert_max_num_queries):
    records = len(json.loads(FIXTURE.read_text(encoding="utf-8")))
    # Each event was refreshed after each of its citations: 44 queries a record.
    with django_assert_max_num_queries(10 * records):
        call_command("import_timeline", str(FIXTURE), verbosity=0)
