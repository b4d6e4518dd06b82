"""Importing events from spreadsheets: preview, atomic apply, both layouts, CSV and XLSX."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from relations.editing.spreadsheets import SpreadsheetError, apply, preview
from relations.models import Event

pytestmark = pytest.mark.django_db

TIMELINEJS_HEADER = [
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
    "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
    "Media Thumbnail", "Type", "Group", "Background",
]  # fmt: skip


def csv_bytes(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def tljs_row(year, month, day, headline, text="", group="", end=("", "", "")):
    row = dict.fromkeys(TIMELINEJS_HEADER, "")
    row.update({"Year": year, "Month": month, "Day": day, "Headline": headline, "Text": text})
    row.update({"Group": group, "End Year": end[0], "End Month": end[1], "End Day": end[2]})
    return [row[name] for name in TIMELINEJS_HEADER]


def exported_csv(client, **query):
    response = client.get("/export/csv/", query)
    return b"".join(response.streaming_content)


def rows_of(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_export_imports_back_into_a_database_with_the_same_sources(client, timeline):
    before = exported_csv(client)
    Event.objects.all().delete()

    outcomes = preview(before, "timeline.csv")
    assert {outcome.outcome for outcome in outcomes} == {"new"}
    apply(outcomes)
    Event.objects.update(publication="published")

    after = exported_csv(client)
    # Citations (and the status computed from them) are not in a CSV: quotes need the fixture.
    ignored = {"status", "status_reason", "sources"}
    strip = lambda rows: [{k: v for k, v in row.items() if k not in ignored} for row in rows]  # noqa: E731
    assert strip(rows_of(after)) == strip(rows_of(before))


def test_reimporting_the_export_unchanged_gives_duplicates_and_changes_nothing(client, timeline):
    data = exported_csv(client)
    outcomes = preview(data, "timeline.csv")
    assert {outcome.outcome for outcome in outcomes} == {"duplicate"}
    assert apply(outcomes) == (0, 0)


def test_preview_names_new_update_duplicate_and_error_rows(client, timeline):
    rows = rows_of(exported_csv(client))
    header = list(rows[0])
    changed = {**rows[0], "title": rows[0]["title"] + " (corrected)"}
    new = {
        **rows[1],
        **{"slug": "a-new-event", "title": "Entirely new railway agreement"},
        **{"start_date": "2025-05-05", "end_date": "", "precision": "day", "actors": ""},
    }
    bad_category = {**rows[2], "slug": "bad-category", "category": "sport"}
    bad_date = {**rows[2], "slug": "bad-date", "start_date": "2025-02-30"}
    bad_actor = {**rows[2], "slug": "bad-actor", "actors": "Nobody Known"}
    table = [header] + [
        [row[name] for name in header]
        for row in (changed, rows[3], new, bad_category, bad_date, bad_actor)
    ]
    outcomes = preview(csv_bytes(table), "events.csv")
    assert [(o.number, o.outcome) for o in outcomes] == [
        (2, "update"), (3, "duplicate"), (4, "new"), (5, "error"), (6, "error"), (7, "error"),
    ]  # fmt: skip
    assert "title" in outcomes[0].reason
    assert "Unknown category “sport”" in outcomes[3].reason
    assert "not a date" in outcomes[4].reason
    assert "Unknown actor: Nobody Known" in outcomes[5].reason


def test_a_bad_row_changes_nothing(client, timeline):
    rows = rows_of(exported_csv(client))
    header = list(rows[0])
    good = {
        **rows[0],
        **{"slug": "good-new-row", "title": "A good new row"},
        **{"start_date": "2025-06-01", "end_date": "", "precision": "day"},
    }
    bad = {**rows[1], "slug": "bad-row", "start_date": "not a date"}
    data = csv_bytes([header] + [[row[name] for name in header] for row in (good, bad)])
    before = list(Event.objects.values_list("slug", "title", "updated_at"))

    with pytest.raises(SpreadsheetError, match="nothing was imported"):
        apply(preview(data, "events.csv"))

    assert list(Event.objects.values_list("slug", "title", "updated_at")) == before


def test_the_timelinejs_template_imports_with_its_precision_and_group(db):
    data = csv_bytes(
        [
            TIMELINEJS_HEADER,
            tljs_row(
                "1992",
                "1",
                "20",
                "Diplomatic relations <b>established</b>",
                "<p>Ties.</p>",
                "Diplomacy",
            ),
            tljs_row(
                "2024",
                "7",
                "",
                "Joint exercise near Brest",
                group="Security & defence",
                end=("2024", "7", ""),
            ),
            tljs_row("2013", "", "", "Belt and Road"),
        ]
    )
    outcomes = preview(data, "timeline.csv")
    assert [o.outcome for o in outcomes] == ["new", "new", "new"]
    apply(outcomes)
    ties = Event.objects.get(slug="diplomatic-relations-established-1992")
    assert (str(ties.start_date), ties.precision, ties.category) == (
        "1992-01-20",
        "day",
        "diplomacy",
    )
    assert ties.title == "Diplomatic relations established"
    assert ties.summary == "Ties."
    assert ties.is_draft
    exercise = Event.objects.get(slug="joint-exercise-near-brest-2024")
    assert (str(exercise.start_date), exercise.precision, exercise.category) == (
        "2024-07-01", "month", "security",
    )  # fmt: skip
    assert Event.objects.get(slug="belt-and-road-2013").precision == "year"


def test_the_timelinejs_title_slide_is_skipped(db):
    title = tljs_row("", "", "", "China and Belarus")
    title[TIMELINEJS_HEADER.index("Type")] = "title"
    data = csv_bytes([TIMELINEJS_HEADER, title, tljs_row("2013", "", "", "Belt and Road")])
    outcomes = preview(data, "t.csv")
    assert [o.outcome for o in outcomes] == ["skip", "new"]
    assert apply(outcomes) == (1, 0)


def test_timelinejs_rows_with_impossible_dates_are_errors(db):
    data = csv_bytes(
        [
            TIMELINEJS_HEADER,
            tljs_row("2024", "2", "30", "No such day"),
            tljs_row("2024", "", "5", "Day without month"),
            tljs_row("", "", "", "No year"),
            tljs_row("2024", "13", "", "No such month"),
            tljs_row("2024", "1", "", "Unknown group", group="Sport"),
        ]
    )
    reasons = [o.reason for o in preview(data, "t.csv")]
    assert "does not exist" in reasons[0]
    assert "Day but no Month" in reasons[1]
    assert "Year is empty" in reasons[2]
    assert "out of range" in reasons[3]
    assert "not a category" in reasons[4]


def test_xlsx_is_read_like_csv(db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TIMELINEJS_HEADER)
    sheet.append(tljs_row(2024, 8, 22, "Talks in Minsk", group="Diplomacy"))
    stream = io.BytesIO()
    workbook.save(stream)
    [outcome] = preview(stream.getvalue(), "timeline.xlsx")
    assert outcome.outcome == "new"
    assert str(outcome.values["start_date"]) == "2024-08-22"


def test_a_file_with_an_unknown_header_is_refused(db):
    with pytest.raises(SpreadsheetError, match="matches neither layout"):
        preview(csv_bytes([["Date", "What"], ["2024", "x"]]), "x.csv")


def test_the_admin_previews_then_applies(client, editor, timeline):
    data = csv_bytes([TIMELINEJS_HEADER, tljs_row("2025", "3", "5", "Customs protocol signed")])
    upload = SimpleUploadedFile("events.csv", data, content_type="text/csv")
    response = client.post("/admin/relations/event/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="outcome-new"' in html
    assert not Event.objects.filter(slug="customs-protocol-signed-2025").exists()

    payload = response.context["payload"]
    response = client.post(
        "/admin/relations/event/import/",
        {"payload": payload, "filename": "events.csv", "apply": "1"},
    )
    assert response.status_code == 302
    event = Event.objects.get(slug="customs-protocol-signed-2025")
    assert event.is_draft
    assert event.history.get().history_user == editor


def test_the_admin_shows_errors_and_offers_no_apply(client, editor, timeline):
    data = csv_bytes([TIMELINEJS_HEADER, tljs_row("2025", "2", "30", "Bad day")])
    response = client.post(
        "/admin/relations/event/import/", {"file": SimpleUploadedFile("e.csv", data)}
    )
    html = response.content.decode()
    assert "does not exist" in html
    assert 'name="apply"' not in html
    response = client.post(
        "/admin/relations/event/import/",
        {"payload": response.context["payload"], "filename": "e.csv", "apply": "1"},
    )
    assert response.status_code == 400
    assert "nothing was imported" in response.content.decode()


def test_import_events_command_dry_run_saves_nothing(tmp_path, db, capsys):
    path = tmp_path / "events.csv"
    path.write_bytes(csv_bytes([TIMELINEJS_HEADER, tljs_row("2025", "3", "5", "Protocol")]))
    call_command("import_events", str(path), "--dry-run")
    assert "row 2: new protocol-2025" in capsys.readouterr().out
    assert not Event.objects.exists()
    call_command("import_events", str(path))
    assert Event.objects.get().slug == "protocol-2025"


def test_import_events_command_fails_on_a_bad_row(tmp_path, db):
    path = tmp_path / "events.csv"
    path.write_bytes(
        csv_bytes(
            [TIMELINEJS_HEADER, tljs_row("2025", "3", "5", "Good"), tljs_row("x", "", "", "Bad")]
        )
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_events", str(path), verbosity=0)
    assert not Event.objects.exists()
