from apps.core.books import registered_checks
from apps.reports.models import ReportRun, RunStatus
from apps.reports.services import report_run_execute, report_run_request


def check():
    return {c.name: c.func() for c in registered_checks() if c.name.startswith("reports.")}


def test_finished_runs_pass_and_an_incomplete_one_is_reported(books):
    done = report_run_request(type="balance_sheet", parameters={"end": "2026-06-30"}, queue=False)
    report_run_execute(run_id=done.pk)
    failed = report_run_request(
        type="sales", parameters={"start": "bad", "end": "bad"}, queue=False
    )
    report_run_execute(run_id=failed.pk)
    result = check()["reports.runs_complete"]
    assert (result.counted, result.violations) == (2, [])

    ReportRun.objects.filter(pk=done.pk).update(pdf_file="")
    ReportRun.objects.filter(pk=failed.pk).update(error="")
    ReportRun.objects.create(type="sales", status=RunStatus.DONE, progress=100)
    broken = ReportRun.objects.latest("pk").pk
    assert check()["reports.runs_complete"].violations == [
        f"report run {broken}: done but incomplete",
        f"report run {done.pk}: done but incomplete",
        f"report run {failed.pk}: failed without an error",
    ]


def test_pdf_prints_the_first_rows_of_a_long_table(monkeypatch, books):
    import subprocess

    from apps.reports import exports
    from apps.reports.result import INT, Column, Report, Table

    monkeypatch.setattr(exports, "PDF_ROWS", 2)
    table = Table("Numbers", [Column("n", "N", INT)], rows=[{"n": n} for n in (11, 22, 33)])
    table.total("n", label_key="n")
    result = Report(title="Long", tables=[table]).as_json()
    pdf = exports.render_pdf(result, {})
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    lines = text.splitlines()  # whole lines: the header's time may contain "33"
    assert "22" in lines and "33" not in lines
    assert "The first 2 of 3 rows" in text
