"""Each download read by the software its users read it with: feedparser for the Atom
feed, icalendar for iCalendar, a JSON Schema validator for the JSON, Python's csv
module as a spreadsheet would. TimelineJS itself: tests/e2e/test_timelinejs_browser.py."""

import csv
import datetime as dt
import io
import json
import unicodedata

import feedparser
import jsonschema
import pytest
from django.db import connection
from icalendar import Calendar

from relations.exports.csv import FORMULA_STARTS, INVISIBLE, spreadsheet_safe
from relations.exports.feeds import FEED_LENGTH
from relations.models import Event
from tests.factories import ActorFactory, CitationFactory, EventFactory

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/schemas/export-1.json"
NOTHING = "?q=nothing-matches-this"


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def with_raw_title(title, **fields):
    """An event whose title holds what validation refuses today but older data may hold."""
    if "\x00" in title and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store a NUL")
    event = EventFactory(**fields)
    Event.objects.filter(pk=event.pk).update(title=title, summary=f"Summary: {title}")
    return event


HOSTILE = [
    "<script>alert(1)</script>",
    "&lt;script&gt;alert(2)&lt;/script&gt;",
    "Form\x0cfeed",
    "Escape\x1b[31m",
    "Null\x00byte",
    "C1\x85next line",
    "<![CDATA[ ]]> ]]>",
]


# Atom -------------------------------------------------------------------------


def parse_feed(client, url):
    response, content = fetch(client, url)
    parsed = feedparser.parse(content)
    assert not parsed.bozo, parsed.bozo_exception
    return response, parsed


def test_feed_has_an_author_and_entries_feedparser_reads(client, timeline):
    _, feed = parse_feed(client, "/feed/")
    assert feed.version == "atom10"
    assert feed.feed.author == "Relations Timeline"
    assert len(feed.entries) == min(Event.objects.public().count(), FEED_LENGTH)
    assert all(entry.id.startswith("urn:uuid:") for entry in feed.entries)


def test_each_filter_has_its_own_feed_id_and_links(client, timeline):
    _, everything = parse_feed(client, "/feed/")
    _, security = parse_feed(client, "/feed/?category=security&junk=1&year_from=2023")
    assert security.feed.id != everything.feed.id
    links = {link.rel: link.href for link in security.feed.links}
    assert links["self"] == "http://testserver/feed/?category=security&year_from=2023"
    assert links["alternate"] == "http://testserver/?category=security&year_from=2023"
    # The same filters spelled differently are the same feed.
    _, again = parse_feed(client, "/feed/?year_from=2023&category=security")
    assert again.feed.id == security.feed.id


def test_feed_ids_do_not_depend_on_the_host_name(client, timeline, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    _, first = parse_feed(client, "/feed/")
    response = client.get("/feed/", headers={"Host": "mirror.example"})
    second = feedparser.parse(response.content)
    assert second.feed.id == first.feed.id
    assert [e.id for e in second.entries] == [e.id for e in first.entries]


def test_empty_feed_has_a_stable_updated(client, timeline):
    _, first = parse_feed(client, "/feed/" + NOTHING)
    assert first.entries == []
    _, second = parse_feed(client, "/feed/" + NOTHING)
    assert first.feed.updated == second.feed.updated


@pytest.mark.parametrize("payload", HOSTILE)
def test_feed_readers_see_hostile_text_as_text(client, db, payload):
    with_raw_title(payload)
    _, feed = parse_feed(client, "/feed/")
    entry = feed.entries[0]
    assert entry.summary_detail.type == "text/plain"
    visible = payload.translate({c: None for c in [*range(0x20), *range(0x7F, 0xA0)]})
    assert entry.summary == f"Summary: {visible}"
    assert entry.title.endswith(visible)
    assert "<script" not in entry.get("content", [{}])[0].get("value", "")


# iCalendar --------------------------------------------------------------------


def read_calendar(client, url, **headers):
    _, content = fetch(client, url, **headers)
    return Calendar.from_ical(content.decode())


def test_calendar_uids_are_the_same_from_every_host_name(client, timeline, settings):
    settings.ALLOWED_HOSTS = ["testserver", "[::1]", "mirror.example"]
    uids = [
        sorted(
            str(e["uid"]) for e in read_calendar(client, "/export/ics/", Host=host).walk("VEVENT")
        )
        for host in ("testserver", "[::1]:8000", "mirror.example")
    ]
    assert uids[0] == uids[1] == uids[2]
    assert "li-shangfu-visits-belarus@china-belarus-timeline" in uids[0]


def test_an_empty_calendar_still_holds_a_component(client, timeline):
    calendar = read_calendar(client, "/export/ics/" + NOTHING)
    assert calendar.walk("VEVENT") == []
    assert len(calendar.subcomponents) >= 1  # RFC 5545: one or more components
    assert str(calendar["version"]) == "2.0"


def test_long_lines_are_folded_without_splitting_characters(client, db):
    title = "Визит министра обороны Китая в Беларусь — 中国国防部长访问白俄罗斯 " * 4
    EventFactory(title=title.strip(), summary="Line one.\nLine two; with, punctuation\\.")
    _, content = fetch(client, "/export/ics/")
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    content.decode("utf-8")  # every fold fell between characters
    entry = Calendar.from_ical(content.decode()).walk("VEVENT")[0]
    assert str(entry["summary"]) == title.strip()
    assert str(entry["description"]).startswith("Line one.\nLine two; with, punctuation\\.")


@pytest.mark.parametrize("payload", HOSTILE)
def test_calendar_with_hostile_text_parses(client, db, payload):
    with_raw_title(payload)
    entry = read_calendar(client, "/export/ics/").walk("VEVENT")[0]
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in str(entry["summary"]))


# JSON -------------------------------------------------------------------------


@pytest.fixture
def schema(client):
    response = client.get(SCHEMA_URL)
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validate(document, schema):
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


@pytest.mark.parametrize(
    "query", ["", "?category=security&category=trade&year_from=2020&actor=china", NOTHING]
)
def test_json_export_follows_its_published_schema(client, timeline, schema, query):
    _, content = fetch(client, "/export/json/" + query)
    document = json.loads(content)
    validate(document, schema)
    assert document["format_version"].startswith("1.")
    assert document["schema"] == "http://testserver" + SCHEMA_URL
    assert schema["$id"] == document["schema"]


def test_json_export_names_its_filters(client, timeline, schema):
    _, content = fetch(client, "/export/json/?year_to=2020&category=trade&junk=x")
    assert json.loads(content)["filters"] == {"category": ["trade"], "year_to": ["2020"]}


def test_schema_refuses_a_field_it_does_not_document(client, timeline, schema):
    """So that a new field in the export fails this test until the schema has it."""
    _, content = fetch(client, "/export/json/")
    document = json.loads(content)
    document["events"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        validate(document, schema)


@pytest.mark.parametrize("payload", HOSTILE)
def test_json_exports_carry_no_control_characters(client, db, payload, schema):
    with_raw_title(payload)
    for fmt in ("json", "timelinejs"):
        _, content = fetch(client, f"/export/{fmt}/")
        text = json.dumps(json.loads(content))
        assert not any(f"\\u00{n:02x}" in text for n in [*range(0x20), *range(0x7F, 0xA0)])
        if fmt == "json":
            validate(json.loads(content), schema)


# TimelineJS -------------------------------------------------------------------


def test_timelinejs_shows_a_range_once(client, timeline):
    _, content = fetch(client, "/export/timelinejs/")
    visit = next(
        e for e in json.loads(content)["events"] if e["unique_id"] == "li-shangfu-visits-belarus"
    )
    assert visit["display_date"] == "16–18 August 2023"
    assert visit["start_date"]["display_date"] == "16 August 2023"
    assert visit["end_date"]["display_date"] == "18 August 2023"


# CSV --------------------------------------------------------------------------


def test_excel_csv_starts_with_a_byte_order_mark_and_is_otherwise_the_same(client, timeline):
    _, plain = fetch(client, "/export/csv/")
    excel_response, excel = fetch(client, "/export/csv-excel/")
    assert excel.startswith(b"\xef\xbb\xbf")
    assert excel[3:] == plain
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel_response["Content-Disposition"].endswith('-excel.csv"')
    rows = list(csv.DictReader(io.StringIO(excel.decode("utf-8-sig"))))
    assert rows[0]["slug"]


@pytest.mark.parametrize(
    "title",
    [
        "=1+1",
        " =1+1",
        "\n=1+1",
        "\u00a0=1+1",
        "\u3000=1+1",
        "＝1+1",
        " ＋1",
        "－1",
        "＠SUM(A1)",
        "\u200b=1+1",
        "\t@SUM(A1)",
        "\r+1",
    ],
)
def test_csv_neutralises_formulas_behind_blanks_and_in_full_width(client, db, title):
    EventFactory(title="placeholder")
    Event.objects.update(title=title)
    _, content = fetch(client, "/export/csv/")
    row = next(csv.DictReader(io.StringIO(content.decode())))
    assert row["title"] == "'" + title


@pytest.mark.parametrize("title", ["Talks in Minsk", "1+1 talks", "Belarus–China = partners"])
def test_csv_leaves_ordinary_text_alone(client, db, title):
    EventFactory(title=title)
    _, content = fetch(client, "/export/csv/")
    assert next(csv.DictReader(io.StringIO(content.decode())))["title"] == title


def test_csv_settles_a_plain_first_character_as_stripping_and_nfkc_would(db):
    """spreadsheet_safe's shortcut for ordinary first characters gives what the full
    rule (strip blanks and invisible characters, then NFKC) gives, for every one."""

    def full_rule(value):
        first = value.lstrip().lstrip(INVISIBLE).lstrip()[:1]
        if value[0] in FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS:
            return "'" + value
        return value

    for code in range(0x110000):
        for value in (chr(code) + "x", chr(code) + "=x", " " + chr(code)):
            assert spreadsheet_safe(value) == full_rule(value), repr(value)


# File names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/export/csv/", "china-belarus-timeline.csv"),
        (
            "/export/ics/?category=trade&category=security&year_from=2020",
            "china-belarus-timeline_category-security-trade_from-2020.ics",
        ),
        (
            "/export/json/?q=Li+Shangfu&status=confirmed&order=-date",
            "china-belarus-timeline_search-li-shangfu_status-confirmed_newest-first.json",
        ),
        ("/export/timelinejs/?actor=china", "china-belarus-timeline_actor-china.timelinejs.json"),
    ],
)
def test_download_names_say_what_was_filtered(client, timeline, url, name):
    response = client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_download_name_of_a_search_without_latin_letters_stays_ascii(client, timeline):
    response = client.get("/export/csv/?q=白俄罗斯")
    name = response["Content-Disposition"]
    assert name.isascii()
    assert "_search-" in name


def test_export_of_many_actors_and_citations_keeps_each_with_its_event(client, db):
    actors = ActorFactory.create_batch(3)
    first = EventFactory(actors=actors[:2], start_date=dt.date(2020, 1, 1))
    second = EventFactory(actors=actors[2:], start_date=dt.date(2021, 1, 1))
    CitationFactory(event=first)
    _, content = fetch(client, "/export/json/")
    events = json.loads(content)["events"]
    assert [len(e["actors"]) for e in events] == [2, 1]
    assert [len(e["citations"]) for e in events] == [1, 0]
    assert events[1]["slug"] == second.slug
