"""django-q2 schedules declared in code (backoffice/schedules.py) and their status."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .numbers import whole_number

logger = logging.getLogger(__name__)
# Ad-hoc jobs the screens queue (imports, "verify now") live in an app's tasks module.
TASK_MODULE_FUNC = re.compile(r"apps\.[a-z_]+\.tasks\.[a-z_][a-z0-9_]*")
REFUSED_TASK = "apps.core.tasks.refused_task"


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    schedule_type: str  # django_q Schedule.DAILY / HOURLY / MINUTES ...
    minutes: int | None = None
    description: str = ""
    first_run: str | None = None  # dotted path of a function returning the first run time
    title: str = ""  # what a person calls the job; by default from its name

    @property
    def display_title(self) -> str:
        return self.title or job_title(self.name)


def _first_run(spec: ScheduleSpec):
    return import_string(spec.first_run)() if spec.first_run else timezone.now()


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
            name=spec.name, defaults={**defaults, "next_run": _first_run(spec)}
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


def _func_path(func) -> str:
    if isinstance(func, str):
        return func
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def task_refusal(task: dict) -> str | None:
    """Why the worker must not run this django-q2 task, or None when it may.

    A task made from a Schedule row (its group names the schedule) runs only if that
    schedule is declared in backoffice/schedules.py with the same function; any other
    task only if its function is a declared schedule's or lives in an app's tasks module.
    A Schedule row added by hand (SQL, shell, an old admin) can therefore run nothing else.
    """
    from django_q.models import Schedule

    func = _func_path(task.get("func"))
    specs = {spec.name: spec for spec in declared_schedules()}
    group = str(task.get("group") or "")
    if group and Schedule.objects.filter(name=group).exists():
        spec = specs.get(group)
        if spec is None:
            return f"Schedule {group} ({func}) is not declared in backoffice/schedules.py; refused."
        if spec.func != func:
            return f"{func} is not declared in backoffice/schedules.py for {group}; refused."
        return None
    if func in {spec.func for spec in specs.values()} or TASK_MODULE_FUNC.fullmatch(func):
        return None
    return f"{func} is not declared in backoffice/schedules.py; refused."


def task_guard(sender, task: dict, **kwargs) -> None:
    """django-q2 pre_enqueue receiver: a refused task is replaced by `refused_task`, which
    the worker runs instead and records as a failure with the reason (Jobs page)."""
    if task.get("func") == REFUSED_TASK:
        return
    reason = task_refusal(task)
    if reason:
        logger.warning("Job refused: %s", reason)
        task["func"], task["args"], task["kwargs"] = REFUSED_TASK, (reason,), {}


def schedule_run_now(*, schedule_id) -> str | None:
    """Queue one declared schedule now (after the caller's transaction commits); its name,
    or None when there is no such schedule."""
    from django.db import transaction
    from django_q.models import Schedule
    from django_q.tasks import async_task

    number = whole_number(str(schedule_id or ""))
    declared = {spec.name for spec in declared_schedules()}  # declared jobs only
    schedule = (
        Schedule.objects.filter(pk=number, name__in=declared).first()
        if number is not None
        else None
    )
    if schedule is None:
        return None
    transaction.on_commit(lambda: async_task(schedule.func, group=schedule.name))
    return schedule.name


def books_check_request(*, by) -> None:
    """Queue a `check_books` run in the worker (after the caller's transaction commits)."""
    from django.db import transaction
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "apps.core.tasks.books_check_task", f"requested by {by}", group="books-check"
        )
    )
