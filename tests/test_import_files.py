"""import_timeline against broken files: a message naming the record, never a traceback,
and the database left as it was."""

import json
import os

import pytest
from django.core.management import CommandError, call_command

from relations import maintenance
from relations.models import Actor, Citation, Event, Source
from tests.conftest import FIXTURE

pytestmark = pytest.mark.django_db

ACTOR = {"model": "relations.actor", "fields": {"slug": "li", "name": "Li", "kind": "person"}}


def fixture():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def first(records, model):
    """The first record of `model`; for citations, the first that quotes a stored text."""
    return next(
        r
        for r in records
        if r["model"] == f"relations.{model}" and r["fields"].get("quote", True) != ""
    )


def changed(change):
    def build():
        records = fixture()
        change(records)
        return json.dumps(records)

    return build


def nested(depth):
    return "[" * depth + "]" * depth


def set_field(model, name, value):
    return changed(lambda records: first(records, model)["fields"].__setitem__(name, value))


def duplicate(model):
    return changed(lambda records: records.append(first(records, model)))


def with_pk(records):
    first(records, "event")["pk"] = 1


def citation_quote_nested(records):
    first(records, "citation")["fields"]["event"] = [[["x"]]]


BROKEN = {
    # file-level
    "empty file": (lambda: "", "not valid JSON"),
    "byte order mark": (lambda: "\ufeff[]", "not valid JSON"),
    "not a list": (lambda: '{"model": "relations.actor"}', "must hold a JSON list"),
    "deep nesting": (lambda: nested(100_000), "nests lists or objects too deeply"),
    "deep nesting in a field": (
        lambda: (
            '[{"model": "relations.actor", "fields": {"slug": "li", "name": '
            + nested(50_000)
            + "}}]"
        ),
        "nests lists or objects too deeply",
    ),
    "huge integer": (lambda: "[" + "9" * 5000 + "]", "cannot be read"),
    "truncated": (lambda: FIXTURE.read_text(encoding="utf-8")[:5000], "not valid JSON"),
    # record shape
    "record not an object": (lambda: "[1]", "record 1: each record needs"),
    "fields not an object": (
        lambda: '[{"model": "relations.actor", "fields": []}]',
        "record 1 .*each record needs",
    ),
    "unknown model": (
        lambda: '[{"model": "auth.user", "fields": {}}]',
        "record 1 .*unknown model 'auth.user'",
    ),
    "model not text": (
        lambda: '[{"model": ["relations.actor"], "fields": {}}]',
        "record 1 .*unknown model",
    ),
    "unknown field": (set_field("event", "colour", "red"), r"relations.event .*unknown field"),
    # explicit primary keys and duplicates
    "explicit pk": (changed(with_pk), r"relations.event .*has a \"pk\""),
    "duplicate event slug": (duplicate("event"), r"the same event as record \d+"),
    "duplicate actor slug": (duplicate("actor"), r"the same actor as record \d+"),
    "duplicate citation": (duplicate("citation"), r"the same citation as record \d+"),
    # wrong types
    "list as title": (set_field("event", "title", ["a", "b"]), "'title' must be text, not a list"),
    "number as summary": (set_field("event", "summary", 7), "'summary' must be text, not a number"),
    "object as slug": (set_field("actor", "slug", {"a": 1}), "'slug' must be text, not an object"),
    "null title": (set_field("event", "title", None), "'title' must be text, not null"),
    "bool as date": (set_field("event", "start_date", True), "'start_date' must be text"),
    "number as date": (set_field("event", "start_date", 20240822), "'start_date' must be text"),
    "text as actors": (set_field("event", "actors", "china"), "'actors' must be a list"),
    "nested key": (changed(citation_quote_nested), "'event' must be a natural key"),
    # values
    "NUL in a title": (set_field("event", "title", "Talks\x00"), "control character U\\+0000"),
    "NUL in a key": (
        set_field("citation", "source", ["idn\x00"]),
        "'source': .*control character U\\+0000",
    ),
    "lone surrogate": (set_field("actor", "name", "Li \ud800"), "control character U\\+D800"),
    "escape in a summary": (set_field("event", "summary", "\x1b[2J"), "U\\+001B"),
    "bad date": (
        set_field("event", "start_date", "2024-02-30"),
        r"relations.event .*'start_date': .*invalid date",
    ),
    "year 9999": (set_field("event", "date_edtf", "9999"), "year 9999 is outside"),
    "bad choice": (set_field("event", "category", "tourism"), r"relations.event .*category"),
    "unknown source": (set_field("citation", "source", ["nowhere"]), r"relations.citation .*"),
    "misquote": (set_field("citation", "quote", "Belarus joined NATO."), "not found verbatim"),
}


def rows():
    return [
        list(model.objects.order_by("pk").values()) for model in (Actor, Source, Event, Citation)
    ]


@pytest.mark.parametrize("build,message", BROKEN.values(), ids=BROKEN.keys())
def test_broken_file_is_refused_with_a_message_and_changes_nothing(
    timeline, tmp_path, build, message
):
    path = tmp_path / "broken.json"
    path.write_text(build(), encoding="utf-8", errors="surrogatepass")
    before = rows()
    with pytest.raises(CommandError, match=message):
        call_command("import_timeline", str(path), verbosity=0)
    assert rows() == before


def test_explicit_pk_never_overwrites_an_unrelated_event(timeline, tmp_path):
    victim = Event.objects.order_by("pk").first()
    record = first(fixture(), "event")
    record = {**record, "pk": victim.pk, "fields": {**record["fields"], "slug": "intruder"}}
    path = tmp_path / "pk.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    with pytest.raises(CommandError, match='has a "pk"'):
        call_command("import_timeline", str(path), verbosity=0)
    assert Event.objects.get(pk=victim.pk).slug == victim.slug


@pytest.fixture
def marker(tmp_path, monkeypatch):
    path = tmp_path / "db.sqlite3.import-running"
    monkeypatch.setattr(maintenance, "marker_path", lambda: path)
    return path


def test_import_pauses_writes_while_it_runs_and_resumes_them_after(
    client, db, tmp_path, marker, monkeypatch
):
    from relations.management.commands import import_timeline

    seen = []
    original = import_timeline.load_record

    def load_and_try_a_write(*args, **kwargs):
        if not seen:
            response = client.post("/admin/login/", {"username": "x", "password": "y"})
            seen.append((marker.exists(), response.status_code, response.content.decode()))
            seen.append(client.get("/").status_code)
        return original(*args, **kwargs)

    monkeypatch.setattr(import_timeline, "load_record", load_and_try_a_write)
    call_command("import_timeline", str(FIXTURE), verbosity=0)

    (existed, status, html), reading = seen
    assert existed and status == 503
    assert "Saving is paused while data is imported" in html
    assert "Your change was not saved" in html
    assert reading == 200
    assert not marker.exists()
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 200


def test_a_failed_import_resumes_writes_too(db, tmp_path, marker):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps([{**ACTOR, "fields": {**ACTOR["fields"], "kind": "x"}}]))
    with pytest.raises(CommandError):
        call_command("import_timeline", str(path), verbosity=0)
    assert not marker.exists()


def test_a_marker_left_by_a_dead_importer_is_ignored(client, db, marker):
    marker.write_text(json.dumps({"pid": 2**22 + 12345, "started": "10:00 UTC", "file": "x"}))
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 200


@pytest.mark.parametrize("pid", [1, os.getppid(), os.getpid()], ids=["init", "parent", "self"])
def test_a_marker_whose_pid_now_belongs_to_another_process_is_ignored(client, db, marker, pid):
    # The importer is gone and the system gave its process id to another process.
    marker.write_text(json.dumps({"pid": pid, "started": "10:00 UTC", "file": "x"}))
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 200


def test_postgresql_and_in_memory_databases_need_no_maintenance_mode(db):
    from django.db import connection

    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        pytest.skip("a file database")
    assert maintenance.marker_path() is None
