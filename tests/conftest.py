from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from relations import readmodel

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "china_belarus.json"


@pytest.fixture(scope="session")
def timeline_rows(django_db_setup, django_db_blocker):
    """{table: (columns, rows)} that importing the fixtures adds: imported once per session.

    The importer validates every record, which takes seconds for the whole data
    set; tests that need the data get the rows it wrote, inserted as they are.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        tables = connection.introspection.django_table_names(include_views=False)
        with connection.cursor() as cursor:
            before = {table: _keys(cursor, table) for table in tables}
            call_command("import_timeline", str(FIXTURE), verbosity=0)
            rows = {}
            for table in tables:
                key = connection.introspection.get_primary_key_column(cursor, table)
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                columns = [column[0] for column in cursor.description]
                position = columns.index(key)
                added = [row for row in cursor.fetchall() if row[position] not in before[table]]
                if added:
                    rows[table] = (columns, added)
        transaction.set_rollback(True)
    return rows


def insert_timeline(rows):
    """Write the imported rows into the current database, ids and all."""
    quote = connection.ops.quote_name
    # One transaction: foreign keys are checked at its end, whatever the table order.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, values) in rows.items():
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                f"VALUES ({placeholders})",
                values,
            )
        # On PostgreSQL, rows the test adds later must not reuse these ids.
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in rows
        ]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture
def timeline(db, timeline_rows):
    """The China–Belarus fixtures, as the validating importer loads them."""
    insert_timeline(timeline_rows)


def _keys(cursor, table):
    quote = connection.ops.quote_name
    key = connection.introspection.get_primary_key_column(cursor, table)
    cursor.execute(f"SELECT {quote(key)} FROM {quote(table)}")
    return {row[0] for row in cursor.fetchall()}


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached pages: data version numbers repeat between tests."""
    cache.clear()
    readmodel.forget()
