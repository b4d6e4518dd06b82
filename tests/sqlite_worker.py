"""One of several processes started by test_concurrency.py against one SQLite file.

Each iteration reads and then writes inside one transaction (the pattern that
fails with "database is locked" under SQLite's default DEFERRED transactions),
then reads the timeline page as a visitor would.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from relations.models import Citation, Event, Source  # noqa: E402


def main(worker, iterations):
    client = Client()
    source = Source.objects.get(slug="shared-source")
    for index in range(iterations):
        with transaction.atomic():
            Event.objects.filter(slug__startswith=f"worker-{worker}-").count()
            event = Event.objects.create(
                slug=f"worker-{worker}-{index}",
                title=f"Worker {worker} event {index}",
                summary="Written concurrently.",
                start_date="2024-08-22",
                category="diplomacy",
            )
            Citation.objects.create(event=event, source=source, quote=source.text)
        response = client.get("/", {"q": f"Worker {worker}"})
        assert response.status_code == 200, response.status_code


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
