from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import backup_restore


class Command(BaseCommand):
    help = "Restore the database and media from a `backup` archive (stop web and worker first)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, yes=False, **options):
        if not archive.exists():
            raise CommandError(f"{archive} does not exist.")
        if not yes and input(f"Replace the database and media with {archive}? [y/N] ") != "y":
            raise CommandError("Not restored.")
        manifest = backup_restore(archive_path=archive)
        self.stdout.write(f"Restored the {manifest['vendor']} backup of {manifest['created']}.")
