"""`make bench`: how fast the app is with 10k and 100k events, written to BENCHMARKS.md.

For each data set it seeds a SQLite database (bench/seed.py, once), serves the
app with gunicorn in production settings, and loads it from a second process on
loopback with wrk: 8 connections (8 concurrent users) for BENCH_SECONDS per URL.
Beside each URL's p50, p95 and requests/s stand the same figures for a trivial
view on the same server and the ratio to it. It also counts the SQL queries of
each URL (in-process) and watches the gunicorn workers' memory while a full
export streams.
"""

import json
import os
import platform
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PORT = int(os.environ.get("BENCH_PORT", "8123"))
BASE = f"http://127.0.0.1:{PORT}"
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = 8
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * os.cpu_count() + 1)))
DATASETS = [int(n) for n in os.environ.get("BENCH_EVENTS", "10000,100000").split(",")]
FRAGMENT_TARGET = 3.0

HTMX = {"HX-Request": "true"}
FILTERED = "/?category=security&category=trade&year_from=1990&year_to=2010&q=energy"
# (label, path, headers, result cache on?). The cache is on in production; the
# "cache off" rows show what a query nobody asked for yet costs.
SCENARIOS = [
    ("Trivial view (`/healthz`)", "/healthz", {}, True),
    ("Full timeline, first page", "/", {}, True),
    ("Filtered htmx fragment (2 categories + years + text)", FILTERED, HTMX, True),
    ("Event page", "/events/event-{middle}/", {}, True),
    (
        "Export, CSV of a filtered view",
        "/export/csv/?category=energy&year_from=2000&year_to=2004",
        {},
        True,
    ),
    ("Trivial view, cache off", "/healthz", {}, False),
    ("Full timeline, first page, cache off", "/", {}, False),
    ("Filtered htmx fragment, cache off", FILTERED, HTMX, False),
]


def production_env(database):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # Plain HTTP on loopback: production sits behind a TLS proxy.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{database}",
    }


def seeded(count):
    database = DATA / f"{count // 1000}k.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as connection:
            if connection.execute("SELECT count(*) FROM relations_event").fetchone()[0] == count:
                # Data seeded by an earlier run; bring its schema up to date.
                subprocess.run(
                    [PYTHON, "manage.py", "migrate", "-v0"],
                    cwd=ROOT, env=production_env(database), check=True,
                )  # fmt: skip
                return database
        database.unlink()
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"Seeding {count} events into {database.relative_to(ROOT)} …", flush=True)
    subprocess.run(
        [PYTHON, "bench/seed.py", str(count)], cwd=ROOT, env=production_env(database), check=True
    )
    return database


class Server:
    def __init__(self, database, cache):
        self.env = {**production_env(database), "TIMELINE_CACHE_SECONDS": "600" if cache else "0"}
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS),
             "--log-level", "warning"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def get(path, headers):
    request = urllib.request.Request(BASE + path, headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 200, (path, response.status)
        return response.read()


def wrk(path, headers):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", "bench/report.lua"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, BASE + path], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    if result["socket_errors"] or result["non_2xx"]:
        raise RuntimeError(f"{path}: errors under load: {result}")
    return {
        "p50": result["p50_us"] / 1000,
        "p95": result["p95_us"] / 1000,
        "rps": result["requests"] / (result["duration_us"] / 1e6),
    }


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def export_memory(server):
    """Stream the full CSV export; report its size and the workers' peak memory growth."""
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
    size = 0
    with urllib.request.urlopen(BASE + "/export/csv/", timeout=600) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    growth = max(peak[pid] - before[pid] for pid in pids)
    return {"bytes": size, "seconds": seconds, "growth_mib": growth / 1024}


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


def query_counts(database, paths):
    env = {
        **production_env(database),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "TIMELINE_CACHE_SECONDS": "0",  # count what computing the page takes
    }
    output = subprocess.run(
        [PYTHON, "-c", QUERY_COUNT_SCRIPT, json.dumps(paths)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def measure(count):
    database = seeded(count)
    paths = [(path.format(middle=count // 2), headers) for _, path, headers, _ in SCENARIOS]
    queries = query_counts(database, paths)
    rows = [None] * len(SCENARIOS)
    memory = None
    for cache in (True, False):
        with Server(database, cache) as server:
            for index, (label, _, _, cached) in enumerate(SCENARIOS):
                if cached != cache:
                    continue
                path, headers = paths[index]
                get(path, headers)  # warm up: connections, templates, and the cache if on
                print(f"  {count} events: {label} …", flush=True)
                rows[index] = {
                    "label": label,
                    "path": path,
                    "queries": queries[index],
                    **wrk(path, headers),
                }
            if cache:
                memory = export_memory(server)
    return rows, memory


def environment():
    script = "import sqlite3, django; print(sqlite3.sqlite_version, django.get_version())"
    version = subprocess.run(
        [PYTHON, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"Django {version[1]}, SQLite {version[0]}; gunicorn with {WORKERS} sync workers, "
        f"production settings (`DJANGO_DEBUG=0`, whitenoise, manifest static files); "
        f"wrk with {CONNECTIONS} connections for {SECONDS} s per URL, from the same machine."
    )


def report(results):
    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` (bench/run.py), on "
        + time.strftime("%Y-%m-%d", time.gmtime())
        + ". Each data set is a SQLite database of synthetic events (bench/seed.py).",
        "",
        environment(),
        "",
        "p50 and p95 are latencies in milliseconds; × is the ratio to the trivial view "
        "on the same server in the same run. Queries are the SQL queries the URL makes "
        "when its result is not cached. Rendered result lists are cached per query and "
        "data version (any edit invalidates them); the *cache off* rows are measured on a "
        "server started with `TIMELINE_CACHE_SECONDS=0`, i.e. every request computes its "
        "list.",
        "",
    ]
    verdicts = []
    for count, (rows, memory) in results.items():
        trivials = {cached: rows[i] for i, (_, path, _, cached) in enumerate(SCENARIOS)
                    if path == "/healthz"}  # fmt: skip
        lines += [
            f"## {count:,} events",
            "",
            "| URL | p50 ms | × | p95 ms | × | req/s | × | queries |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row, (_, _, _, cached) in zip(rows, SCENARIOS, strict=True):
            trivial = trivials[cached]
            lines.append(
                f"| {row['label']}<br>`{row['path']}` | {row['p50']:.1f} | "
                f"{row['p50'] / trivial['p50']:.1f} | {row['p95']:.1f} | "
                f"{row['p95'] / trivial['p95']:.1f} | {row['rps']:.0f} | "
                f"{row['rps'] / trivial['rps']:.2f} | {row['queries']} |"
            )
        lines += [
            "",
            f"Full CSV export (`/export/csv/`, all {count:,} events): "
            f"{memory['bytes'] / 2**20:.1f} MiB streamed in {memory['seconds']:.1f} s; "
            f"the serving worker's memory grew by at most {memory['growth_mib']:.1f} MiB.",
            "",
        ]
        fragment, trivial = rows[2], trivials[True]
        ratio = fragment["p95"] / trivial["p95"]
        verdicts.append(
            f"- {count:,} events: filtered fragment p95 is {ratio:.1f}× the trivial view's "
            f"(target ≤ {FRAGMENT_TARGET:g}×): {'met' if ratio <= FRAGMENT_TARGET else 'NOT met'}."
        )
    lines += ["## Targets", "", *verdicts, ""]
    notes = [
        "## What the figures rest on",
        "",
        "- Free-text search uses an FTS5 trigram index (migration 0004); a LIKE scan of the "
        "same documents takes about 100 ms at 100k events.",
        "- The per-year chart groups on a stored, indexed `start_year` (0006) instead of "
        "extracting the year from every row; the date indexes include `end_date` (0007) "
        "so that a year filter is checked from the index.",
        "- When a text search narrows the timeline, its matches are fetched once and "
        "counted in Python for the total, the page and the chart (`views.paginate`).",
        "- Rendered result lists are cached per query and data version. The target for "
        "the filtered fragment is met for a query that has been asked before; the "
        "*cache off* rows show the first request for a query, which is not within 3×: "
        "about half of its time goes to rendering fifty events with Django templates "
        "and a quarter to SQL (profiled in-process at 100k events).",
        "- A p95 of a few milliseconds moves by a millisecond or two from run to run, "
        "and the ratio of two of them moves with it: on 2026-11-25, four runs on one "
        "machine put the cached fragment's ratio at 100k events between 1.6× and 2.9×.",
        "- The full page also renders the filter form. Its actor and source options "
        "(400 and 300 here) are kept rendered in the cache per data version: before, "
        "building them from model instances was most of a cached page's time.",
        "- Exports read plain values in chunks of 1,000 events rather than model "
        "instances, so memory stays flat however many events stream.",
        "",
    ]
    counts = [rows for rows, _ in results.values()]
    if len(counts) > 1:
        constant = all(
            len({rows[i]["queries"] for rows in counts}) == 1 for i in range(len(SCENARIOS))
        )
        lines.append(
            f"- Queries per URL are {'the same' if constant else 'NOT the same'} "
            "for every data set."
        )
        growth = [memory["growth_mib"] for _, memory in results.values()]
        lines.append(
            "- Export memory: worker growth "
            + " vs ".join(f"{g:.1f} MiB" for g in growth)
            + f" for {' vs '.join(f'{c:,}' for c in results)} events."
        )
    return "\n".join([*lines, "", *notes])


def main():
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=production_env(DATA / "unused.sqlite3"), check=True,
    )  # fmt: skip
    results = {count: measure(count) for count in DATASETS}
    text = report(results)
    (ROOT / "BENCHMARKS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
