"""Free-text search: a derived document per event, indexed for substring search.

SQLite: an FTS5 table with the trigram tokenizer over relations_event.search_document,
kept in step by triggers. PostgreSQL: a pg_trgm GIN index on UPPER(search_document),
which is what `icontains` compares. Both answer the same case-insensitive substring
queries, so results do not depend on the database.
"""

from django.db import migrations, models

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE relations_event_fts USING fts5(
        search_document, content='relations_event', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER relations_event_fts_insert AFTER INSERT ON relations_event BEGIN
        INSERT INTO relations_event_fts(rowid, search_document)
        VALUES (new.id, new.search_document);
    END""",
    """CREATE TRIGGER relations_event_fts_delete AFTER DELETE ON relations_event BEGIN
        INSERT INTO relations_event_fts(relations_event_fts, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
    END""",
    """CREATE TRIGGER relations_event_fts_update AFTER UPDATE OF search_document
    ON relations_event BEGIN
        INSERT INTO relations_event_fts(relations_event_fts, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
        INSERT INTO relations_event_fts(rowid, search_document)
        VALUES (new.id, new.search_document);
    END""",
    "INSERT INTO relations_event_fts(relations_event_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS relations_event_fts_insert",
    "DROP TRIGGER IF EXISTS relations_event_fts_delete",
    "DROP TRIGGER IF EXISTS relations_event_fts_update",
    "DROP TABLE IF EXISTS relations_event_fts",
]
POSTGRESQL_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX relations_event_search_trgm ON relations_event "
    "USING gin (UPPER(search_document) gin_trgm_ops)",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS relations_event_search_trgm"]


def fill_search_documents(apps, schema_editor):
    Event = apps.get_model("relations", "Event")
    Citation = apps.get_model("relations", "Citation")
    quotes = {}
    for event_id, quote in Citation.objects.order_by("pk").values_list("event_id", "quote"):
        quotes.setdefault(event_id, []).append(quote)
    for event in Event.objects.only("pk", "title", "summary"):
        document = "\n".join([event.title, event.summary, *quotes.get(event.pk, [])])
        Event.objects.filter(pk=event.pk).update(search_document=document)


def run_for_vendor(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("relations", "0003_editors_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="search_document",
            field=models.TextField(blank=True, editable=False, serialize=False),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["start_date", "slug"], name="relations_e_start_d_cc13b5_idx"),
        ),
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            run_for_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
