"""`make run`'s preparation in one process (one Django start-up instead of three): a new
SQLite database from the schema snapshot (apps/core/schema_snapshot.py) or apply pending
migrations, sync the declared schedules, load the demo data once."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.core import schema_snapshot


class Command(BaseCommand):
    help = "migrate + schedules_sync + seed_demo --if-empty, in one process (make run)."
    # The system checks load every URL pattern (~1.5 s, issue 12); CI runs them
    # (tests/core: `manage.py check --deploy`), and nothing here serves a request.
    requires_system_checks = []

    def handle(self, *args, **options):
        if schema_snapshot.build_or_migrate(verbosity=1, stdout=self.stdout):
            self.stdout.write(
                "New database built from backoffice/schema/sqlite.sql (no migration to replay)."
            )
        call_command("schedules_sync", stdout=self.stdout)
        call_command("seed_demo", if_empty=True, stdout=self.stdout)
