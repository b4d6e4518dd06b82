import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
WORKERS, ITERATIONS = 6, 40

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="checks the SQLite settings (WAL, IMMEDIATE, timeout)"
)


def run(args, env, **kwargs):
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_concurrent_writers_and_readers_lose_nothing_and_never_see_a_lock(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "ALLOWED_HOSTS": "testserver",
    }
    setup = run(["manage.py", "migrate", "-v0"], env)
    assert setup.wait(timeout=120) == 0, setup.stderr.read()
    shared = run(
        ["manage.py", "shell", "-c",
         "from relations.models import Source; "
         "Source.objects.create(slug='shared-source', title='Shared', publisher='P', "
         "reliability='reliable', text='One shared sentence.')"],
        env,
    )  # fmt: skip
    assert shared.wait(timeout=60) == 0, shared.stderr.read()

    workers = [
        run(["tests/sqlite_worker.py", str(n), str(ITERATIONS)], env) for n in range(WORKERS)
    ]
    results = [(worker.wait(timeout=300), worker.stderr.read()) for worker in workers]

    for returncode, stderr in results:
        assert "database is locked" not in stderr
        assert returncode == 0, stderr
    count = run(
        ["manage.py", "shell", "-c",
         "from relations.models import Event, Citation; "
         "print(Event.objects.count(), Citation.objects.count())"],
        env,
    )  # fmt: skip
    assert count.wait(timeout=60) == 0
    assert count.stdout.read().split()[-2:] == [str(WORKERS * ITERATIONS)] * 2
