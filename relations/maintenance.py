"""Maintenance mode while `import_timeline` writes to an SQLite database.

SQLite lets one writer at a time, and an import is one transaction (all or
nothing), so for its whole run every other write would wait 20 s and then fail
with "database is locked". Instead, the import leaves a marker file beside the
database while it runs, and MaintenanceMiddleware answers every write request
(POST and the like: admin saves, logins) with a 503 that says why and when to
retry. Readers are not affected: WAL mode lets them read the last committed
state throughout. PostgreSQL locks rows, not the database, so it needs none of
this: editors keep saving during an import there.

The importer holds an exclusive lock (flock) on the marker while it runs, which
the system drops when the process ends however it ends: a marker nobody holds
was left by an import that no longer runs (killed) and is ignored. A process id
would not do: the system gives a dead importer's id to other processes.
"""

import fcntl
import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.db import OperationalError, connection
from django.shortcuts import render

RETRY_AFTER_SECONDS = 60


def marker_path():
    """Beside the SQLite file; None on other databases and in memory (one process only)."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    return Path(f"{connection.settings_dict['NAME']}.import-running")


@contextmanager
def import_running(path):
    """Maintenance mode for the duration of the block (SQLite only)."""
    marker = marker_path()
    if marker is None:
        yield
        return
    with held(marker) as held_marker:
        started = datetime.now(UTC).strftime("%H:%M UTC")
        held_marker.write(json.dumps({"pid": os.getpid(), "started": started, "file": str(path)}))
        held_marker.flush()
        try:
            yield
        finally:
            marker.unlink(missing_ok=True)


@contextmanager
def held(marker):
    """The marker file, opened and locked by this process until the block ends."""
    while True:
        with open(marker, "a+") as opened:
            fcntl.flock(opened, fcntl.LOCK_EX)  # another import: wait for it to end
            if marker.exists() and os.path.samefile(marker, opened.fileno()):
                opened.truncate(0)
                yield opened
                return
        # The import waited for removed its marker: make a new one.


def running_import():
    """{"pid", "started", "file"} of the import now running, or None."""
    marker = marker_path()
    if marker is None:
        return None
    try:
        with open(marker) as opened:
            try:
                fcntl.flock(opened, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # held: the import runs
                return json.loads(opened.read())
    except (OSError, ValueError):
        pass  # no marker, or one being written
    return None  # no marker, or nobody holds it: its import is over


class MaintenanceMiddleware:
    """While an import runs on SQLite, writes get a 503 instead of "database is locked"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            running = running_import()
            if running is not None:
                return paused(request, running)
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A write that waited out the busy timeout behind a long write on SQLite."""
        if isinstance(exception, OperationalError) and "database is locked" in str(exception):
            return paused(request, None)
        return None


def paused(request, running):
    response = render(request, "maintenance.html", {"import": running}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
