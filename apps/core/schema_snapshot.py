"""A fresh SQLite database from a schema snapshot instead of replaying every migration.

`make run` on a fresh clone spent most of its preparation in `migrate` (~6.5 s of one core,
most of it Django rendering model states, issue 12). `backoffice/schema/sqlite.sql` is the
dump of a database that `migrate` built from nothing (tables, indexes, the rows the data
migrations and post_migrate handlers wrote, `django_migrations`), headed by a fingerprint of
every migration file and the Django version. `load_if_fresh()` executes it into an empty
database when the fingerprint still matches, then sends post_migrate as `migrate` would (the
role permissions, chart and currencies are synced from code, not from the snapshot). Any
other case (PostgreSQL, an existing database, a changed migration) goes through `migrate`.
The same idea as Rails' `db:schema:load`. `manage.py schema_snapshot` writes the file;
tests/core/test_schema_snapshot.py fails when it is stale and checks the result equals a
migrated database.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections

SNAPSHOT_PATH = Path(settings.BASE_DIR) / "backoffice" / "schema" / "sqlite.sql"
HEADER = "-- migrations fingerprint: "
# `applied` times say when the snapshot was made, not when this database was: one constant
# keeps the file identical from one regeneration to the next.
APPLIED = "2000-01-01 00:00:00"


def migration_files() -> list[Path]:
    """Every migration module of every installed app, in a stable order."""
    found = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if folder.is_dir():
            found.extend(sorted(p for p in folder.glob("*.py") if p.name != "__init__.py"))
    return found


def fingerprint() -> str:
    digest = hashlib.sha256(f"django {django.__version__}\n".encode())
    base = Path(settings.BASE_DIR)
    for path in migration_files():
        label = path.relative_to(base) if path.is_relative_to(base) else path.parts[-3:]
        digest.update(f"{label}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def dump(database: Path) -> str:
    """The snapshot text of a migrated SQLite file: header, then its SQL dump."""
    db = sqlite3.connect(database)
    try:
        db.execute("UPDATE django_migrations SET applied = ?", (APPLIED,))
        # Random at every change of a reference table (apps.core.reference): one constant.
        db.execute("UPDATE core_referencestamp SET value = 1")
        db.commit()
        lines = list(db.iterdump())
    finally:
        db.close()
    return f"{HEADER}{fingerprint()}\n" + "\n".join(lines) + "\n"


def snapshot_fingerprint(path: Path = SNAPSHOT_PATH) -> str | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as handle:
        first = handle.readline().strip()
    return first.removeprefix(HEADER) if first.startswith(HEADER) else None


def load_if_fresh(using: str = "default", path: Path = SNAPSHOT_PATH) -> bool:
    """Build an empty SQLite database from the snapshot; False (nothing done) otherwise."""
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return False
    if connection.introspection.table_names():
        return False
    if snapshot_fingerprint(path) != fingerprint():
        return False
    connection.ensure_connection()
    raw = connection.connection
    # The dump creates tables in name order: a row may name a table created later, so the
    # keys are checked once, after the whole script (the pragma is a no-op in a transaction).
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        raw.executescript(path.read_text(encoding="utf-8"))
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
    if broken:
        raise RuntimeError(f"schema snapshot {path}: broken foreign keys {broken[:5]}")
    _post_migrate(using)
    return True


def build_or_migrate(*, verbosity: int = 0, stdout=None) -> bool:
    """A new SQLite database from the snapshot (True), else `migrate` (False): the
    database `make run` starts on (prepare_run), whatever state it was in."""
    if load_if_fresh():
        return True
    call_command("migrate", interactive=False, verbosity=verbosity, stdout=stdout)
    return False


def _post_migrate(using: str) -> None:
    # What `migrate` sends at its end; the handlers sync permissions, the chart of
    # accounts and currencies from code.
    from django.core.management.sql import emit_post_migrate_signal

    emit_post_migrate_signal(verbosity=0, interactive=False, db=using)
