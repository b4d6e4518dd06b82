"""Update rows change only the columns the file has: a missing column leaves its
field as it is, an empty cell in a present column empties it."""

import pytest
from django.utils.text import slugify

from relations.editing.spreadsheets import apply, preview
from relations.models import Event
from tests.editing.test_spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(timeline):
    event = (
        Event.objects.exclude(actors=None)
        .exclude(date_note="")
        .exclude(date_edtf__contains="/")
        .first()
    )
    assert event is not None and event.summary
    # A draft, which an update changes in place (a published event gets a revision).
    Event.objects.filter(pk=event.pk).update(publication=Event.Publication.DRAFT)
    event.refresh_from_db()
    return event


def test_an_update_of_a_published_event_without_actors_proposes_no_actor_change(timeline):
    event = Event.objects.public().exclude(actors=None).first()
    data = table([row(event, title=event.title + " (corrected)")])

    [outcome] = preview(data, "events.csv")
    apply([outcome])

    [revision] = event.revisions.all()
    assert revision.values == {"title": event.title + " (corrected)"}


def row(event, **values):
    return {
        "slug": event.slug,
        "title": event.title,
        "start_date": str(event.start_date),
        "category": event.category,
        **values,
    }


def table(rows):
    header = list(rows[0])
    return csv_bytes([header] + [[r[name] for name in header] for r in rows])


def test_a_file_without_actors_summary_or_date_note_leaves_them_unchanged(event):
    actors = set(event.actors.all())
    summary, date_note = event.summary, event.date_note
    data = table([row(event, title=event.title + " (corrected)")])

    [outcome] = preview(data, "events.csv")
    assert (outcome.outcome, outcome.changes) == ("update", ["title"])
    apply([outcome])

    event.refresh_from_db()
    assert event.title.endswith("(corrected)")
    assert set(event.actors.all()) == actors
    assert (event.summary, event.date_note) == (summary, date_note)


def test_an_empty_cell_in_a_present_column_still_empties_the_field(event):
    data = table([row(event, actors="", date_note="", summary=event.summary)])
    [outcome] = preview(data, "events.csv")
    assert outcome.changes == ["date_note", "actors"]
    apply([outcome])
    event.refresh_from_db()
    assert (list(event.actors.all()), event.date_note) == ([], "")


def test_a_timelinejs_update_keeps_the_events_actors(event):
    data = csv_bytes(
        [
            ["Year", "Month", "Day", "Headline", "Group"],
            [
                event.start_date.year,
                event.start_date.month,
                event.start_date.day,
                event.title,
                event.category,
            ],
        ]
    )
    slug = slugify(f"{event.title} {event.start_date.year}")[:100].strip("-")
    Event.objects.filter(pk=event.pk).update(slug=slug)
    actors = set(event.actors.all())
    [outcome] = preview(data, "t.csv")
    assert "actors" not in outcome.changes
    apply([outcome])
    event.refresh_from_db()
    assert set(event.actors.all()) == actors
    assert event.date_note
