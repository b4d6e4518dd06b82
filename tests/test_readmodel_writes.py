"""Every kind of write leaves the read model's stored data as a fresh derivation makes it,
and moves the data version (relations/readmodel/writes.py, relations/signals.py)."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from relations import readmodel
from relations.models import (
    Citation,
    Event,
    Source,
    TimelineVersion,
    publish,
    return_to_draft,
)
from relations.readmodel.check import check, rebuild
from relations.readmodel.writes import changed, writing
from tests.conftest import FIXTURE
from tests.expected import stored_derived_data
from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=False)


def snapshot_state():
    """What the read model answers for the whole timeline, from a snapshot read afresh."""
    readmodel.forget()
    result = readmodel.summary()
    return (
        list(result.ids),
        result.year_counts(),
        {name: result.option_counts(name) for name in ("category", "status", "actor", "source")},
    )


@pytest.fixture
def data(db):
    actor, other = ActorFactory(name="Minsk Tractor Works"), ActorFactory()
    source = SourceFactory()
    events = [
        EventFactory(title=f"Potash talks {n}", start_date=dt.date(2000 + n, 3, 1), actors=[actor])
        for n in range(4)
    ]
    for event in events[:3]:
        CitationFactory(event=event, source=source)
    return {"actor": actor, "other": other, "source": source, "events": events}


def editor():
    return User.objects.create_superuser("chief", "chief@example.org", "x")


WRITES = {
    "save": lambda d: setattr(d["events"][0], "title", "Grain corridor") or d["events"][0].save(),
    "delete": lambda d: d["events"][1].delete(),
    "citation added": lambda d: CitationFactory(event=d["events"][3], source=d["source"]),
    "citation edited": lambda d: (
        Citation.objects.filter(event=d["events"][0])
        .first()
        .__class__.save(
            setattr(
                c := Citation.objects.filter(event=d["events"][0]).first(), "stance", "disputes"
            )
            or c
        )
    ),
    "citation deleted": lambda d: Citation.objects.filter(event=d["events"][0]).first().delete(),
    "source to draft": lambda d: setattr(d["source"], "publication", "draft") or d["source"].save(),
    "source unreliable": lambda d: (
        setattr(d["source"], "reliability", Source.Reliability.UNRELIABLE),
        setattr(d["source"], "reliability_note", "Known to invent quotes."),
        d["source"].save(),
    ),
    "uncited source deleted": lambda d: SourceFactory().delete(),
    "actor renamed": lambda d: setattr(d["actor"], "name", "MTZ") or d["actor"].save(),
    "actor deleted": lambda d: d["actor"].delete(),
    "actors added": lambda d: d["events"][2].actors.add(d["other"]),
    "actors removed from the actor's side": lambda d: d["actor"].events.remove(d["events"][0]),
    "actors cleared": lambda d: d["events"][1].actors.clear(),
    "update()": lambda d: Event.objects.filter(pk=d["events"][2].pk).update(
        title="Loan agreement", start_date=dt.date(1999, 5, 5)
    ),
    "bulk_create()": lambda d: Event.objects.bulk_create(
        [EventFactory.build(slug=f"bulk-{n}", title=f"Rail freight {n}") for n in range(3)]
    ),
    "bulk_update()": lambda d: Event.objects.bulk_update(
        [setattr(e, "summary", "Customs union talks.") or e for e in d["events"]], ["summary"]
    ),
    "raw SQL, then changed()": lambda d: raw_title(d["events"][3], "Satellite launch", True),
    "unpublish": lambda d: return_to_draft([d["events"][0]], editor()),
    "publish": lambda d: (
        return_to_draft([d["events"][0]], editor()),
        publish(
            [Event.objects.get(pk=d["events"][0].pk)],
            User.objects.create_superuser("second", "s@example.org", "x"),
        ),
    ),
    "import": lambda d: call_command("import_timeline", str(FIXTURE), verbosity=0),
}


def raw_title(event, title, tell):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE relations_event SET title = %s WHERE id = %s", [title, event.pk])
    if tell:
        changed([event.pk])


@pytest.mark.parametrize("write", WRITES)
def test_after_every_kind_of_write_the_stored_data_is_a_fresh_derivation(data, write):
    before = TimelineVersion.current()
    WRITES[write](data)
    assert TimelineVersion.current() != before  # every process reads the events again
    assert check() == []
    written, answers = stored_derived_data(), snapshot_state()
    rebuild()
    assert stored_derived_data() == written
    assert snapshot_state() == answers


def test_raw_sql_without_the_call_is_named_by_the_check_and_mended_by_a_rebuild(data):
    raw_title(data["events"][0], "Satellite launch", tell=False)
    found = check()
    assert any(data["events"][0].slug in line and "search document" in line for line in found)
    with pytest.raises(CommandError, match="rebuild_read_model"):
        call_command("check_read_model", verbosity=0)
    call_command("rebuild_read_model", verbosity=0)
    assert check() == []
    call_command("check_read_model", verbosity=0)


def test_a_status_written_behind_the_evidence_is_named(data):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE relations_event SET status = 'disputed' WHERE id = %s", [data["events"][0].pk]
        )
    assert any(data["events"][0].slug in line and "disputed" in line for line in check())


def test_a_status_written_by_update_follows_the_evidence_again(data):
    Event.objects.filter(pk=data["events"][0].pk).update(status="disputed")
    assert Event.objects.get(pk=data["events"][0].pk).status != "disputed"


def test_writes_within_writing_move_the_version_once(data):
    before = TimelineVersion.current()
    with writing():
        for event in data["events"]:
            event.title += " (revised)"
            event.save()
        CitationFactory(event=data["events"][3], source=data["source"])
        ActorFactory(name="Belarusian Railway")
    assert TimelineVersion.current() == before + 1
    assert check() == []


def test_a_failed_transaction_changes_nothing(data):
    before, state = TimelineVersion.current(), stored_derived_data()
    with pytest.raises(RuntimeError), writing():
        data["events"][0].title = "Grain corridor"
        data["events"][0].save()
        raise RuntimeError("the import failed")
    assert TimelineVersion.current() == before
    assert stored_derived_data() == state
