"""Reports through the API: the types each role may run, a run queued like the screen's,
polled to done, its result and files; the same refusals as the screen."""

from __future__ import annotations

import pytest

from apps.reports.models import ReportRun, RunStatus
from tests.reports.conftest import (  # noqa: F401  (fixtures)
    approver,
    books,
    ledger_scenario,
    make_seller,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def codes(client) -> list[str]:
    answer = client.get("/api/v1/reports/types/")
    assert answer.status_code == 200, answer.content
    return [t["code"] for t in answer.json()]


def test_each_role_lists_the_reports_it_may_run(api_for, books):  # noqa: F811
    everything = [
        "sales",
        "gross_profit",
        "profit_loss",
        "balance_sheet",
        "tax",
        "ar_aging",
        "stock_valuation",
        "seller_credit",
    ]
    accountant = api_for("Accountant")
    assert codes(accountant) == everything
    assert codes(api_for("Viewer")) == everything
    assert codes(api_for("Sales")) == ["sales"]
    assert codes(api_for("Warehouse")) == ["stock_valuation"]
    assert api_for("Customer").get("/api/v1/reports/types/").status_code == 403
    [pnl] = [
        t for t in accountant.get("/api/v1/reports/types/").json() if t["code"] == "profit_loss"
    ]
    assert pnl["parameters"] == [
        {"name": "start", "label": "First day", "type": "date", "required": True},
        {"name": "end", "label": "Last day", "type": "date", "required": True},
    ]


def test_run_a_pnl_poll_it_and_download_it(
    api_for,
    ledger_scenario,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = api_for("Accountant", email="books@example.test")
    body = {"type": "profit_loss", "parameters": {"start": "2026-06-01", "end": "2026-06-30"}}
    with django_capture_on_commit_callbacks(execute=False) as queued:
        made = client.post("/api/v1/reports/runs/", body, format="json")
    assert made.status_code == 201, made.content
    run = made.json()
    assert made["Location"] == f"{run['id']}/"
    assert (run["status"], run["progress"], run["result"], run["files"]) == ("queued", 0, None, {})
    assert run["parameters"] == {"start": "2026-06-01", "end": "2026-06-30"}
    early = client.get(f"/api/v1/reports/runs/{run['id']}/csv/")
    assert early.status_code == 404 and early["Content-Type"] == PROBLEM
    assert early.json()["detail"] == "The report has no file yet; poll the run until it is done."

    for callback in queued:  # the worker (django-q2 runs tasks synchronously in tests)
        callback()
    done = client.get(f"/api/v1/reports/runs/{run['id']}/").json()
    assert (done["status"], done["progress"], done["error"]) == ("done", 100, "")
    figures = {f["label"]: f["value"] for f in done["result"]["figures"]}
    assert figures["Net income"] == "57.00"
    assert done["files"] == {
        "csv": f"/api/v1/reports/runs/{run['id']}/csv/",
        "pdf": f"/api/v1/reports/runs/{run['id']}/pdf/",
    }
    csv = client.get(done["files"]["csv"])
    assert csv["Content-Type"].startswith("text/csv")
    text = b"".join(csv.streaming_content).decode()
    assert "Net income,57.00\r\n" in text and "4000,Sales Revenue,85.00\r\n" in text
    pdf = client.get(done["files"]["pdf"], HTTP_ACCEPT="application/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    listed = client.get("/api/v1/reports/runs/", {"status": "done"}).json()
    assert [r["id"] for r in listed["results"]] == [run["id"]]


def test_refusals_queue_nothing(api_for, books):  # noqa: F811
    accountant, sales = api_for("Accountant"), api_for("Sales")
    backwards = accountant.post(
        "/api/v1/reports/runs/",
        {"type": "profit_loss", "parameters": {"start": "2026-06-30", "end": "2026-06-01"}},
        format="json",
    )
    assert backwards.status_code == 400 and backwards["Content-Type"] == PROBLEM
    assert backwards.json()["errors"] == {
        "parameters": [{"end": ["The end date is before the start date."]}]
    }
    missing = accountant.post("/api/v1/reports/runs/", {"type": "balance_sheet"}, format="json")
    assert missing.json()["errors"] == {"parameters": [{"end": ["This field is required."]}]}
    unknown = accountant.post("/api/v1/reports/runs/", {"type": "nope"}, format="json")
    assert unknown.json()["errors"] == {"type": ['"nope" is not a valid choice.']}
    forbidden = sales.post(
        "/api/v1/reports/runs/",
        {"type": "profit_loss", "parameters": {"start": "2026-06-01", "end": "2026-06-30"}},
        format="json",
    )
    assert forbidden.status_code == 403
    assert not ReportRun.objects.exists()
    allowed = sales.post(
        "/api/v1/reports/runs/",
        {
            "type": "sales",
            "parameters": {"start": "2026-06-01", "end": "2026-06-30", "group_by": "month"},
        },
        format="json",
    )
    assert allowed.status_code == 201, allowed.content
    # a run of a type the role may not run is not there for it
    pnl = ReportRun.objects.create(type="profit_loss", status=RunStatus.QUEUED)
    assert sales.get(f"/api/v1/reports/runs/{pnl.pk}/").status_code == 404
    assert [r["type"] for r in sales.get("/api/v1/reports/runs/").json()["results"]] == ["sales"]
