"""A database or Redis that does not answer: a 503 page and one log line per request."""

import logging
from unittest import mock

import pytest
import redis
from django.db import InterfaceError, OperationalError, connection
from django.test import override_settings

from relations import middleware
from tests.test_shared_cache import redis_caches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_traceback_logged_yet(monkeypatch):
    monkeypatch.setattr(middleware, "traceback_logged_at", None)


def requests_while(client, caplog, outage, count=3):
    with caplog.at_level(logging.INFO), outage:
        return [client.get("/?category=trade") for _ in range(count)]


def assert_unavailable(responses, caplog, service):
    for response in responses:
        html = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
        assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
        assert "<h1>The timeline is briefly unavailable</h1>" in html
    lines = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.getMessage() for record in lines] == [
        lines[0].getMessage() for _ in responses
    ]  # one line a request, and none from django.request
    assert f"503 for GET /: the {service} does not answer" in lines[0].getMessage()
    assert lines[0].exc_info is not None  # the first traceback of the minute
    assert all(record.exc_info is None for record in lines[1:])


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_that_does_not_answer_gets_a_503_page(client, caplog, error):
    outage = mock.patch.object(connection, "cursor", side_effect=error("connection refused"))
    assert_unavailable(requests_while(client, caplog, outage), caplog, "database")


def test_a_redis_that_does_not_answer_gets_a_503_page(client, caplog):
    # Nothing listens on port 1: the Redis client's connection is refused.
    outage = override_settings(CACHES=redis_caches("down", "redis://127.0.0.1:1/0"))
    assert_unavailable(requests_while(client, caplog, outage), caplog, "cache")


def test_a_redis_that_times_out_gets_a_503_page(client, caplog):
    slow = mock.patch(
        "redis.Redis.execute_command", side_effect=redis.exceptions.TimeoutError("Timeout")
    )
    with override_settings(CACHES=redis_caches("slow")):
        responses = requests_while(client, caplog, slow)
    assert_unavailable(responses, caplog, "cache")


def test_the_traceback_is_logged_again_after_a_minute(client, caplog, monkeypatch):
    outage = mock.patch.object(connection, "cursor", side_effect=OperationalError("gone"))
    requests_while(client, caplog, outage, count=1)
    monkeypatch.setattr(middleware, "traceback_logged_at", middleware.traceback_logged_at - 61)
    caplog.clear()
    requests_while(client, caplog, outage, count=1)
    assert caplog.records[-1].exc_info is not None


def test_other_errors_are_still_server_errors(client, monkeypatch):
    monkeypatch.setattr("relations.items.items", mock.Mock(side_effect=RuntimeError))
    client.raise_request_exception = False
    assert client.get("/?category=energy").status_code == 500
