"""Write backoffice/schema/sqlite.sql: migrate a new SQLite file from nothing, dump it.

Run after adding or changing a migration (`make schema`); `make run` falls back to
`migrate` while the file is stale, and tests/core/test_schema_snapshot.py fails."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.core import schema_snapshot


class Command(BaseCommand):
    help = "Regenerate the SQLite schema snapshot a fresh `make run` loads instead of migrating."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(schema_snapshot.SNAPSHOT_PATH))

    def handle(self, *args, output, **options):
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "schema.sqlite3"
            migrate_new(database)
            text = schema_snapshot.dump(database)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {output} ({len(text.splitlines())} lines).")


def migrate_new(database: Path) -> None:
    """`migrate` into a new SQLite file, in its own process (this one's database is another)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "-v0"],
        env=env,
        check=True,
    )
