"""django-q2 schedules declared in code (backoffice/schedules.py) and their status."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    schedule_type: str  # django_q Schedule.DAILY / HOURLY / MINUTES ...
    minutes: int | None = None
    description: str = ""
    title: str = ""  # what a person calls the job; by default from its name

    @property
    def display_title(self) -> str:
        return self.title or job_title(self.name)


def job_title(name: str) -> str:
    """ "backoffice:check-books" -> "Check books" (for schedules without a title)."""
    return name.split(":", 1)[-1].replace("-", " ").replace("_", " ").capitalize()


def declared_schedules() -> list[ScheduleSpec]:
    return list(import_string(settings.BACKOFFICE_SCHEDULES))


def schedules_ensure() -> list[str]:
    """Create or update each declared schedule by name; remove ours that vanished. Idempotent."""
    from django_q.models import Schedule

    names = []
    for spec in declared_schedules():
        defaults = {
            "func": spec.func,
            "schedule_type": spec.schedule_type,
            "minutes": spec.minutes,
            "repeats": -1,
        }
        schedule, created = Schedule.objects.get_or_create(
            name=spec.name, defaults={**defaults, "next_run": timezone.now()}
        )
        if not created and any(getattr(schedule, k) != v for k, v in defaults.items()):
            for key, value in defaults.items():
                setattr(schedule, key, value)
            schedule.save()
        names.append(spec.name)
    Schedule.objects.filter(name__startswith="backoffice:").exclude(name__in=names).delete()
    return names


def schedule_rows() -> list[dict]:
    """For the Jobs page: each schedule with its last run, next run and failure count."""
    from django_q.models import Failure, Schedule, Success

    specs = {s.name: s for s in declared_schedules()}
    rows = []
    for schedule in Schedule.objects.order_by("name"):
        last_ok = (
            Success.objects.filter(group=schedule.name)
            .order_by("-stopped")
            .values("stopped")
            .first()
        )
        failures = Failure.objects.filter(group=schedule.name)
        last_fail = failures.order_by("-stopped").values("stopped", "result").first()
        rows.append(
            {
                "schedule": schedule,
                "title": specs[schedule.name].display_title
                if schedule.name in specs
                else job_title(schedule.name),
                "description": specs.get(schedule.name).description
                if schedule.name in specs
                else "",
                "last_success": last_ok["stopped"] if last_ok else None,
                "last_failure": last_fail["stopped"] if last_fail else None,
                "last_failure_result": (str(last_fail["result"])[:300] if last_fail else ""),
                "failure_count": failures.count(),
            }
        )
    return rows
