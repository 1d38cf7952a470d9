"""The full-text index over the search documents, in each database's own engine.

SQLite: an FTS5 table reading its text from ``learning_searchdocument`` (external content), kept
in step by triggers. PostgreSQL: a generated, weighted ``tsvector`` column with a GIN index.
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE learning_search USING fts5(
        title, tags, body,
        content='learning_searchdocument', content_rowid='mistake_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    # The title weighs most, then the tags, then everything else that was written down.
    "INSERT INTO learning_search(learning_search, rank) VALUES('rank', 'bm25(8.0, 4.0, 1.0)')",
    """CREATE TRIGGER learning_search_insert AFTER INSERT ON learning_searchdocument BEGIN
        INSERT INTO learning_search(rowid, title, tags, body)
        VALUES (new.mistake_id, new.title, new.tags, new.body);
    END""",
    """CREATE TRIGGER learning_search_delete AFTER DELETE ON learning_searchdocument BEGIN
        INSERT INTO learning_search(learning_search, rowid, title, tags, body)
        VALUES ('delete', old.mistake_id, old.title, old.tags, old.body);
    END""",
    """CREATE TRIGGER learning_search_update AFTER UPDATE OF title, tags, body
        ON learning_searchdocument BEGIN
        INSERT INTO learning_search(learning_search, rowid, title, tags, body)
        VALUES ('delete', old.mistake_id, old.title, old.tags, old.body);
        INSERT INTO learning_search(rowid, title, tags, body)
        VALUES (new.mistake_id, new.title, new.tags, new.body);
    END""",
    "INSERT INTO learning_search(learning_search) VALUES('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS learning_search_insert",
    "DROP TRIGGER IF EXISTS learning_search_delete",
    "DROP TRIGGER IF EXISTS learning_search_update",
    "DROP TABLE IF EXISTS learning_search",
]
POSTGRES_CREATE = [
    """ALTER TABLE learning_searchdocument ADD COLUMN document tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', tags), 'B')
            || setweight(to_tsvector('english', body), 'C')
        ) STORED""",
    "CREATE INDEX learning_search_document ON learning_searchdocument USING GIN (document)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS learning_search_document",
    "ALTER TABLE learning_searchdocument DROP COLUMN IF EXISTS document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def index_existing_mistakes(apps, schema_editor):
    # Mistakes reported before the library existed join the index (the triggers feed FTS5).
    mistake_model = apps.get_model("reporting", "Mistake")
    document_model = apps.get_model("learning", "SearchDocument")
    documents = [
        document_model(
            mistake_id=mistake.pk,
            title=mistake.title,
            tags=" ".join(tag.name for tag in mistake.tags.all()),
            body=mistake.description,
        )
        for mistake in mistake_model.objects.prefetch_related("tags").iterator(chunk_size=1000)
    ]
    document_model.objects.bulk_create(documents, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_search_documents")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
        migrations.RunPython(index_existing_mistakes, migrations.RunPython.noop),
    ]
