"""`make bench`: how fast the app is with 10k and 100k events, on SQLite and PostgreSQL.

For each database and data set it seeds the events (bench/seed.py, once; an
existing data set is migrated before use), serves the app with gunicorn in
production settings (config/gunicorn.conf.py) and loads it from a second
process on loopback with wrk, 8 connections (8 concurrent users), for
--seconds per scenario. The parts, each of which --only can choose:

- cached: fixed URLs with the result cache on, as production runs, and a
  worker's memory while a full export streams;
- first-requests: the first request for a query, on a server whose result
  cache is off: each request a different random query (bench/combos.py,
  fixed seeds), as a fragment and as a full page, once for any combination of
  filters and once per filter kind (every query of that run uses the kind), so
  that each kind has its own p95; a different event page each request; a CSV
  export of a different filtered timeline each request;
- abusive: searches a hostile client can type (a hundred one-letter words, …);
- full-exports: the full CSV and JSON exports, alone, timed and checked complete;
- concurrent-exports: four full exports at once beside readers (largest data set);
- edits: what an edit costs the server processes: the first requests after it
  against warm ones;
- axis: the time axis timed in-process.

Beside every figure stands the trivial view's on the same server in the same
run, and the ratio to it. Any 5xx answer stops the run with an error. Writes
BENCHMARKS.md, with the targets of the read-model issue beside the figures.

    bench/run.py                                  everything (make bench)
    bench/run.py --engines sqlite --sizes 100000 --only first-requests
    bench/run.py --engines sqlite --sizes 10000 --seconds 3

The environment variables BENCH_DATABASES, BENCH_EVENTS, BENCH_SECONDS,
BENCH_SCENARIOS (first: first-requests only) and BENCH_KEEP give the defaults
of --engines, --sizes, --seconds, --only and --keep; BENCH_POSTGRES_DATABASE
names the PostgreSQL database to use instead of bench10k / bench100k (with one
data set).
"""

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import combos

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
PORT = int(os.environ.get("BENCH_PORT", "8141"))
BASE = f"http://127.0.0.1:{PORT}"
# Set from the command line by main().
SECONDS = 15
DATASETS = [10000, 100000]
CONNECTIONS, THREADS = 8, 2
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
POSTGRES_DATABASE = os.environ.get("BENCH_POSTGRES_DATABASE")
PARTS = ["cached", "first-requests", "abusive", "full-exports", "concurrent-exports", "edits",
         "axis"]  # fmt: skip
# Paths per second of wrk run for a list of distinct requests: more than any
# first request is served at, so that no request repeats another.
PATHS_PER_SECOND = 1200

# The targets of the read-model issue, at 100,000 events: p95 as a multiple of
# the trivial view's p95 in the same run, and a full export's seconds.
FRAGMENT_TARGET, PAGE_TARGET, EVENT_TARGET, CSV_TARGET = 10.0, 15.0, 5.0, 20.0
FULL_EXPORT_TARGET = 5.0
FULL_EXPORTS = ["csv", "json"]

HTMX = {"HX-Request": "true"}
FILTERED = "/?category=security&category=trade&year_from=1990&year_to=2010&q=energy"
# (label, path, headers) served with the result cache on, as production runs.
CACHED = [
    ("Trivial view", "/healthz", {}),
    ("Full timeline, first page", "/", {}),
    ("Filtered htmx fragment (2 categories + years + text)", FILTERED, HTMX),
    ("Event page", "/events/event-{middle}/", {}),
    ("Export, CSV of a filtered view", "/export/csv/?category=energy&year_from=2000&year_to=2004",
     {}),
]  # fmt: skip
TRIVIAL = "/healthz"
# (label, what, headers, combinations seed): the first-request rows per filter kind.
SHAPES = [("fragment", HTMX, 14), ("page", {}, 15)]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# What a hostile or careless client can type into the search box (200 characters at most).
ABUSIVE = [
    ("100 one-letter words", " ".join(LETTERS[i % 26] for i in range(100))),
    ("66 two-letter words", " ".join(LETTERS[i % 26] + LETTERS[(7 * i) % 26] for i in range(66))),
    ("9 words of 20 letters", " ".join((LETTERS * 2)[i : i + 20] for i in range(9))),
    ("Search syntax", 'NEAR(trade energy) OR "loan* AND -park ^rail col:title {a b} \\"x'),
]
EXPORT_FORMATS = ["csv", "json", "ics", "timelinejs"]


def database_url(engine, count):
    name = f"bench{count // 1000}k"
    if engine == "sqlite":
        return f"sqlite:///{DATA / name}.sqlite3"
    return f"{POSTGRES}/{POSTGRES_DATABASE or name}"


def production_env(url, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # Plain HTTP on loopback: production sits behind a TLS proxy.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": url,
        # Each database's full-export files apart: one run's files are never served for
        # another's data, and a run's first full download builds them, as after an edit.
        "EXPORT_CACHE_DIR": str(DATA / "exports" / hashlib.sha256(url.encode()).hexdigest()[:12]),
        **extra,
    }


def manage(url, *args, **env):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=production_env(url, **env),
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def event_count(engine, url):
    if engine == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return None
        with sqlite3.connect(path) as connection:
            try:
                return connection.execute("SELECT count(*) FROM relations_event").fetchone()[0]
            except sqlite3.OperationalError:
                return None
    name = url.rsplit("/", 1)[1]
    exists = psql(f"{POSTGRES}/postgres", f"SELECT 1 FROM pg_database WHERE datname='{name}'")
    if not exists:
        psql(f"{POSTGRES}/postgres", f"CREATE DATABASE {name}")
        return None
    found = psql(url, "SELECT count(*) FROM relations_event", check=False)
    return int(found) if found else None


def psql(url, sql, check=True):
    result = subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True)
    if check and result.returncode:
        raise RuntimeError(f"psql {url}: {result.stderr}")
    return result.stdout.strip() if result.returncode == 0 else None


def seeded(engine, count):
    """The URL of a database holding `count` seeded events, schema up to date."""
    url = database_url(engine, count)
    found = event_count(engine, url)
    if found == count:
        # Data seeded by an earlier run: bring its schema up to date; migrate renders
        # again what the read model stores of each event where the code changed.
        manage(url, "migrate", "-v0")
        if engine == "postgresql":
            # Planner statistics, as autovacuum would gather on a server that has run a while.
            psql(url, "VACUUM ANALYZE")
        return url
    if found is not None:
        if engine == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink()
        else:
            manage(url, "flush", "--noinput")
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"Seeding {count} events into {url} …", flush=True)
    subprocess.run(
        [PYTHON, "bench/seed.py", str(count)], cwd=ROOT, env=production_env(url), check=True
    )
    return seeded(engine, count)


class Server:
    """gunicorn with the production configuration, on BENCH_PORT."""

    def __init__(self, url, cache):
        self.env = production_env(
            url,
            TIMELINE_CACHE_SECONDS="600" if cache else "0",
            GUNICORN_BIND=f"127.0.0.1:{PORT}",
        )
        if GUNICORN_CONF.exists():
            self.command = [GUNICORN, "-c", GUNICORN_CONF, "config.wsgi"]
        else:
            workers = str(2 * os.cpu_count() + 1)
            self.command = [
                GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", workers
            ]  # fmt: skip
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [*self.command, "--log-level", "warning"], cwd=ROOT, env=self.env
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(BASE + "/readyz", timeout=1)
                self.settle()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def settle(self, limit=180):
        """Wait until the workers are idle: each fills its caches at start (gunicorn's
        post_worker_init), which would otherwise be timed as the trivial view's tail; and
        until the arbiter's build_exports, a child like them, has written the full
        downloads (half a minute of CPU at 100k events, which would be timed beside the
        first scenarios)."""

        def cpu():
            total = 0
            for pid in [self.process.pid, *self.worker_pids()]:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += int(fields[11]) + int(fields[12])  # utime + stime, in ticks
            return total

        deadline, before, quiet = time.monotonic() + limit, cpu(), 0
        while time.monotonic() < deadline and quiet < 3:
            time.sleep(0.3)
            now = cpu()
            quiet = quiet + 1 if now - before <= 2 else 0
            before = now

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def get(path, headers=None):
    request = urllib.request.Request(BASE + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.status, response.read()


def etag(path, headers=None):
    request = urllib.request.Request(BASE + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()
        return response.headers.get("ETag")


def wrk(path, headers, paths=None, seconds=None, allow_4xx=False):
    seconds = seconds or SECONDS
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s"]
    command += ["-s", "bench/paths.lua"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(BASE + path)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        if paths:
            listing.write("\n".join(paths) + "\n")
            listing.flush()
            command += ["--", listing.name, str(THREADS)]
        output = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    if result["server_errors"] or result["socket_errors"]:
        raise RuntimeError(f"{path}: server errors under load: {result}")
    if result["non_2xx"] and not allow_4xx:
        raise RuntimeError(f"{path}: non-2xx answers under load: {result}")
    return {
        "p50": result["p50_us"] / 1000,
        "p95": result["p95_us"] / 1000,
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "requests": result["requests"],
        "repeated": result["wrapped"] > 0,
        "non_2xx": result["non_2xx"],
    }


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def export_memory(server):
    """Stream the full CSV export; its size and the workers' peak memory growth."""
    pids = server.worker_pids()
    before = {pid: rss_kib(pid) for pid in pids}
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], rss_kib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    _, body = get("/export/csv/")
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    growth = max(peak[pid] - before[pid] for pid in pids)
    return {"bytes": len(body), "seconds": seconds, "growth_mib": growth / 1024}


def items_in(fmt, body):
    """How many events a complete export holds, or None if it does not parse (truncated)."""
    text = body.decode("utf-8-sig")
    try:
        if fmt == "csv":
            return len(list(csv.reader(io.StringIO(text)))) - 1
        if fmt == "ics":
            if not text.rstrip().endswith("END:VCALENDAR"):
                return None
            return text.count("BEGIN:VEVENT")
        document = json.loads(text)
    except (ValueError, csv.Error):
        return None
    if isinstance(document, list):
        return len(document)
    lists = [value for value in document.values() if isinstance(value, list)]
    return max((len(value) for value in lists), default=None)


def concurrent_exports(count, readers_paths):
    """Four full exports at once while 8 readers ask new queries; is each export complete?"""
    results = {}

    def download(fmt):
        started = time.perf_counter()
        try:
            status, body = get(f"/export/{fmt}/")
        except (OSError, urllib.error.HTTPError) as error:
            results[fmt] = {"seconds": time.perf_counter() - started, "error": str(error)}
            return
        results[fmt] = {
            "seconds": time.perf_counter() - started,
            "status": status,
            "mib": len(body) / 2**20,
            "items": items_in(fmt, body),
        }

    reader_seconds = max(SECONDS, 20 if count >= 100_000 else 10)
    readers = {}
    reader = threading.Thread(
        target=lambda: readers.update(wrk("/", HTMX, readers_paths, seconds=reader_seconds))
    )
    reader.start()
    time.sleep(1)
    downloads = [threading.Thread(target=download, args=(fmt,)) for fmt in EXPORT_FORMATS]
    for thread in downloads:
        thread.start()
    for thread in downloads:
        thread.join()
    reader.join()
    for result in results.values():
        result["complete"] = result.get("items") == count
    return {"readers": readers, "exports": results, "reader_seconds": reader_seconds}


def abusive_searches():
    rows = []
    for label, words in ABUSIVE:
        path = "/?" + urllib.parse.urlencode({"q": words})
        try:
            status, _ = get(path, HTMX)
        except urllib.error.HTTPError as error:
            status = error.code
        if status >= 500:
            raise RuntimeError(f"{path}: {status}")
        rows.append({"label": label, "words": words, "status": status,
                     **wrk(path, HTMX, seconds=max(5, SECONDS // 3), allow_4xx=True)})  # fmt: skip
    return rows


QUERY_COUNT_SCRIPT = """
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
counts = []
for path, headers in json.loads(sys.argv[1]):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (path, response.status_code)
    counts.append(len(queries))
print(json.dumps(counts))
"""

AXIS_SCRIPT = """
import json, time
import django
django.setup()
from django.template.loader import render_to_string
from relations import axis, readmodel
from relations.readmodel import Criteria
def cost(criteria):
    result = readmodel.query(criteria)
    started = time.process_time()
    for _ in range(5):
        drawn = axis.build(result, year_from=criteria.year_from, year_to=criteria.year_to)
        render_to_string("relations/_axis.html", {"axis": drawn})
    return (time.process_time() - started) / 5 * 1000
print(json.dumps({
    "all events": cost(Criteria()),
    "one category": cost(Criteria(categories=("trade",))),
    "one year of one category": cost(Criteria(categories=("trade",), year_from=2001, year_to=2001)),
}))
"""


def in_process(url, script, *args):
    env = {
        **production_env(url),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "TIMELINE_CACHE_SECONDS": "0",  # count what computing the page takes
    }
    output = subprocess.run(
        [PYTHON, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if output.returncode:
        return None, output.stderr.strip().splitlines()[-1]
    return json.loads(output.stdout.strip().splitlines()[-1]), None


def rows_of(engine, url, sql):
    if engine == "sqlite":
        with sqlite3.connect(Path(url.removeprefix("sqlite:///"))) as connection:
            return [row[0] for row in connection.execute(sql)]
    return psql(url, sql).splitlines()


def seeded_data(engine, url, count):
    """The slugs a query can name: actors and published sources, and published events."""
    published = "WHERE publication = 'published'"
    return (
        combos.Seeded(
            actors=rows_of(engine, url, "SELECT slug FROM relations_actor ORDER BY slug"),
            sources=rows_of(engine, url, f"SELECT slug FROM relations_source {published}"),
            events=count,
        ),
        rows_of(engine, url, f"SELECT slug FROM relations_event {published}"),
    )


def measure(engine, count, parts):
    """The figures of the chosen parts for one database and data set."""
    url = seeded(engine, count)
    label = f"{engine}, {count} events"
    data, events = seeded_data(engine, url, count)
    result = {}
    if "axis" in parts:
        result["axis"], result["axis_error"] = (None, "no relations/axis.py")
        if (ROOT / "relations" / "axis.py").exists():
            result["axis"], result["axis_error"] = in_process(url, AXIS_SCRIPT)
    if "cached" in parts:
        middle = count // 2
        cached_paths = [(path.format(middle=middle), headers) for _, path, headers in CACHED]
        queries, _ = in_process(url, QUERY_COUNT_SCRIPT, json.dumps(cached_paths))
        result["cached"] = []
        with Server(url, cache=True) as server:
            for (name, _, _), (path, headers), n in zip(CACHED, cached_paths, queries, strict=True):
                get(path, headers)  # warm up: connections, templates, and the cache
                print(f"  {label}: {name} …", flush=True)
                row = {"label": name, "path": path, "queries": n, **wrk(path, headers)}
                result["cached"].append(row)
            result["memory"] = export_memory(server)
    if not set(parts) - {"axis", "cached"}:
        return result
    with Server(url, cache=False) as server:
        # The denominator of every ratio below, measured on this server.
        get(TRIVIAL)
        result["trivial"] = {"label": "Trivial view", "path": TRIVIAL, **wrk(TRIVIAL, {})}
        if "first-requests" in parts:
            # With the trivial view it is compared to, should a later run keep it (--keep).
            result["first"] = {**first_requests(label, data, events), "trivial": result["trivial"]}
        if "abusive" in parts:
            print(f"  {label}: abusive searches …", flush=True)
            result["abusive"] = {"rows": abusive_searches(), "trivial": result["trivial"]}
        if "full-exports" in parts:
            print(f"  {label}: full exports, one at a time …", flush=True)
            result["full_exports"] = {fmt: full_export(fmt, count) for fmt in FULL_EXPORTS}
        if "concurrent-exports" in parts and count == max(DATASETS):
            print(f"  {label}: four full exports beside readers …", flush=True)
            readers = combos.mixed(PATHS_PER_SECOND * max(SECONDS, 20), data, seed=16)
            result["exports"] = concurrent_exports(count, readers)
        if "edits" in parts:
            print(f"  {label}: the cost of an edit …", flush=True)
            result["edits"] = edit_cost(url, server, events)
    return result


def distinct_row(label, headers, paths):
    """A wrk run in which each request asks one of `paths`, none twice."""
    row = wrk("/", headers, paths)
    return {"label": label, "path": f"{paths[0]}, {paths[1]}, …", **row}


def first_requests(label, data, events):
    """The first-request scenario on a running server whose result cache is off."""
    count = PATHS_PER_SECOND * SECONDS
    kinds = {}
    for kind in ["any", *combos.KINDS]:
        kinds[kind] = {}
        for shape, headers, seed in SHAPES:
            print(f"  {label}: {kind}, {shape} (cache off) …", flush=True)
            if kind == "any":
                paths = combos.mixed(count, data, seed=seed)
            else:
                paths = combos.for_kind(kind, count, data, seed=seed)
            kinds[kind][shape] = distinct_row(kind, headers, paths)
    print(f"  {label}: event pages (cache off) …", flush=True)
    pages = combos.event_pages(count, events)
    event = distinct_row("Event page, a different event each request", {}, pages)
    print(f"  {label}: filtered CSV exports (cache off) …", flush=True)
    exports = combos.filtered_exports(count, data)
    export = distinct_row("CSV export of a filtered timeline, a different filter each request",
                          {}, exports)  # fmt: skip
    # The most events a sample of these exports holds, to show they stay small; asked
    # after the run, so that each of the run's requests was a first one.
    sample = exports[:: max(1, len(exports) // 12)][:12]
    largest = max(items_in("csv", get(path)[1]) for path in sample)
    export.update(largest=largest, sampled=len(sample))
    return {"kinds": kinds, "event": event, "export": export}


def full_export(fmt, count):
    """One full export alone, twice: the first download of the data version (which writes
    its file, unless gunicorn's arbiter wrote it at startup) and a later one (from the
    file); their seconds, the size, and whether it holds every event."""
    started = time.perf_counter()
    _, body = get(f"/export/{fmt}/")
    first = time.perf_counter() - started
    started = time.perf_counter()
    _, body = get(f"/export/{fmt}/")
    seconds = time.perf_counter() - started
    items = items_in(fmt, body)
    return {
        "first": first,
        "seconds": seconds,
        "mib": len(body) / 2**20,
        "items": items,
        "complete": items == count,
    }


EDIT_SCRIPT = """
import sys
import django
django.setup()
from relations.models import Event
event = Event.objects.get(slug=sys.argv[1])
mark = " (edited)"
edited = event.title.endswith(mark)
event.title = event.title.removesuffix(mark) if edited else event.title + mark
event.save()
"""


def edit_cost(url, server, events, edits=6, warm_requests=20):
    """An event's title edited (and edited back) `edits` times by another process, as an
    editor's save; after each edit, as many requests one after another as three per
    worker, each the same fragment. Times in ms, warm ones for comparison."""

    def timed():
        started = time.perf_counter()
        get(FILTERED, HTMX)
        return (time.perf_counter() - started) * 1000

    workers = len(server.worker_pids())
    for _ in range(2 * workers):
        timed()
    warm = statistics.median(timed() for _ in range(warm_requests))
    slug = sorted(events)[len(events) // 3]
    firsts, extras, slowest = [], [], []
    for _ in range(edits):
        before = etag(FILTERED, HTMX)
        subprocess.run(
            [PYTHON, "-c", EDIT_SCRIPT, slug], cwd=ROOT, env=production_env(url), check=True
        )
        after = [timed() for _ in range(3 * workers)]
        if etag(FILTERED, HTMX) == before:
            raise RuntimeError("an edit did not change the timeline's ETag")
        firsts.append(after[0])
        slowest.append(max(after[1:]))
        extras.append(sum(ms - warm for ms in after))
    return {
        "edits": edits,
        "workers": workers,
        "warm": warm,
        "first": statistics.median(firsts),
        "next_slowest": statistics.median(slowest),
        "extra": statistics.median(extras),
    }


def environment():
    script = "import sqlite3, django; print(sqlite3.sqlite_version, django.get_version())"
    version = subprocess.run(
        [PYTHON, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    postgres = psql(f"{POSTGRES}/postgres", "SHOW server_version").split(" ")[0]
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    server = (
        f"gunicorn `-c config/gunicorn.conf.py` ({gunicorn_summary()})"
        if GUNICORN_CONF.exists()
        else f"gunicorn with {2 * os.cpu_count() + 1} sync workers"
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"Django {version[1]}, SQLite {version[0]}, PostgreSQL {postgres}; {server}, "
        f"production settings (`DJANGO_DEBUG=0`, whitenoise, manifest static files), "
        f"a per-process cache (no `CACHE_URL`); wrk with {CONNECTIONS} connections for "
        f"{SECONDS} s per scenario, from the same machine."
    )


def gunicorn_summary():
    script = (
        "import runpy, json; c = runpy.run_path('config/gunicorn.conf.py'); "
        "print(json.dumps({k: c.get(k) for k in ('worker_class', 'workers', 'threads')}))"
    )
    output = subprocess.run([PYTHON, "-c", script], cwd=ROOT, capture_output=True, text=True)
    try:
        conf = json.loads(output.stdout)
    except ValueError:
        return "its settings"
    return f"{conf['workers']} {conf['worker_class']} workers × {conf['threads']} threads"


def ratio(row, trivial, key):
    return row[key] / trivial[key] if trivial[key] else float("inf")


def table(rows, trivial, with_queries):
    head = "| Scenario | p50 ms | × | p95 ms | × | req/s |" + (" queries |" if with_queries else "")
    lines = [head, "|---|---:|---:|---:|---:|---:|" + ("---:|" if with_queries else "")]
    for row in rows:
        line = (
            f"| {row['label']}<br>`{row['path']}` | {row['p50']:.1f} | "
            f"{ratio(row, trivial, 'p50'):.1f} | {row['p95']:.1f} | "
            f"{ratio(row, trivial, 'p95'):.1f} | {row['rps']:.0f} |"
        )
        if with_queries:
            line += f" {row['queries']} |"
        lines.append(line)
    return lines


KIND_LABELS = {
    "any": "Any combination (each kind in a third of the queries)",
    "category": "Category (one to three)",
    "status": "Status",
    "years": "Years (a range, or from or to a year)",
    "text": "Text (one or two words)",
    "actor": "Actor",
    "source": "Source",
    "month": "Month (its year as a one-year window)",
    "order": "Order (newest first)",
    "page": "Page (2 to the last)",
}


def over(value, target):
    """A ratio, in bold when it misses its target."""
    return f"{value:.1f}" if value <= target else f"**{value:.1f}**"


def kinds_table(first, trivial):
    lines = [
        "| Filter kind | fragment p50 ms | fragment p95 ms | × (≤ 10) | page p50 ms | "
        "page p95 ms | × (≤ 15) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, shapes in first["kinds"].items():
        fragment, page = shapes["fragment"], shapes["page"]
        example = fragment["path"].split(", ")[0]
        lines.append(
            f"| {KIND_LABELS.get(kind, kind)}<br>`{example}` | {fragment['p50']:.1f} | "
            f"{fragment['p95']:.1f} | {over(ratio(fragment, trivial, 'p95'), FRAGMENT_TARGET)} | "
            f"{page['p50']:.1f} | {page['p95']:.1f} | "
            f"{over(ratio(page, trivial, 'p95'), PAGE_TARGET)} |"
        )
    return lines


def first_section(result, count):
    first = result["first"]
    trivial = first["trivial"]
    lines = [
        "### First request for a query (result cache off)",
        "",
        f"Trivial view (`{TRIVIAL}`) on this server: p50 {trivial['p50']:.1f} ms, p95 "
        f"{trivial['p95']:.1f} ms, {trivial['rps']:.0f} req/s; each × below is a p95 over "
        "its p95, with the issue's target in the column's head. Each row is its own run, "
        "every request a query no earlier request asked: for a filter kind, every query "
        "uses that kind, half of them with text, half alone or with text only and half "
        "with other kinds drawn at random.",
        "",
        *kinds_table(first, trivial),
        "",
        "| Request | p50 ms | p95 ms | × | target | req/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, target in (("event", EVENT_TARGET), ("export", CSV_TARGET)):
        row = first[key]
        lines.append(
            f"| {row['label']}<br>`{row['path']}` | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{over(ratio(row, trivial, 'p95'), target)} | ≤ {target:g} | {row['rps']:.0f} |"
        )
    export = first["export"]
    rows = [row for shapes in first["kinds"].values() for row in shapes.values()]
    repeated = [row["label"] for row in [*rows, first["event"], export] if row.get("repeated")]
    lines += [
        "",
        f"The largest of {export['sampled']} filtered exports sampled from the list held "
        f"{export['largest']:,} events.",
        (
            "Each request asked a query no earlier request of its row had asked."
            if not repeated
            else f"NOTE: the list of queries ran out, so some repeated: {repeated}."
        ),
        "",
    ]
    return lines


def full_exports_section(result, count):
    lines = [
        "### Full exports, one at a time (result cache off)",
        "",
        "The first download of a data version writes the file every later one is served "
        "from (or waits for gunicorn's arbiter to finish writing it, when it started "
        "before); the target is the later one's.",
        "",
        f"| Export | first of the version, s | later, s (target ≤ {FULL_EXPORT_TARGET:g} at "
        "100,000) | MiB | events | complete |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for fmt, row in result["full_exports"].items():
        first = f"{row['first']:.1f}" if "first" in row else "—"
        lines.append(
            f"| `/export/{fmt}/` | {first} | {row['seconds']:.1f} | {row['mib']:.1f} | "
            f"{row['items'] if row['items'] is not None else 'unparsable'} | "
            f"{'yes' if row['complete'] else 'NO'} |"
        )
    return [*lines, ""]


def edits_section(result):
    edits = result["edits"]
    return [
        "### The cost of an edit",
        "",
        f"Another process changed an event's title and saved it, {edits['edits']} times; "
        f"after each edit the same fragment (`{FILTERED}`) was asked "
        f"{3 * edits['workers']} times, one request after another, of the "
        f"{edits['workers']} worker processes. The first request after an edit took "
        f"{edits['first']:.1f} ms, a warm one {edits['warm']:.1f} ms; the slowest of the "
        f"next ones {edits['next_slowest']:.1f} ms (the other processes' first requests "
        f"after the edit); all of them together took {edits['extra']:.0f} ms more than as "
        "many warm ones (medians over the edits): what the edit cost the server's "
        "processes.",
        "",
    ]


def abusive_section(result):
    trivial = result["abusive"]["trivial"]
    lines = ["### Abusive searches (result cache off)", "",
             "| Search | status | p50 ms | × | p95 ms | × | req/s |",
             "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for row in result["abusive"]["rows"]:
        lines.append(
            f"| {row['label']}<br>`{row['words'][:60]}{'…' if len(row['words']) > 60 else ''}` "
            f"| {row['status']} | {row['p50']:.1f} | {ratio(row, trivial, 'p50'):.1f} | "
            f"{row['p95']:.1f} | {ratio(row, trivial, 'p95'):.1f} | {row['rps']:.0f} |"
        )
    return [*lines, ""]


def concurrent_section(result):
    exports = result["exports"]
    readers = exports["readers"]
    lines = [
        "### Four full exports at once, beside readers",
        "",
        f"While {CONNECTIONS} readers asked new random fragments for "
        f"{exports['reader_seconds']} s (p50 {readers['p50']:.1f} ms, p95 "
        f"{readers['p95']:.1f} ms, {readers['rps']:.0f} req/s, "
        f"{readers['requests']} answers, none a 5xx), four clients each downloaded "
        "a full export:",
        "",
        "| Export | seconds | MiB | events | complete |",
        "|---|---:|---:|---:|---|",
    ]
    for fmt, row in exports["exports"].items():
        if "error" in row:
            lines.append(
                f"| `/export/{fmt}/` | {row['seconds']:.1f} | — | — | NO: {row['error']} |"
            )
        else:
            lines.append(
                f"| `/export/{fmt}/` | {row['seconds']:.1f} | {row['mib']:.1f} | "
                f"{row['items'] if row['items'] is not None else 'unparsable'} | "
                f"{'yes' if row['complete'] else 'NO (truncated)'} |"
            )
    return [*lines, ""]


def verdicts(result):
    """{target: cell} for the targets table: the worst kind against each target."""
    cells = {}
    if "first" in result:
        first = result["first"]
        trivial = first["trivial"]
        for shape, name, target in (("fragment", "fragment", FRAGMENT_TARGET),
                                    ("page", "page", PAGE_TARGET)):  # fmt: skip
            worst, kind = max(
                (ratio(shapes[shape], trivial, "p95"), kind)
                for kind, shapes in first["kinds"].items()
            )
            cells[name] = f"{worst:.1f}× ({kind}) {'met' if worst <= target else '**NOT met**'}"
        for key, target in (("event", EVENT_TARGET), ("export", CSV_TARGET)):
            r = ratio(first[key], trivial, "p95")
            cells[key] = f"{r:.1f}× {'met' if r <= target else '**NOT met**'}"
        if trivial["p95"] > 20 * trivial["p50"]:
            # The trivial view's own tail is the machine's queue, not the view.
            note = f"trivial view's p95 {trivial['p95'] / trivial['p50']:.0f}× its p50: unreliable"
            cells.update(dict.fromkeys(["fragment", "page", "event", "export"], note))
    for fmt, row in result.get("full_exports", {}).items():
        ok = row["complete"] and row["seconds"] <= FULL_EXPORT_TARGET
        first = f" (the version's first: {row['first']:.1f} s)" if "first" in row else ""
        cells[f"full-{fmt}"] = f"{row['seconds']:.1f} s{first} {'met' if ok else '**NOT met**'}"
    if "edits" in result:
        edits = result["edits"]
        cells["edit"] = f"{edits['first']:.0f} ms first, {edits['extra']:.0f} ms in all"
    return cells


TARGETS = {
    "fragment": "First-request fragment, worst filter kind, p95 ≤ 10×",
    "page": "First-request full page, worst filter kind, p95 ≤ 15×",
    "event": "Event page p95 ≤ 5×",
    "export": "Filtered CSV export (≤ 1,000 rows) p95 ≤ 20×",
    "full-csv": "Full CSV export ≤ 5 s",
    "full-json": "Full JSON export ≤ 5 s",
    "edit": "An edit: its first request, and the extra time of all processes",
}


def targets_table(results):
    columns = [
        (f"{engine}, {count:,}", verdicts(result)) for (engine, count), result in results.items()
    ]
    lines = [
        "| Target (at 100,000 events) | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for key, label in TARGETS.items():
        cells = [cells.get(key, "—") for _, cells in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def report(results):
    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` (bench/run.py) on "
        + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        + ". Synthetic events (bench/seed.py): 300 sources, 400 actors, 1950–2025, "
        "two citations and two actors per event on average, one event in ten a span of days.",
        "",
        environment(),
        "",
        "p50 and p95 are latencies in milliseconds; × is the ratio to the trivial view "
        f"(`{TRIVIAL}`) on the same server in the same run. *Queries* are the SQL queries "
        "the URL makes when its result is not cached.",
        "",
        "## Targets",
        "",
        *targets_table(results),
        "",
    ]
    for (engine, count), result in results.items():
        lines += [f"## {engine}, {count:,} events", ""]
        if "cached" in result:
            lines += ["### Result cache on", ""]
            lines += table(result["cached"], result["cached"][0], True)
            memory = result["memory"]
            lines += [
                "",
                f"Full CSV export (`/export/csv/`, all {count:,} events): "
                f"{memory['bytes'] / 2**20:.1f} MiB streamed in {memory['seconds']:.1f} s; "
                f"a worker's memory grew by at most {memory['growth_mib']:.1f} MiB.",
                "",
            ]
        if "first" in result:
            lines += first_section(result, count)
        if "full_exports" in result:
            lines += full_exports_section(result, count)
        if "edits" in result:
            lines += edits_section(result)
        if "abusive" in result:
            lines += abusive_section(result)
        if "exports" in result:
            lines += concurrent_section(result)
        if result.get("axis"):
            lines += [
                "Time axis (`relations.axis.build` and its template, in-process CPU time): "
                + ", ".join(f"{name} {ms:.1f} ms" for name, ms in result["axis"].items())
                + ".",
                "",
            ]
        elif result.get("axis_error"):
            lines += [f"Time axis not timed: {result['axis_error']}", ""]
    return "\n".join(lines)


NOTES = ROOT / "bench" / "NOTES.md"
RESULTS = DATA / "results.json"


def write(results):
    text = report(results)
    if NOTES.exists():
        text += "\n" + NOTES.read_text(encoding="utf-8")
    (ROOT / "BENCHMARKS.md").write_text(text, encoding="utf-8")
    saved = [[engine, count, result] for (engine, count), result in results.items()]
    RESULTS.write_text(json.dumps(saved), encoding="utf-8")
    return text


def arguments():
    env = os.environ.get
    scenarios = env("BENCH_SCENARIOS", "all")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=env("BENCH_DATABASES", "sqlite,postgresql"),
                        help="databases, comma-separated: sqlite, postgresql")  # fmt: skip
    parser.add_argument("--sizes", default=env("BENCH_EVENTS", "10000,100000"),
                        help="numbers of events, comma-separated")  # fmt: skip
    parser.add_argument("--seconds", type=int, default=int(env("BENCH_SECONDS", "15")),
                        help="seconds of each wrk run")  # fmt: skip
    parser.add_argument(
        "--only",
        default="first-requests" if scenarios == "first" else ",".join(PARTS),
        help=f"parts to run, comma-separated, of {', '.join(PARTS)} (default all)",
    )
    parser.add_argument(
        "--keep", action="store_true", default=bool(env("BENCH_KEEP")),
        help="keep the figures of earlier runs (bench/data/results.json) for what this run "
        "does not measure",
    )  # fmt: skip
    args = parser.parse_args()
    args.engines = args.engines.split(",")
    args.sizes = [int(n) for n in args.sizes.split(",")]
    args.only = args.only.split(",")
    unknown = set(args.only) - set(PARTS)
    if unknown:
        parser.error(f"no such part: {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    return args


def main():
    """Measure each database and data set; BENCHMARKS.md is rewritten after each one."""
    global SECONDS, DATASETS
    args = arguments()
    SECONDS, DATASETS = args.seconds, args.sizes
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=production_env(f"sqlite:///{DATA / 'unused.sqlite3'}"), check=True,
    )  # fmt: skip
    results = {}
    if args.keep and RESULTS.exists():
        results = {(e, c): r for e, c, r in json.loads(RESULTS.read_text(encoding="utf-8"))}
    for engine in args.engines:
        for count in args.sizes:
            measured = measure(engine, count, args.only)
            results[engine, count] = {**results.get((engine, count), {}), **measured}
            text = write(results)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
