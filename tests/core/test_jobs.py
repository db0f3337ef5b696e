import pytest
from django_q.models import Schedule

from apps.core.jobs import declared_schedules, schedules_ensure
from apps.core.models import BooksCheckRun

pytestmark = pytest.mark.django_db


def test_schedules_are_created_once_and_updated_in_place():
    schedules_ensure()
    schedules_ensure()
    names = sorted(Schedule.objects.values_list("name", flat=True))
    assert names == sorted(s.name for s in declared_schedules())
    Schedule.objects.filter(name="backoffice:check-books").update(schedule_type="D")
    schedules_ensure()
    assert Schedule.objects.get(name="backoffice:check-books").schedule_type == "H"


def test_vanished_schedule_of_ours_is_removed_but_foreign_ones_stay():
    Schedule.objects.create(name="backoffice:old", func="math.floor", schedule_type="D")
    Schedule.objects.create(name="someone-else", func="math.floor", schedule_type="D")
    schedules_ensure()
    assert not Schedule.objects.filter(name="backoffice:old").exists()
    assert Schedule.objects.filter(name="someone-else").exists()


def test_jobs_page_lists_schedules_for_admin_only(admin_client, client_for):
    schedules_ensure()
    response = admin_client.get("/administration/jobs/")
    assert response.status_code == 200
    assert [r["schedule"].name for r in response.context["rows"]] == sorted(
        s.name for s in declared_schedules()
    )
    assert client_for("Accountant").get("/administration/jobs/").status_code == 403


def test_run_now_executes_the_job(admin_client, django_capture_on_commit_callbacks):
    """Test settings run django-q2 synchronously: the job really runs, in-process, once
    the request's transaction commits."""
    schedules_ensure()
    schedule = Schedule.objects.get(name="backoffice:check-books")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/administration/jobs/", {"schedule": schedule.pk})
    assert response.status_code == 302
    assert BooksCheckRun.objects.get().ok is True


def test_books_check_page_shows_last_result(client_for, django_capture_on_commit_callbacks):
    accountant = client_for("Accountant")
    with django_capture_on_commit_callbacks(execute=True):
        accountant.post("/ledger/books-check/")
    response = accountant.get("/ledger/books-check/")
    assert response.status_code == 200
    assert b"All checks passed" in response.content
    viewer = client_for("Viewer")
    assert viewer.get("/ledger/books-check/").status_code == 200
    assert viewer.post("/ledger/books-check/").status_code == 403
