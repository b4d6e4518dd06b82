"""Writers of timeline data on PostgreSQL take their locks in one order, and an admin write
that PostgreSQL gives up on to break a deadlock is tried again."""

import threading
from unittest import mock

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.db.models.signals import post_save

from relations.models import Event, publish, return_to_draft
from tests.factories import EventFactory

WAIT_SECONDS = 20


def run_in_thread(function, failures):
    def target():
        try:
            function()
        except Exception as error:  # reported by the test, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def wait_for_a_lock_wait():
    """Until another transaction waits for a lock (this thread's connection asks)."""
    waiting = threading.Event()
    for _ in range(WAIT_SECONDS * 20):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
        waiting.wait(0.05)
    raise AssertionError("the other writer never waited for a lock")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's write transactions run one at a time (IMMEDIATE): they cannot deadlock",
)
@pytest.mark.django_db(transaction=True)
def test_two_editors_returning_the_same_events_to_draft_in_opposite_orders_never_deadlock():
    editor = User.objects.create_superuser("editor", password="a-long-test-password")
    EventFactory.create_batch(2)
    first_saved = threading.Event()
    one_editor = []

    def pause_after_the_first_save(sender, instance, **kwargs):
        # The first editor has written one event; the second starts and must wait for it.
        if threading.current_thread() is one_editor[0] and not first_saved.is_set():
            first_saved.set()
            wait_for_a_lock_wait()

    def the_other_editor():
        assert first_saved.wait(WAIT_SECONDS)
        return_to_draft(list(Event.objects.order_by("-pk")), editor)

    failures = []
    post_save.connect(pause_after_the_first_save, sender=Event)
    try:
        one_editor.append(
            run_in_thread(
                lambda: return_to_draft(list(Event.objects.order_by("pk")), editor), failures
            )
        )
        other = run_in_thread(the_other_editor, failures)
        for thread in (one_editor[0], other):
            thread.join(WAIT_SECONDS * 3)
    finally:
        post_save.disconnect(pause_after_the_first_save, sender=Event)
    assert failures == []
    assert set(Event.objects.values_list("publication", flat=True)) == {"draft"}


def deadlock():
    """(Django's error, psycopg's) as PostgreSQL's "deadlock detected" raises them."""
    return OperationalError("deadlock detected"), psycopg.errors.DeadlockDetected()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL ends a transaction to break a deadlock",
)
@pytest.mark.django_db(transaction=True)
def test_an_admin_write_ended_by_a_deadlock_is_tried_again_from_the_start(admin_client):
    event = EventFactory(publication="draft")
    calls = []

    def deadlocked_once(records, user):
        calls.append(records)
        if len(calls) == 1:
            Event.objects.filter(pk=event.pk).update(notes="half done")
            error, cause = deadlock()
            raise error from cause
        return publish(records, user)

    with mock.patch("relations.editing.publishing.publish", deadlocked_once):
        response = admin_client.post(
            f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}
        )
    assert response.status_code == 302
    assert len(calls) == 2
    event.refresh_from_db()
    assert (event.publication, event.notes) == ("published", "")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL ends a transaction to break a deadlock",
)
@pytest.mark.django_db(transaction=True)
def test_an_admin_write_deadlocked_every_time_gets_a_503(admin_client):
    event = EventFactory(publication="draft")

    def deadlocked(records, user):
        error, cause = deadlock()
        raise error from cause

    with mock.patch("relations.editing.publishing.publish", deadlocked):
        response = admin_client.post(
            f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}
        )
    assert response.status_code == 503
    assert response["Retry-After"]
