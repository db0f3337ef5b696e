"""The schema snapshot a fresh `make run` loads instead of migrating (apps/core/schema_snapshot.py)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.core import schema_snapshot
from apps.core.management.commands.schema_snapshot import migrate_new

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
LOAD = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'backoffice.settings.base');"
    " django.setup(); from apps.core.schema_snapshot import load_if_fresh;"
    " print(load_if_fresh()); print(load_if_fresh())"
)
# Columns that say when a row was written: the snapshot's rows were written when it was made.
WHEN = {"created_at", "updated_at", "applied"}
# A random number each change of a reference table writes (apps.core.reference).
RANDOM = {("core_referencestamp", "value")}


def test_the_committed_snapshot_matches_the_migrations():
    assert schema_snapshot.snapshot_fingerprint() == schema_snapshot.fingerprint(), (
        "backoffice/schema/sqlite.sql is stale: run `make schema` after changing a migration"
    )


def contents(database: Path) -> tuple[list, dict]:
    db = sqlite3.connect(database)
    try:
        objects = sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        rows = {}
        for kind, name, _, _ in objects:
            if kind != "table":
                continue
            columns = [
                c[1]
                for c in db.execute(f'PRAGMA table_info("{name}")')
                if c[1] not in WHEN and (name, c[1]) not in RANDOM
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows[name] = sorted(db.execute(f'SELECT {listed} FROM "{name}"'), key=repr)
        return objects, rows
    finally:
        db.close()


@pytest.mark.once  # SQLite files of its own, whatever the suite's database
def test_the_snapshot_builds_what_migrate_builds(tmp_path):
    migrated, loaded = tmp_path / "migrated.sqlite3", tmp_path / "loaded.sqlite3"
    migrate_new(migrated)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{loaded}"}
    answers = subprocess.run(
        [sys.executable, "-c", LOAD], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    assert answers == ["True", "False"]  # built once; the second call finds tables and stops
    migrated_objects, migrated_rows = contents(migrated)
    loaded_objects, loaded_rows = contents(loaded)
    assert loaded_objects == migrated_objects
    assert loaded_rows == migrated_rows
    assert len(loaded_rows["django_migrations"]) > 50
    assert loaded_rows["ledger_account"] and loaded_rows["auth_group"]
    check = subprocess.run(
        [sys.executable, MANAGE, "migrate", "--check"], env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.django_db
def test_a_stale_snapshot_or_a_database_with_tables_is_left_to_migrate(tmp_path):
    stale = tmp_path / "stale.sql"
    stale.write_text(f"{schema_snapshot.HEADER}0000\nCREATE TABLE x (y);\n", encoding="utf-8")
    assert schema_snapshot.snapshot_fingerprint(stale) == "0000"
    assert schema_snapshot.load_if_fresh(path=stale) is False
    # the test database has its tables (on PostgreSQL the snapshot is never used)
    assert schema_snapshot.load_if_fresh() is False
    assert "x" not in connection.introspection.table_names()
