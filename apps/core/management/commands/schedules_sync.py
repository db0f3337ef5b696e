from django.core.management.base import BaseCommand

from apps.core.jobs import schedules_ensure


class Command(BaseCommand):
    help = (
        "Create or update the django-q2 schedules declared in backoffice/schedules.py (idempotent)."
    )

    def handle(self, *args, **options):
        for name in schedules_ensure():
            self.stdout.write(f"schedule {name}")
