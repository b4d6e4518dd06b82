"""gunicorn's production settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Threaded workers (gthread): a request runs in one of a worker's threads, and the
worker's main thread keeps telling the arbiter it is alive, so a download that
streams for longer than `timeout` is not killed half-way (a sync worker would
be, and its client would get a truncated 200). One slow client or four full
exports occupy four threads, not four processes: the other threads keep
answering readers.

Each value can be overridden from the environment, e.g. GUNICORN_BIND=0.0.0.0:8000.
"""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# gunicorn's usual advice, 2 × cores + 1 processes; WEB_CONCURRENCY is the
# conventional override (Heroku, Dokku, render.com set it).
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 4)
# How long a worker may go without reporting alive before the arbiter restarts it.
# With gthread that is the main loop, not a request, so long downloads are safe.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Load Django once, in the arbiter, and fork the workers from it warm (when_ready
# below): a worker that replaces a recycled one starts at once instead of
# importing Django and filling the caches (about a second of CPU at 100,000
# events) while its siblings wait for the cores. Code changes need a restart,
# not a HUP.
preload_app = True
# Recycle workers now and then so that memory fragmentation never accumulates:
# insurance only, since the caches a worker keeps are bounded. Each recycle
# still costs the requests on that worker's connections a reconnect (at 2,000
# the trivial view's p99 under load was 190 ms instead of 25).
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# The heartbeat file on a memory file system: a slow disk cannot stall it.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only the local proxy may set X-Forwarded-* (DJANGO_BEHIND_TLS_PROXY=1 trusts it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Access log off unless asked for (e.g. GUNICORN_ACCESS_LOG=-): the proxy in front keeps one.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")
# gunicorn 27's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl),
# so a second server on the machine would take it over; nothing here uses it.
control_socket_disable = True
errorlog = "-"


def when_ready(server):
    """Fill the caches every page shares before the first worker is forked from the arbiter.

    The workers inherit them; the database connection used to fill them is
    closed first, so that no two processes share it.
    """
    _warm(server.log)
    from django.db import connections

    connections.close_all()
    _build_exports(server.log)


def post_worker_init(worker):
    """Fill the caches again if the data changed since the arbiter filled them (a worker
    that replaces a recycled one); with the arbiter's still current, this costs a lookup."""
    _warm(worker.log)


def _warm(log):
    """Key numbers and filter options (relations.frontpage.warm).

    A database that does not answer yet is no reason not to serve: the first
    page then fills them instead.
    """
    try:
        from relations.frontpage import warm

        warm()
    except Exception:  # logged; the worker serves, and its first page fills them
        log.exception("Could not fill the timeline's caches at start")


def _build_exports(log):
    """Write the whole timeline's downloads that were asked for before (manage.py
    build_exports), once for all workers, in a process of its own beside them: the
    workers serve meanwhile, and a download of a file being written waits for it."""
    try:
        from relations.exports import files

        if not files.known():
            return  # nothing downloaded yet, or files not kept
        manage = Path(__file__).resolve().parent.parent / "manage.py"
        # The arbiter reaps it as it reaps any child.
        subprocess.Popen([sys.executable, str(manage), "build_exports", "--verbosity", "0"])
    except Exception:  # logged; the first download writes the file instead
        log.exception("Could not start writing the timeline's downloads")
