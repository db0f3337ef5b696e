"""Only the schedules declared in backoffice/schedules.py run (issue 12 §4), exercised
through django-q2's own scheduler and worker with a real Schedule row."""

from multiprocessing import Queue, Value

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Failure, Schedule, Success
from django_q.monitor import save_task
from django_q.scheduler import scheduler
from django_q.signing import SignedPackage
from django_q.worker import worker

from apps.core.jobs import schedules_ensure
from apps.core.models import BooksCheckRun

pytestmark = pytest.mark.django_db


def run_scheduler_and_worker(monkeypatch):
    """One scheduler tick, then a worker drains the ORM queue (no sync shortcut)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    # the worker drops stale connections between tasks; the test's connection holds its
    # transaction, so keep it
    for module in ("django_q.worker", "django_q.scheduler", "django_q.monitor"):
        monkeypatch.setattr(f"{module}.close_old_django_connections", lambda: None)
    broker = get_broker()
    scheduler(broker=broker)
    tasks, results = Queue(), Queue()
    count = 0
    while batch := broker.dequeue():
        for ack, payload in batch:
            tasks.put(SignedPackage.loads(payload))
            broker.acknowledge(ack)
            count += 1
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))
    done = [results.get(timeout=5) for _ in range(count)]
    for task in done:
        save_task(task, broker)
    return {task["func"]: task for task in done}


def test_worker_refuses_a_schedule_not_declared_in_code(monkeypatch, tmp_path):
    schedules_ensure()
    target = tmp_path / "pwned"
    Schedule.objects.update(next_run=timezone.now() - timezone.timedelta(minutes=1))
    Schedule.objects.create(
        name="innocent",
        func="os.makedirs",
        args=repr((str(target),)),
        schedule_type=Schedule.MINUTES,
        minutes=1,
        next_run=timezone.now() - timezone.timedelta(minutes=1),
    )
    ran = run_scheduler_and_worker(monkeypatch)
    assert not target.exists()
    assert "os.makedirs" not in ran
    refused = Failure.objects.get(group="innocent")
    assert "Schedule innocent (os.makedirs) is not declared in backoffice/schedules.py" in str(
        refused.result
    )
    # the declared schedules still ran in the same tick
    assert BooksCheckRun.objects.get().ok is True
    assert Success.objects.filter(group="backoffice:check-books").count() == 1


def test_declared_function_under_a_foreign_schedule_name_is_refused(monkeypatch):
    Schedule.objects.create(
        name="copycat",
        func="apps.core.tasks.prune_job_history_task",
        args="(0,)",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        next_run=timezone.now() - timezone.timedelta(minutes=1),
    )
    run_scheduler_and_worker(monkeypatch)
    assert "Schedule copycat (apps.core.tasks.prune_job_history_task) is not declared" in str(
        Failure.objects.get(group="copycat").result
    )


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999", "-1"])
def test_run_now_with_a_bad_schedule_says_so(admin_client, value):
    response = admin_client.post("/administration/jobs/", {"schedule": value}, follow=True)
    assert response.status_code == 200
    assert "Unknown schedule." in [str(m) for m in response.context["messages"]]


def test_run_now_refuses_a_foreign_schedule(admin_client):
    schedule = Schedule.objects.create(
        name="innocent", func="os.getcwd", schedule_type=Schedule.DAILY
    )
    response = admin_client.post("/administration/jobs/", {"schedule": schedule.pk}, follow=True)
    assert "Unknown schedule." in [str(m) for m in response.context["messages"]]
    assert not Success.objects.exists()
