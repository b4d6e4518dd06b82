"""Prepared queries and paths without reverse(): the same answers as the ORM and reverse()."""

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse, set_script_prefix

from relations.models import Event
from relations.paths import path
from relations.prepared import Prepared
from tests.factories import EventFactory, SourceFactory

pytestmark = pytest.mark.django_db

BY_SLUG = Prepared(lambda slug: Event.objects.public().filter(slug=slug).order_by(), str)
BY_IDS = Prepared(lambda ids: Event.objects.filter(pk__in=ids).order_by("pk"), list)
DATES = Prepared(lambda ids: Event.objects.filter(pk__in=ids).values_list("pk", "start_date"), list)


def test_a_prepared_query_gives_the_rows_the_orm_gives_for_each_value():
    first = EventFactory(slug="first-event", title="First")
    second = EventFactory(slug="second-event", title="Second")
    for event in (first, second):
        (found,) = BY_SLUG(event.slug)
        assert (found.pk, found.title, found.start_date) == (
            event.pk,
            event.title,
            event.start_date,
        )
    assert BY_SLUG("no-such-event") == []


def test_a_prepared_query_reads_only_published_events_as_its_queryset_says():
    draft = EventFactory(slug="a-draft", publication=Event.Publication.DRAFT)
    assert BY_SLUG(draft.slug) == []


def test_a_list_of_ids_of_any_length_is_answered_like_the_orm():
    events = EventFactory.create_batch(4)
    ids = [event.pk for event in events]
    for wanted in ([], ids[:1], ids[1:3], ids, [ids[2], 999_999]):
        assert [event.pk for event in BY_IDS(wanted)] == sorted(pk for pk in wanted if pk in ids)


def test_values_come_back_converted_as_the_orm_converts_them():
    event = EventFactory(date_edtf="2013-07-16")
    assert DATES([event.pk]) == [(event.pk, dt.date(2013, 7, 16))]


def test_a_query_whose_value_is_not_a_plain_parameter_is_refused():
    annotated = Prepared(lambda slug: Event.objects.filter(slug=slug).annotate(y=F("pk")), str)
    with pytest.raises(ValueError):
        annotated("anything")


@pytest.mark.parametrize("prefix", ["/", "/timeline/"])
def test_paths_are_those_reverse_gives_under_each_script_prefix(prefix):
    event, source = EventFactory(slug="a-visit-2013"), SourceFactory(slug="xinhua_2013-1")
    set_script_prefix(prefix)
    try:
        assert event.get_absolute_url() == reverse("relations:event", args=[event.slug])
        assert event.get_absolute_url().startswith(prefix)
        assert source.get_absolute_url() == reverse("relations:source", args=[source.slug])
        assert path("relations:about") == reverse("relations:about")
    finally:
        set_script_prefix("/")
