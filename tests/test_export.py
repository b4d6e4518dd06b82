import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from relations.exports.feeds import FEED_LENGTH
from relations.models import Actor, Citation, Event, Source
from tests.conftest import FIXTURE
from tests.expected import touching
from tests.factories import CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def export_text():
    out = io.StringIO()
    call_command("export_timeline", stdout=out)
    return out.getvalue()


def empty_timeline():
    Citation.objects.all().delete()
    Event.objects.all().delete()
    Source.objects.all().delete()
    Actor.objects.all().delete()


def database_rows():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Actor, Source, Event, Citation, Event.actors.through)
    ]


# Fixture export and import -------------------------------------------------------


def test_export_load_export_gives_identical_bytes(timeline, tmp_path):
    first = export_text()
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")
    empty_timeline()

    call_command("import_timeline", str(path), verbosity=0)

    assert export_text() == first


def test_committed_fixture_is_in_export_order(timeline):
    assert export_text() == FIXTURE.read_text(encoding="utf-8")


def test_export_orders_by_natural_key_not_insertion(db):
    SourceFactory(slug="b-source", text="Same text.")
    SourceFactory(slug="a-source", text="Same text.")
    records = json.loads(export_text())
    assert [r["fields"]["slug"] for r in records] == ["a-source", "b-source"]


def test_export_to_file_writes_the_fixture(timeline, tmp_path):
    path = tmp_path / "out.json"
    call_command("export_timeline", "--output", str(path), verbosity=0)
    assert path.read_text(encoding="utf-8") == FIXTURE.read_text(encoding="utf-8")


def test_export_has_no_database_ids(timeline):
    for record in json.loads(export_text()):
        assert "pk" not in record


def write_records(tmp_path, change):
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(records)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def first(records, model):
    return next(r for r in records if r["model"] == model)


def first_quote(records):
    """The first citation that quotes a stored text (not a reference's locator)."""
    return next(r for r in records if r["model"] == "relations.citation" and r["fields"]["quote"])


def rename_title_then(breakage):
    """Change an early record, then break a later one: the change must not survive."""

    def change(records):
        first(records, "relations.event")["fields"]["title"] = "Changed by the broken file"
        breakage(records)

    return change


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (
            lambda records: first_quote(records)["fields"].update(quote="Belarus joined NATO."),
            r"record \d+ \(relations\.citation event=\['[a-z0-9-]+'\].*not found verbatim",
        ),
        (
            lambda records: first(records, "relations.event")["fields"].update(
                date_edtf="2024/1900"
            ),
            r"record \d+ \(relations\.event slug='[a-z0-9-]+'\): date_edtf: The range ends "
            r"\(1900\) before it starts \(2024\)",
        ),
        (
            lambda records: records[-1]["fields"].update(colour="red"),
            r"record \d+ \(relations\.citation .*\): unknown field",
        ),
        (
            lambda records: records.append({"model": "auth.user", "fields": {"username": "x"}}),
            r"record \d+ \(auth\.user\): unknown model 'auth\.user'",
        ),
        (
            lambda records: first(records, "relations.event")["fields"].update(category="sport"),
            r"category: Value 'sport' is not a valid choice",
        ),
        (
            lambda records: first(records, "relations.citation")["fields"].update(
                source=["no-such-source"]
            ),
            r"record \d+ \(relations\.citation .*source=\['no-such-source'\]\)",
        ),
    ],
    ids=[
        "quote-not-in-source",
        "end-before-start",
        "unknown-field",
        "unknown-model",
        "bad-choice",
        "unknown-source",
    ],
)
def test_broken_file_names_the_record_and_leaves_the_database_unchanged(
    timeline, tmp_path, breakage, message
):
    before = database_rows()
    path = write_records(tmp_path, rename_title_then(breakage))

    with pytest.raises(CommandError, match=message):
        call_command("import_timeline", str(path), verbosity=0)

    assert database_rows() == before


def test_bad_json_names_line_and_column(tmp_path, db):
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"model": "relations.actor" "fields": {}}\n]', encoding="utf-8")
    with pytest.raises(CommandError, match=r"not valid JSON: Expecting ',' delimiter at line 2"):
        call_command("import_timeline", str(path))


def test_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_timeline", str(tmp_path / "missing.json"))


def test_loaddata_also_refuses_a_quote_not_in_its_source(tmp_path, db):
    path = write_records(
        tmp_path,
        lambda records: first_quote(records)["fields"].update(quote="Invented."),
    )
    with pytest.raises(Exception, match="not found verbatim"):
        call_command("loaddata", str(path), verbosity=0)
    assert Event.objects.count() == 0


def test_import_records_history_with_a_reason(timeline):
    records = Event.objects.get(slug="joint-statement-2024").history.order_by("history_date")
    assert records[0].history_type == "+"
    assert all(r.history_change_reason.startswith("Imported from") for r in records)


# Downloads of the filtered timeline ---------------------------------------------


def download(client, fmt, query=""):
    response = client.get(f"/export/{fmt}/{query}")
    assert response.status_code == 200, response
    assert response.streaming
    return response, b"".join(response.streaming_content).decode()


def test_json_download_holds_the_filtered_events_with_quotes(client, timeline):
    response, body = download(client, "json", "?category=security")
    data = json.loads(body)
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    security = Event.objects.public().filter(category="security")
    assert [e["slug"] for e in data["events"]] == list(security.values_list("slug", flat=True))
    exercise = next(e for e in data["events"] if e["slug"] == "eagle-assault-2024-exercise")
    assert exercise["date"] == "8–19 July 2024"
    quotes = [c["quote"] for c in exercise["citations"]]
    assert any(quote.startswith("The recent deployment of Chinese troops") for quote in quotes)
    assert exercise["url"] == "http://testserver/events/eagle-assault-2024-exercise/"


def test_json_download_of_nothing_is_valid_json(client, timeline):
    _, body = download(client, "json", "?q=nothing-matches-this")
    assert json.loads(body)["events"] == []


def test_csv_download_has_a_row_per_event(client, timeline):
    response, body = download(client, "csv", "?year_from=2024")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    expected = touching(Event.objects.public(), 2024)
    assert [row["slug"] for row in rows] == list(expected.values_list("slug", flat=True))
    by_slug = {row["slug"]: row for row in rows}
    talks = Event.objects.get(slug="li-qiang-golovchenko-talks-minsk")
    names = sorted(talks.actors.values_list("name", flat=True))
    assert by_slug[talks.slug]["actors"] == "; ".join(names)
    exercise = by_slug["eagle-assault-2024-exercise"]
    assert "chinese-troops-in-belarus-explainer" in exercise["sources"].split("; ")
    assert exercise["date_edtf"] == "2024-07-08/2024-07-19"
    assert exercise["status_reason"] == Event.objects.get(slug=exercise["slug"]).status_reason


def test_csv_download_neutralises_spreadsheet_formulas(client, db):
    EventFactory(title='=HYPERLINK("http://evil")', summary="+1 and more")
    _, body = download(client, "csv")
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["summary"] == "'+1 and more"


def test_ical_download_covers_what_is_known_of_each_date(client, timeline):
    response, body = download(client, "ics")
    calendar = Calendar.from_ical(body)
    entries = {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(entries) == Event.objects.public().count()
    visit = entries["li-shangfu-visits-belarus"]
    assert visit.decoded("dtstart").isoformat() == "2023-08-16"
    assert visit.decoded("dtend").isoformat() == "2023-08-19"  # exclusive end
    # Known only to the year: one day on its earliest possible day, not a 365-day event.
    trade = entries["trade-2023-above-8-4-billion"]
    assert trade.decoded("dtstart").isoformat() == "2023-01-01"
    assert trade.decoded("dtend").isoformat() == "2023-01-02"
    assert "Date: 2023" in str(trade["description"])
    assert "the earliest day the date allows" in str(trade["description"])
    assert str(visit["summary"]) == "Chinese defence minister Li Shangfu visits Belarus"


def test_timelinejs_download_leaves_out_unknown_date_parts(client, timeline):
    _, body = download(client, "timelinejs")
    data = json.loads(body)
    by_id = {e["unique_id"]: e for e in data["events"]}
    assert by_id["trade-2023-above-8-4-billion"]["start_date"] == {
        "year": 2023,
        "display_date": "2023",
    }
    assert "end_date" not in by_id["trade-2023-above-8-4-billion"]
    visit = by_id["li-shangfu-visits-belarus"]
    assert visit["start_date"]["day"] == 16
    assert visit["end_date"]["day"] == 18
    assert visit["group"] == "Security & defence"


def test_timelinejs_escapes_html(client, db):
    EventFactory(title="<script>alert(1)</script>", summary="<b>bold</b>")
    _, body = download(client, "timelinejs")
    event = json.loads(body)["events"][0]
    assert event["text"]["headline"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<b>" not in event["text"]["text"]


def test_atom_feed_lists_the_filtered_events(client, timeline):
    response = client.get("/feed/?category=diplomacy")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    diplomacy = Event.objects.public().filter(category="diplomacy")
    assert len(entries) == min(diplomacy.count(), FEED_LENGTH)
    titles = [e.find("{http://www.w3.org/2005/Atom}title").text for e in entries]
    statement = diplomacy.get(slug="comprehensive-strategic-partnership")
    assert f"{statement.date_display}: {statement.title}" in titles


@pytest.mark.parametrize("url", ["/export/csv/?year_from=abc", "/feed/?category=sport"])
def test_downloads_with_bad_filters_get_a_plain_400(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "could not be applied" in response.content.decode()


def test_unknown_export_format_is_404_naming_the_formats(client, db):
    response = client.get("/export/pdf/")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "There is no export format “pdf”; choose one of json, csv, csv-excel, ics, timelinejs, "
        "annotations.\n"
    )


def test_timeline_links_to_downloads_of_the_current_filter(client, timeline):
    html = client.get("/?category=security&page=1").content.decode()
    assert 'href="/export/csv/?category=security"' in html
    assert 'href="/export/csv-excel/?category=security"' in html
    assert 'href="/feed/?category=security"' in html


@pytest.mark.parametrize("fmt", ["json", "csv", "ics", "timelinejs"])
def test_export_queries_do_not_grow_with_the_number_of_events(client, db, fmt):
    def queries_for(count):
        for _ in range(count):
            CitationFactory()
        with CaptureQueriesContext(connection) as queries:
            download(client, fmt)
        return len(queries)

    assert queries_for(3) == queries_for(30)
