import secrets

from django.db import connection, models
from django.db.models.expressions import Col
from django.utils import timezone


class FrontPage(models.Model):
    """The introduction above the timeline, written by editors in the admin. One row."""

    introduction = models.TextField(
        help_text=(
            "A few sentences on the relationship the timeline follows, shown above it. "
            "Plain text; a blank line starts a new paragraph."
        )
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "front page"
        verbose_name_plural = "front page"

    def __str__(self):
        return "Front page introduction"

    @classmethod
    def introduction_text(cls):
        return cls.objects.values_list("introduction", flat=True).first() or ""


class TimelineVersion(models.Model):
    """A number that every change to timeline data moves on, in the same transaction.

    Cached pages are keyed by it, so an edit anywhere makes them all stale at
    once, in every server process. It is this table's one row, which also
    dates the change (for Last-Modified), and every request reads it from the
    database, with or without a shared cache (CACHE_URL): a commit moves the
    data and the number together, so no failure after it (Redis down, the
    process killed) can leave a server showing what was there before.
    """

    number = models.BigIntegerField(default=0)
    # When the number last moved: the Last-Modified of every public page and export.
    changed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"Timeline data version {self.number}"

    @classmethod
    def current(cls):
        return cls.state()[0]

    @classmethod
    def state(cls):
        """(number, time it last changed or None), in one query.

        Read on every request: in SQL, for the ORM doubled its cost.
        """
        table = cls._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT number, changed_at FROM {connection.ops.quote_name(table)} "
                "ORDER BY id LIMIT 1"
            )
            row = cursor.fetchone()
        if row is None:
            return 0, None
        number, changed_at = row
        column = Col(table, cls._meta.get_field("changed_at"))
        for convert in connection.ops.get_db_converters(column):  # SQLite: text to datetime
            changed_at = convert(changed_at, column, connection)
        return number, changed_at

    @classmethod
    def bump(cls):
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(number=models.F("number") + 1, changed_at=now):
            # A random start: a new database must not meet the numbers under which a
            # shared cache still holds another database's pages.
            cls.objects.get_or_create(
                pk=1, defaults={"number": secrets.randbits(48) + 1, "changed_at": now}
            )


# The number of the writers' advisory lock on PostgreSQL (lock_writers).
LOCK_ID = 0x7A11E1


def lock_writers():
    """Wait until no other transaction writes timeline data, and keep them waiting until
    this one ends (PostgreSQL; SQLite's write transactions run one at a time already).

    Taken before the first row is written by every transaction that writes events,
    sources, citations, actors or what is derived from them (the pre_save and
    pre_delete receivers in relations/signals.py, the bulk writes, and
    relations.readmodel.writes.writing()), so writers lock rows one transaction at a
    time and never in two orders at once: two of them cannot deadlock. Outside a
    transaction each statement commits alone, holding one lock at a time.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
