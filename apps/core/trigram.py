"""Trigram indexes for contains-searches, on PostgreSQL only (apps/core/search.py).

`trigram_indexes(...)` gives a migration operation that creates (and on reverse drops)
GIN indexes on `UPPER(column::text)`, the expression Django writes for `icontains`, so the
planner can match them. Each keeps its pending list at 64 kB (see
apps/catalog/migrations/0008_trigram_pending_list.py: a search reads the whole list). A
partial one (`where`) is for a column that most rows leave empty; its statistics are then
gathered by `CREATE STATISTICS` on the expression, as the planner reads an expression's
statistics only from a whole-table index.
"""

from __future__ import annotations

from django.db import migrations


class Trigram:
    """`upper=False` for a case-sensitive `contains` (`column::text`, digits say)."""

    def __init__(self, name: str, table: str, column: str, where: str = "", upper: bool = True):
        self.name, self.table, self.column, self.where = name, table, column, where
        self.upper = upper

    def create(self) -> list[str]:
        expression = f"UPPER({self.column}::text)" if self.upper else f"({self.column}::text)"
        sql = [
            f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table} USING gin"
            f" ({expression} gin_trgm_ops) WITH (gin_pending_list_limit = 64)"
            + (f" WHERE {self.where}" if self.where else "")
        ]
        if self.where:
            sql.append(
                f"CREATE STATISTICS IF NOT EXISTS {self.name}_stats ON ({expression})"
                f" FROM {self.table}"
            )
        return sql

    def drop(self) -> list[str]:
        return [f"DROP STATISTICS IF EXISTS {self.name}_stats", f"DROP INDEX IF EXISTS {self.name}"]


def trigram_indexes(*indexes: Trigram) -> migrations.RunPython:
    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for index in indexes:
                for sql in index.create():
                    schema_editor.execute(sql)

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for index in indexes:
                for sql in index.drop():
                    schema_editor.execute(sql)

    return migrations.RunPython(create, drop, elidable=False)
