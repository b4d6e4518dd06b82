"""The production server settings (config/gunicorn.conf.py): a slow download, recycled workers.

A client that reads an export more slowly than gunicorn's worker timeout is the
case that used to end in a truncated 200: a sync worker blocked on sending is
killed by the arbiter. With the threaded workers of the production settings the
download completes; with sync workers (the control) it does not.
"""

import http.client
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 2  # gunicorn's worker timeout for this test, in seconds
SLOW_SECONDS = 2 * TIMEOUT
EVENTS, SUMMARY = 1500, "A long summary of talks between ministers. " * 100  # ~6 MB of CSV

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="serves a SQLite file; the settings are not per database"
)

SEED = f"""
import datetime as dt
from relations.models import Event
Event.objects.bulk_create(
    Event(slug=f"event-{{n}}", title=f"Event {{n}}", summary={SUMMARY!r},
          start_date=dt.date(2000, 1, 1) + dt.timedelta(days=n), category="trade",
          publication="published")
    for n in range({EVENTS})
)
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    for command in (["migrate", "-v0"], ["shell", "-c", SEED]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=120
        )
    return env


class SlowReader(http.client.HTTPConnection):
    """A client with a small receive buffer, so the server blocks on sending."""

    def connect(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(30)
        self.sock.connect((self.host, self.port))


def serve(environment, *extra, **settings):
    port = free_port()
    env = {
        **environment,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_TIMEOUT": str(TIMEOUT),
        "WEB_CONCURRENCY": "1",
        **settings,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", *extra, "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def slow_download(port):
    """(status, rows read) of the full CSV, read slowly for SLOW_SECONDS; raises if cut."""
    client = SlowReader("127.0.0.1", port)
    client.request("GET", "/export/csv/", headers={"Accept-Encoding": "identity"})
    response = client.getresponse()
    started, body = time.monotonic(), []
    while chunk := response.read(4096):
        body.append(chunk)
        if time.monotonic() - started < SLOW_SECONDS:
            time.sleep(0.02)
    return response.status, b"".join(body).count(b"\r\n") - 1


def test_a_download_slower_than_the_worker_timeout_completes(environment):
    server, port = serve(environment)
    try:
        assert slow_download(port) == (200, EVENTS)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_control_sync_workers_cut_the_same_download(environment):
    # One thread: gunicorn turns a sync worker with threads into a gthread one.
    server, port = serve(environment, "--worker-class", "sync", "--threads", "1")
    try:
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            slow_download(port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def get_status(port, path, headers=None):
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", path, headers=headers or {})
        return client.getresponse().status
    finally:
        client.close()


def worker_pids(server):
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return set(children.read_text().split())


def test_workers_forked_from_the_preloaded_arbiter_keep_answering_as_they_are_recycled(
    environment,
):
    """The app and its caches are loaded once in the arbiter; every worker, the first and
    each that replaces a recycled one, is forked from it with no database connection
    of the arbiter's (a shared one would mix two processes' queries on one socket)."""
    server, port = serve(environment, GUNICORN_MAX_REQUESTS="3", GUNICORN_MAX_REQUESTS_JITTER="0")
    try:
        # The arbiter listens before it forks: the first answer needs the first worker.
        statuses = [get_status(port, "/healthz")]
        first_workers = worker_pids(server)
        assert first_workers
        for n in range(12):
            path = "/" if n % 2 else "/?category=trade&year_from=2001"
            statuses.append(get_status(port, path, {"HX-Request": "true"} if n % 3 else {}))
        assert statuses == [200] * 13
        assert worker_pids(server) != first_workers  # the worker was replaced on the way
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_arbiter_fills_the_caches_and_lets_go_of_the_database_before_forking(monkeypatch):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "config/gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.preload_app is True
    calls = []
    monkeypatch.setattr("relations.frontpage.warm", lambda: calls.append("warm"))
    monkeypatch.setattr("django.db.connections.close_all", lambda: calls.append("close"))
    conf.when_ready(type("Arbiter", (), {"log": logging.getLogger("gunicorn.error")}))
    assert calls == ["warm", "close"]
