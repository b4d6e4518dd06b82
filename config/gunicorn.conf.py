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
# Recycle workers now and then so that memory fragmentation never accumulates.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
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


def post_worker_init(worker):
    """Fill the caches every page shares (key numbers, filter options) before taking requests.

    A database that does not answer yet is no reason to stop the worker: the
    first page then fills them instead.
    """
    try:
        from relations.frontpage import warm

        warm()
    except Exception:  # logged; the worker serves, and its first page fills them
        worker.log.exception("Could not fill the timeline's caches at start")
