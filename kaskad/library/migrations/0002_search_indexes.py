"""The search indexes of each engine.

PostgreSQL: the pg_trgm extension (trusted since PostgreSQL 13, so the database owner may
create it), a GIN index on the weighted `search_vector` and a trigram GIN index on the folded
titles. SQLite: the FTS5 table of the three token columns (rowid = material id) and an FTS5
`trigram` table of the folded titles. Each part runs only on its engine; the services keep
the SQLite tables in step (kaskad/library/search.py).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX library_material_search_gin ON library_material USING gin (search_vector)",
    "CREATE INDEX library_material_title_trgm ON library_material"
    " USING gin (title_folded gin_trgm_ops)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS library_material_title_trgm",
    "DROP INDEX IF EXISTS library_material_search_gin",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE library_material_fts USING fts5("
    "title, description, body, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE library_title_trgm USING fts5(title, tokenize = 'trigram')",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS library_title_trgm",
    "DROP TABLE IF EXISTS library_material_fts",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
