from pathlib import Path

from django.core.management.base import BaseCommand

from apps.core.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump -Fc) and media to one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="archive path (default var/backups/...)")

    def handle(self, *args, output=None, **options):
        path = backup_create(output=output)
        self.stdout.write(str(path))
