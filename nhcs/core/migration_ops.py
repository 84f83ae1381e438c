"""Migration operations shared by the areas."""

from __future__ import annotations

from django.db import migrations


def trigram_indexes(*indexes: tuple[str, str, str]) -> migrations.RunPython:
    """GIN trigram indexes for the lists' "contains" searches (icontains), on PostgreSQL only (a no-op on
    SQLite): each (table, column, index name) is indexed as Django's icontains compares it,
    UPPER(column::text), so `LIKE UPPER('%…%')` uses the index. Creates the pg_trgm extension (a trusted
    extension: the database owner may create it)."""

    def forward(apps, schema_editor):
        # No schema editor: the tests' re-run of the data migrations (tests/conftest.py); indexes stay.
        if schema_editor is None or schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column, name in indexes:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def backward(apps, schema_editor):
        if schema_editor is None or schema_editor.connection.vendor != "postgresql":
            return
        for _table, _column, name in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forward, backward, elidable=False)
