"""The accountant runs a profit-and-loss report: progress, then the chart, then the CSV
and PDF downloads (browser)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.ledger.conftest import books  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def posted(books):  # noqa: F811
    import datetime as dt

    from apps.ledger import chart
    from apps.ledger.services import Cr, Dr, journal_post

    journal_post(
        date=dt.date(2026, 6, 3),
        memo="Invoice",
        lines=[
            Dr(chart.AR, "36.00"),
            Cr(chart.SALES_REVENUE, "30.00"),
            Cr(chart.TAX_PAYABLE, "6.00"),
        ],
    )
    journal_post(
        date=dt.date(2026, 6, 3),
        memo="Cost",
        lines=[Dr(chart.COGS, "18.00"), Cr(chart.INVENTORY, "18.00")],
    )


@pytest.fixture
def worker(monkeypatch):
    """Queue tasks instead of running them inside the request (django-q2 sync mode is on
    in tests) and run the queued report in a thread, slowly, like a busy worker."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    threads = []

    def start(run_id: int):
        from django.db import connection

        from apps.reports.services import report_run_execute

        def work():
            time.sleep(1.5)  # still queued: the page shows 0 % and polls
            try:
                report_run_execute(run_id=run_id, on_progress=lambda pct: time.sleep(1.2))
            finally:
                connection.close()

        thread = threading.Thread(target=work)
        thread.start()
        threads.append(thread)

    yield start
    for thread in threads:
        thread.join(30)


def test_accountant_runs_a_pnl_and_downloads_it(demo_users, posted, worker, login, live_server):
    from apps.reports.models import ReportRun

    page = login("accountant@demo.test")
    # the dashboard draws its charts from json_script data (no inline script)
    expect(page.locator("#chart-sales-30 canvas")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#chart-charges-per-day canvas")).to_have_attribute("data-drawn", "1")
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Run profit and loss report").click()
    page.get_by_label("First day").fill("2026-06-01")
    page.get_by_label("Last day").fill("2026-06-30")
    page.get_by_role("button", name="Run report").click()

    expect(page.locator("#run-progress")).to_contain_text("this page updates by itself")
    worker(ReportRun.objects.get().pk)
    # progress moves while the worker runs, without reloading the page
    page.wait_for_function(
        "() => { const bar = document.getElementById('run-progress-bar');"
        " return bar && bar.value > 0 && bar.value < 100; }",
        timeout=15_000,
    )
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible(timeout=20_000)
    expect(page.locator("#report-figures")).to_contain_text("12.00")  # net income 30 - 18
    canvas = page.locator("canvas[data-chart-source='report-charts']")
    expect(canvas).to_have_attribute("data-drawn", "1")  # Chart.js drew it
    assert page.locator("#run-progress").count() == 0

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert "Net income,12.00" in csv_text
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(pdf_download.value.path()).read_bytes()[:5] == b"%PDF-"
    assert pdf_download.value.suggested_filename == f"profit-loss-{ReportRun.objects.get().pk}.pdf"


@pytest.fixture
def receivable(books):  # noqa: F811
    """Acme owes 36.00 (INV of Jun 3, due Jul 3) and Euro GmbH 60.50 (55.00 EUR at 1.10,
    Jun 15, due Jun 29): on Jul 15 that is 36.00 at 1-30 days and 60.50 at 1-30 days."""
    import datetime as dt

    from apps.invoicing.services import invoice_issue
    from tests.invoicing.conftest import free_invoice
    from tests.sales.factories import currency, make_customer, rate

    rate("EUR", "1.10", dt.date(2026, 1, 1))
    acme = make_customer("Acme Retail")
    euro = make_customer("Euro GmbH", code="EUR")
    first = free_invoice(acme, ("Alpha", 3, "10.00", "20"), payment_terms_days=30)
    invoice_issue(invoice=first, issue_date=dt.date(2026, 6, 3))
    second = free_invoice(
        euro, ("Beta", 2, "25.00", "10"), payment_terms_days=14, currency=currency("EUR")
    )
    invoice_issue(invoice=second, issue_date=dt.date(2026, 6, 15))
    return acme


def test_accountant_runs_an_ar_aging_report_and_downloads_it(
    demo_users, receivable, worker, login, live_server, tmp_path
):
    from apps.reports.models import ReportRun
    from apps.reports.summary import dashboard_refresh

    dashboard_refresh()
    page = login("accountant@demo.test")
    # the dashboard's receivables chart links to the aging report
    expect(page.locator("#chart-receivables-by-age canvas")).to_have_attribute("data-drawn", "1")
    page.locator("#chart-receivables-by-age").get_by_role("link", name="Aging by customer").click()
    page.get_by_label("As of").fill("2026-07-15")
    page.get_by_role("button", name="Run report").click()

    expect(page.locator("#run-progress")).to_contain_text("this page updates by itself")
    worker(ReportRun.objects.get().pk)
    page.wait_for_function(
        "() => { const bar = document.getElementById('run-progress-bar');"
        " return bar && bar.value > 0 && bar.value < 100; }",
        timeout=15_000,
    )
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible(timeout=20_000)
    expect(page.locator("#report-figures")).to_contain_text("96.50")  # 36.00 + 60.50
    canvas = page.locator("canvas[data-chart-source='report-charts']")
    expect(canvas).to_have_attribute("data-drawn", "1")
    page.wait_for_timeout(1200)  # let Chart.js finish its animation
    page.screenshot(path=str(tmp_path / "ar-aging.png"), full_page=True)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert "Total receivable,96.50" in csv_text
    assert "Accounts Receivable account,96.50" in csv_text
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(pdf_download.value.path()).read_bytes()[:5] == b"%PDF-"
    run = ReportRun.objects.get()
    assert pdf_download.value.suggested_filename == f"ar-aging-{run.pk}.pdf"

    # drill down: the customer's row opens the same report for that customer
    page.get_by_role("link", name=f"{receivable.code} Acme Retail").click()
    expect(page.get_by_label("Customer code")).to_have_value(receivable.code)
