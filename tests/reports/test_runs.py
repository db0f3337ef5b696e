"""ReportRun: queued by the screen, run by the django-q2 task (sync in tests), progress,
failures, files served only to allowed readers, generate_report, the monthly email."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from apps.core.csvexport import csv_safe_cell as csv_cell
from apps.core.csvexport import csv_text
from apps.customers.models import Customer
from apps.reports.models import ReportRun, RunStatus
from apps.reports.services import report_run_execute, report_run_request
from apps.reports.tasks import monthly_reports_task
from apps.sales.figures import sales_figures_rebuild
from apps.sales.models import Order, OrderLine, OrderStatus
from tests.inventory.factories import StoreFactory
from tests.sales.factories import make_customer, make_product


def _request(client, type_, **data):
    return client.post(f"{reverse('report-create')}?type={type_}", {"type": type_, **data})


def test_accountant_runs_a_pnl_from_the_screen(
    client_for, ledger_scenario, django_capture_on_commit_callbacks
):
    client = client_for("Accountant")
    page = client.get(reverse("report-list"))
    assert page.status_code == 200
    assert "Run profit and loss report" in page.content.decode()
    form = client.get(f"{reverse('report-create')}?type=profit_loss")
    assert 'for="id_start" class="form-label requiredField"' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, "profit_loss", start="2026-06-01", end="2026-06-30")
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert (run.status, run.progress, run.error) == (RunStatus.DONE, 100, "")
    assert run.parameters == {"start": "2026-06-01", "end": "2026-06-30"}
    html = client.get(run.get_absolute_url()).content.decode()
    assert "Download CSV" in html and "Download PDF" in html
    assert "hx-trigger" not in html  # finished: no more polling
    assert 'id="report-charts" type="application/json"' in html
    assert "57.00" in html  # net income

    csv = client.get(reverse("reportrun-file", args=[run.pk, "csv"]))
    assert csv["Content-Type"].startswith("text/csv")
    text = b"".join(csv.streaming_content).decode()
    assert "Net income,57.00\r\n" in text
    assert "4000,Sales Revenue,85.00\r\n" in text
    assert ",Total income,105.00\r\n" in text
    pdf = client.get(reverse("reportrun-file", args=[run.pk, "pdf"]))
    body = b"".join(pdf.streaming_content)
    assert pdf["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")


def test_bad_form_input_shows_errors_and_queues_nothing(client_for, books):
    client = client_for("Accountant")
    response = _request(client, "profit_loss", start="2026-06-30", end="2026-06-01")
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert not ReportRun.objects.exists()
    assert client.get(f"{reverse('report-create')}?type=nope").status_code == 404


def test_a_queued_run_polls_and_shows_progress(client_for, books):
    run = report_run_request(
        type="profit_loss", parameters={"start": "2026-06-01", "end": "2026-06-30"}, queue=False
    )
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=42)
    client = client_for("Accountant")
    partial = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="run"')
    assert 'hx-trigger="every 1s"' in partial
    assert 'value="42"' in partial and "42%" in partial
    assert "<html" not in partial


def test_a_failing_run_shows_its_error_not_a_spinner(client_for, books):
    run = report_run_request(
        type="sales", parameters={"start": "2026-13-01", "end": "2026-06-30"}, queue=False
    )
    run = report_run_execute(run_id=run.pk)
    assert run.status == RunStatus.FAILED
    assert run.error == "ValueError: month must be in 1..12"
    assert run.finished_at is not None
    client = client_for("Accountant")
    text = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "This report failed" in text and "month must be in 1..12" in text
    assert "hx-trigger" not in text and "spinner" not in text
    assert client.get(reverse("reportrun-file", args=[run.pk, "csv"])).status_code == 404


def test_a_run_executes_once(books):
    run = report_run_request(type="balance_sheet", parameters={"end": "2026-06-30"}, queue=False)
    first = report_run_execute(run_id=run.pk)
    finished = first.finished_at
    again = report_run_execute(run_id=run.pk)  # a task delivered twice
    assert again.status == RunStatus.DONE and again.finished_at == finished


@pytest.fixture
def big_sales(books):
    """2,000 order lines over 100 days (bulk rows: this test is about reading them)."""
    store = StoreFactory(name="Bulk Store", code="BULK")
    customer = make_customer("Bulk Buyer")
    products = [make_product("4.00", sku=f"BULK-{n}", name=f"Bulk {n}") for n in range(4)]
    start = dt.date(2026, 1, 1)
    orders = Order.objects.bulk_create(
        Order(
            number=f"SO-BULK-{n:05d}",
            customer=customer,
            store=store,
            currency_id="USD",
            exchange_rate=Decimal("1"),
            order_date=start + dt.timedelta(days=n % 100),
            status=OrderStatus.CONFIRMED,
            subtotal=Decimal("20.00"),
            total=Decimal("20.00"),
            total_base=Decimal("20.00"),
        )
        for n in range(500)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=product,
            product_sku=product.sku,
            product_name=product.name,
            quantity=1,
            unit_price=Decimal("5.00"),
            gross=Decimal("5.00"),
            net=Decimal("5.00"),
            total=Decimal("5.00"),
        )
        for order in orders
        for product in products
    )
    sales_figures_rebuild()  # what a bulk loader does after loading
    return customer


def test_progress_increases_on_a_large_data_set_and_the_run_finishes(big_sales):
    # a customer filter reads the order lines, in date chunks (no filter reads the daily
    # figures in one query)
    run = report_run_request(
        type="sales",
        parameters={
            "start": "2026-01-01",
            "end": "2026-04-10",
            "group_by": "week",
            "customer": big_sales.pk,
        },
        queue=False,
    )
    seen = []

    def observe(pct):  # what a polling page would read from the table at that moment
        seen.append(ReportRun.objects.values_list("progress", flat=True).get(pk=run.pk))

    run = report_run_execute(run_id=run.pk, on_progress=observe)
    assert run.status == RunStatus.DONE
    assert seen == sorted(seen) and len(set(seen)) >= 20
    assert seen[0] < 10 and seen[-1] == 100
    totals = run.result["tables"][0]["totals"]
    assert (totals["qty"], totals["net"]) == (2000, "10000.00")
    everyone = report_run_execute(
        run_id=report_run_request(
            type="sales",
            parameters={"start": "2026-01-01", "end": "2026-04-10", "group_by": "week"},
            queue=False,
        ).pk
    )
    assert everyone.result["tables"][0]["totals"] == run.result["tables"][0]["totals"]


def test_only_allowed_readers_see_runs_and_files(
    client_for, books, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pnl = report_run_request(
            type="profit_loss", parameters={"start": "2026-06-01", "end": "2026-06-30"}
        )
        sales = report_run_request(
            type="sales", parameters={"start": "2026-06-01", "end": "2026-06-30", "group_by": "day"}
        )
    seller_view = client_for("Sales")
    assert seller_view.get(reverse("reportrun-file", args=[sales.pk, "pdf"])).status_code == 200
    assert seller_view.get(reverse("reportrun-file", args=[pnl.pk, "pdf"])).status_code == 404
    assert seller_view.get(pnl.get_absolute_url()).status_code == 404
    listing = seller_view.get(reverse("report-list")).content.decode()
    assert "Run sales report" in listing and "Run profit and loss report" not in listing
    assert seller_view.get(f"{reverse('report-create')}?type=profit_loss").status_code == 403
    assert (
        _request(seller_view, "profit_loss", start="2026-06-01", end="2026-06-30").status_code
        == 403
    )
    viewer = client_for("Viewer")
    assert viewer.get(reverse("reportrun-file", args=[pnl.pk, "csv"])).status_code == 200
    assert client_for("Customer").get(reverse("report-list")).status_code == 403
    assert (
        viewer.__class__().get(reverse("reportrun-file", args=[pnl.pk, "csv"])).status_code == 302
    )


def test_run_list_filters_by_type_and_status(client_for, books):
    report_run_request(type="balance_sheet", parameters={"end": "2026-06-30"}, queue=False)
    failed = report_run_request(
        type="sales", parameters={"start": "x", "end": "2026-06-30"}, queue=False
    )
    report_run_execute(run_id=failed.pk)
    client = client_for("Accountant")
    html = client.get(
        reverse("report-list"), {"status": "failed"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Sales" in html and "Balance sheet" not in html
    html = client.get(
        reverse("report-list"), {"type": "balance_sheet"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Balance sheet" in html and "Failed" not in html


def test_csv_cells_that_look_like_formulas_are_neutralised(client_for, sales_scenario):
    Customer.objects.filter(pk=sales_scenario.acme.pk).update(name='=HYPERLINK("http://x")')
    run = report_run_request(
        type="sales",
        parameters={"start": "2026-06-01", "end": "2026-07-31", "group_by": "customer"},
        queue=False,
    )
    run = report_run_execute(run_id=run.pk)
    text = run.csv_file.open("rb").read().decode()
    assert '"\'=HYPERLINK(""http://x"")",3,30.00,' in text
    assert (
        csv_cell("-10.00") == "-10.00"
        and csv_cell("-cmd") == "'-cmd"
        and csv_cell("@SUM(A1)") == "'@SUM(A1)"
    )
    assert csv_text([["+1+1", 5, "plain"]]) == "'+1+1,5,plain\r\n"


def test_generate_report_command_writes_csv_json_and_pdf(ledger_scenario, tmp_path):
    out = io.StringIO()
    call_command(
        "generate_report",
        "--type",
        "profit_loss",
        "--start",
        "2026-06-01",
        "--end",
        "2026-06-30",
        stdout=out,
    )
    assert "Net income,57.00\r\n" in out.getvalue()
    out = io.StringIO()
    call_command(
        "generate_report",
        "--type",
        "balance_sheet",
        "--end",
        "2026-07-31",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["figures"][0] == {"label": "Assets", "value": "1692.50", "kind": "money"}
    target = tmp_path / "gp.pdf"
    call_command(
        "generate_report",
        "--type",
        "gross_profit",
        "--start",
        "2026-06-01",
        "--end",
        "2026-07-31",
        "--format",
        "pdf",
        "--output",
        str(target),
        "--param",
        "group_by=week",
        stderr=io.StringIO(),
    )
    assert target.read_bytes().startswith(b"%PDF-")
    assert ReportRun.objects.filter(type="gross_profit", parameters__group_by="week").count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="end: The end date is before the start date."):
        call_command(
            "generate_report", "--type", "sales", "--start", "2026-07-01", "--end", "2026-06-01"
        )


def test_monthly_email_goes_to_admins_and_accountants(ledger_scenario, make_user):
    make_user("Admin", email="boss@example.test")
    make_user("Accountant", email="books@example.test")
    make_user("Sales", email="sales@example.test")
    outcome = monthly_reports_task(today="2026-07-03")
    runs = ReportRun.objects.filter(pk__in=outcome["runs"])
    assert sorted(runs.values_list("type", "status")) == [
        ("profit_loss", "done"),
        ("sales", "done"),
    ]
    assert {r.parameters["start"] for r in runs} == {"2026-06-01"}
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "sales@example.test" not in recipients
    assert {"boss@example.test", "books@example.test"} <= set(recipients)
    message = mail.outbox[0]
    assert message.subject == "Monthly reports: June 2026"
    assert "Net income 57.00" in message.body
    assert sorted(name.rsplit(".", 1)[1] for name, _, _ in message.attachments) == [
        "csv",
        "csv",
        "pdf",
        "pdf",
    ]


def test_schedules_declare_the_monthly_email_first_sent_on_the_first(db):
    from django.utils import timezone
    from django_q.models import Schedule

    from apps.core.jobs import schedules_ensure

    schedules_ensure()
    monthly = Schedule.objects.get(name="backoffice:monthly-reports")
    assert (monthly.func, monthly.schedule_type) == ("apps.reports.tasks.monthly_reports_task", "M")
    first = timezone.localtime(monthly.next_run)
    assert (first.day, first.hour, first.minute) == (1, 6, 0)
    assert first.date() > timezone.localdate()
    refresh = Schedule.objects.get(name="backoffice:dashboard-refresh")
    assert (refresh.schedule_type, refresh.minutes) == ("I", 10)


def test_warehouse_may_run_only_the_stock_valuation(client_for, books):
    client = client_for("Warehouse")
    html = client.get(reverse("report-list")).content.decode()
    assert "Run stock valuation report" in html
    assert "Run sales report" not in html and "Run receivables aging report" not in html
    assert client.get(reverse("report-create") + "?type=ar_aging").status_code == 403
    assert client.get(reverse("report-create") + "?type=stock_valuation").status_code == 200


def test_runs_the_worker_gave_up_on_are_failed_by_the_schedule(books):
    from datetime import timedelta

    from django.utils import timezone

    from apps.reports.tasks import dashboard_refresh_task

    stuck = report_run_request(type="balance_sheet", parameters={"end": "2026-06-30"}, queue=False)
    fresh = report_run_request(type="balance_sheet", parameters={"end": "2026-06-30"}, queue=False)
    ReportRun.objects.filter(pk=stuck.pk).update(
        status=RunStatus.RUNNING, created_at=timezone.now() - timedelta(minutes=13)
    )
    assert dashboard_refresh_task()["expired_runs"] == 1
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
    from django.conf import settings

    minutes = settings.Q_CLUSTER["retry"] * 2 // 60  # retry > timeout: django-q2 gave up
    assert stuck.error.startswith(f"The report did not finish within {minutes} minutes")
    assert ReportRun.objects.get(pk=fresh.pk).status == RunStatus.QUEUED
