"""The whole timeline as a Django fixture (`manage.py export_timeline`), in a stable
order, so that exporting, loading and exporting again gives identical bytes."""

from django.core import serializers
from django.db import connection
from django.db.models import F, Prefetch
from django.db.models.functions import Collate

from relations.exports.events import CHUNK_SIZE
from relations.models import Actor, Citation, Event, Source

CITATION_FIELDS = [
    "event", "source", "quote", "prefix", "suffix", "start", "end", "text_hash", "locator",
    "stance", "claimed_date", "rank", "rank_reason", "origin", "note",
]  # fmt: skip


def by_code_point(field):
    """Order by `field` comparing code points, the same on every database.

    PostgreSQL's default collation depends on the locale (and ignores hyphens in
    en_US); "C" compares bytes of UTF-8, which is code point order. SQLite's
    default BINARY collation already does that.
    """
    if connection.vendor == "postgresql":
        return Collate(F(field), "C")
    return F(field)


def fixture_objects():
    """Every timeline object in a stable order, so that diffs between exports stay small."""
    yield from Actor.objects.order_by(by_code_point("slug")).iterator(CHUNK_SIZE)
    yield from Source.objects.order_by(by_code_point("slug")).iterator(CHUNK_SIZE)
    actors = Actor.objects.order_by(by_code_point("slug")).only("slug")
    yield from (
        Event.objects.order_by(by_code_point("slug"))
        .defer("search_document")
        .prefetch_related(Prefetch("actors", queryset=actors))
        .iterator(CHUNK_SIZE)
    )
    yield from (
        Citation.objects.select_related("event", "source")
        .only(*CITATION_FIELDS, "event__slug", "source__slug")
        .order_by(
            by_code_point("event__slug"),
            by_code_point("source__slug"),
            by_code_point("quote"),
            by_code_point("locator"),
        )
        .iterator(CHUNK_SIZE)
    )


def write_fixture(stream):
    serializers.serialize(
        "json",
        fixture_objects(),
        stream=stream,
        indent=2,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    stream.write("\n")
