import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from apps.core import books
from apps.core.models import BooksCheckRun

pytestmark = pytest.mark.django_db

NEW_DATABASE = (
    "import django; django.setup(); from apps.core.schema_snapshot import build_or_migrate;"
    " build_or_migrate()"
)


def test_clean_database_exits_zero_and_reports_each_check():
    out = StringIO()
    call_command("check_books", stdout=out)
    text = out.getvalue()
    assert "OK   finance.base_currency: 1 checked, 0 violations" in text
    assert "all passed" in text
    run = BooksCheckRun.objects.get()
    assert run.ok is True
    assert {r["name"] for r in run.results} >= {"finance.base_currency", "finance.exchange_rates"}


def test_a_violation_exits_one_and_is_listed():
    @books.register("test.always_broken", "A check that finds two problems.")
    def broken():
        return books.CheckResult(
            counted=3, violations=["row 1 is off by 0.01", "row 2 is negative"]
        )

    try:
        out = StringIO()
        with pytest.raises(SystemExit) as exit_info:
            call_command("check_books", stdout=out)
        assert exit_info.value.code == 1
        assert "FAIL test.always_broken: 3 checked, 2 violations" in out.getvalue()
        assert "- row 2 is negative" in out.getvalue()
        assert BooksCheckRun.objects.get().ok is False
    finally:
        books.unregister("test.always_broken")


def test_a_crashing_check_is_a_failure_not_a_crash():
    @books.register("test.crashes")
    def crashes():
        raise RuntimeError("boom")

    try:
        ok, results = books.run_checks()
        assert ok is False
        crashed = next(r for r in results if r.name == "test.crashes")
        assert crashed.violations == ["check raised RuntimeError: boom"]
    finally:
        books.unregister("test.crashes")


@pytest.mark.once  # its own SQLite file, whatever the suite's database
def test_command_line_exit_code_on_clean_database(tmp_path):
    """The real command in a real process against a new database, built as `make run`
    builds one: from the schema snapshot, which tests/core/test_schema_snapshot.py checks
    equals what `migrate` builds (`migrate` only if the snapshot is stale)."""
    db = tmp_path / "books.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{db}",
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.base",
    }
    subprocess.run([sys.executable, "-c", NEW_DATABASE], check=True, env=env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check_books"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all passed" in result.stdout
