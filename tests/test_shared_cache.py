"""Several servers on one Redis (CACHE_URL), and the readiness check that load balancers use."""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client, override_settings

from relations import views
from relations.models import Event, TimelineVersion
from tests.conftest import FIXTURE
from tests.factories import EventFactory

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# Redis database 14 is the tests' own: nothing else on the machine uses it.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
HTMX = {"HX-Request": "true"}


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the tests' Redis database, removed afterwards."""
    try:
        client = redis_client()
        client.ping()
    except Exception as error:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); start redis-server")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def redis_caches(prefix, location=REDIS_URL):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_readyz_answers_ready_when_database_and_cache_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_503_when_the_database_does_not(client, db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: database unavailable\n"


def test_readyz_answers_503_when_the_cache_does_not(client, db):
    # Nothing listens on port 1: the Redis client's connection is refused.
    with override_settings(CACHES=redis_caches("down", "redis://127.0.0.1:1/0")):
        response = client.get("/readyz")
        healthz = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"not ready: cache unavailable\n"
    assert healthz.status_code == 200  # liveness needs neither the database nor the cache


def test_with_a_shared_cache_the_data_version_is_still_the_databases(db, redis_prefix):
    with override_settings(CACHES=redis_caches(redis_prefix)):
        before = TimelineVersion.current()
        EventFactory()
        after = TimelineVersion.current()
    assert after == TimelineVersion.objects.get().number != before


def test_timeline_served_from_redis_shows_an_edit_at_once(client, timeline, redis_prefix):
    with override_settings(CACHES=redis_caches(redis_prefix)):
        total = Event.objects.public().count()
        security = Event.objects.public().filter(category="security").count()
        showing = f"Showing {security} of {total} events."
        assert showing in client.get("/?category=security").content.decode()
        assert list(redis_client().scan_iter(f"{redis_prefix}:*timeline-results*"))
        EventFactory(title="Brand new event", category="security")
        html = client.get("/?category=security", headers=HTMX).content.decode()
    assert f"Showing {security + 1} of {total + 1} events." in html
    assert "Brand new event" in html


def test_pages_past_the_end_add_no_redis_keys(client, timeline, redis_prefix, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    pages = -(-Event.objects.public().count() // views.PAGE_SIZE)
    redis = redis_client()
    with override_settings(CACHES=redis_caches(redis_prefix)):
        for n in range(1, pages + 1):
            client.get(f"/?page={n}", headers=HTMX)
        keys = set(redis.scan_iter(f"{redis_prefix}:*"))
        assert sum(b"timeline-results:" in key for key in keys) == pages

        for n in range(pages + 1, pages + 5001):
            assert client.get(f"/?page={n}", headers=HTMX).status_code == 200
        assert set(redis.scan_iter(f"{redis_prefix}:*")) == keys


# Two servers on one Redis --------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FormFields(HTMLParser):
    """The values a browser would submit from the page's form with id `form_id`."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in attrs.get("name", ""):
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            checkable = attrs.get("type") in ("checkbox", "radio")
            if not checkable or "checked" in attrs:
                # An empty text input has no value attribute; a checkbox without one sends "on".
                self.fields.append((name, attrs.get("value", "on" if checkable else "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = name
            self.fields.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


class Browser:
    """A client with its own cookies, for one server."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path, headers=None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()

    def post(self, path, fields):
        csrf = next(c.value for c in self.cookies if c.name == "csrftoken")
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.base + path, "X-CSRFToken": csrf},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def submit(self, path, form_id, changes):
        parser = FormFields(form_id)
        parser.feed(self.get(path))
        fields = dict(parser.fields)
        # Leave the blank extra inline forms out, as if the editor had removed them.
        extra = {
            name: fields[name.replace("TOTAL", "INITIAL")]
            for name in fields
            if name.endswith("-TOTAL_FORMS")
        }
        fields = [
            (name, changes.get(name, extra.get(name, value))) for name, value in parser.fields
        ]
        return self.post(path, fields)


@pytest.fixture
def two_servers(tmp_path, redis_prefix):
    """Two gunicorn servers (the production configuration, two workers each) on one SQLite
    file and one Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": redis_prefix,
        "TIMELINE_CACHE_SECONDS": "600",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "-v0"],
        ["import_timeline", str(FIXTURE), "-v0"],
        ["shell", "-c", "from django.contrib.auth.models import User; "
         "User.objects.create_superuser('editor', '', 'a-long-test-password')"],
    ):  # fmt: skip
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, timeout=120)
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_until_ready(f"http://127.0.0.1:{port}")
        yield [Browser(f"http://127.0.0.1:{port}") for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def wait_until_ready(base):
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def test_an_edit_on_one_server_is_seen_on_the_other_at_once(two_servers, redis_prefix):
    first, second = two_servers
    query = "/?category=security"
    before = second.get(query, HTMX)
    assert "Chinese defence minister Li Shangfu visits Belarus" in before
    assert second.get(query, HTMX) == before  # now served from the shared cache
    assert list(redis_client().scan_iter(f"{redis_prefix}:*timeline-results*"))

    first.get("/admin/login/")
    credentials = {"username": "editor", "password": "a-long-test-password", "next": "/admin/"}
    first.post("/admin/login/", credentials)
    listing = first.get("/admin/relations/event/?q=Chinese+defence+minister+Li+Shangfu")
    change = re.search(r'href="(/admin/relations/event/\d+/change/)[^"]*"', listing).group(1)
    url, _ = first.submit(change, "event_form", {"title": "Li Shangfu's visit, edited on one"})
    assert url.endswith("/admin/relations/event/"), "the admin refused the edit"

    after = second.get(query, HTMX)
    assert "Li Shangfu&#x27;s visit, edited on one" in after
    assert "Chinese defence minister Li Shangfu visits Belarus" not in after


# The data version moves with the transaction --------------------------------------------


def redis_down():
    """Every command to Redis fails, as when it restarts or the network drops."""
    import redis

    return mock.patch(
        "redis.Redis.execute_command", side_effect=redis.exceptions.ConnectionError("Redis is down")
    )


@pytest.mark.django_db(transaction=True)
def test_a_save_while_redis_is_down_succeeds_and_every_server_shows_it(admin_client, redis_prefix):
    event = EventFactory(title="Ministers talk about potash", publication="draft")
    reader = Client()
    with override_settings(CACHES=redis_caches(redis_prefix)):
        before = reader.get("/?q=potash", headers=HTMX).content.decode()
        assert "Ministers talk about potash" not in before
        assert list(redis_client().scan_iter(f"{redis_prefix}:*timeline-results*"))
        with redis_down():
            response = admin_client.post(
                f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}
            )
        assert response.status_code == 302
        after = reader.get("/?q=potash", headers=HTMX).content.decode()
    assert "Ministers talk about potash" in after


def test_an_import_without_cache_url_is_seen_by_servers_on_redis(
    client, db, redis_prefix, tmp_path
):
    fixture = tmp_path / "one-event.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "relations.event",
                    "fields": {
                        "publication": "published",
                        "slug": "potash-talks",
                        "title": "Ministers talk about potash",
                        "summary": "They talk.",
                        "date_edtf": "2024-08-22",
                        "category": "trade",
                        "created_at": "2026-12-01T10:00:00Z",
                        "updated_at": "2026-12-01T10:00:00Z",
                    },
                }
            ]
        )
    )
    with override_settings(CACHES=redis_caches(redis_prefix)):
        assert "Ministers talk about potash" not in client.get("/", headers=HTMX).content.decode()
    call_command("import_timeline", str(fixture), verbosity=0)  # the per-process cache
    with override_settings(CACHES=redis_caches(redis_prefix)):
        after = client.get("/", headers=HTMX).content.decode()
    assert "Ministers talk about potash" in after
