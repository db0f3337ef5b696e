"""An accountant opens Dunning, checks tomorrow's run, sends a reminder now from the
invoice (confirming the dialog) and finds it on the invoice's timeline and the dunning page."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from apps.core.models import CompanySettings
from apps.ledger.chart import chart_ensure
from tests.sales.factories import currency, make_customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def late_invoice(demo_users):
    from apps.invoicing import services

    currency("USD")
    chart_ensure()
    company = CompanySettings.load()
    company.name = "Demo Trading Ltd"
    company.save()
    services.dunning_level_create(
        name="Friendly reminder",
        days_after_due=7,
        subject="Friendly reminder: invoice {number}",
        body="Dear {customer}, {open_amount} {currency} is open.",
    )
    services.dunning_level_create(
        name="Second reminder",
        days_after_due=21,
        fee=Decimal("5.00"),
        subject="Second reminder: {number}",
        body="Dear {customer}, a fee of {fee} {currency} applies.",
    )
    portal_user = get_user_model().objects.get(email="customer@demo.test")
    acme = make_customer("Acme Retail", portal_user=portal_user, email="ap@acme.test")
    today = company.today()
    # due 6 days ago: tomorrow's run sends the friendly reminder
    return services.invoice_issue(
        invoice=services.invoice_create(
            customer=acme,
            payment_terms_days=10,
            lines=[{"description": "Consulting", "quantity": "2", "unit_price": "60.00"}],
        ),
        issue_date=today - dt.timedelta(days=16),
    )


def test_accountant_sees_tomorrows_run_and_sends_a_reminder_now(late_invoice, login, live_server):
    number = late_invoice.number
    page = login("accountant@demo.test")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("link", name="Dunning").first.click()
    expect(page.get_by_role("heading", name="Dunning")).to_be_visible()
    expect(page.locator("#dunning-levels")).to_contain_text("Friendly reminder")
    expect(page.locator("#dunning-levels")).to_contain_text("Second reminder")
    expect(page.locator("#table")).to_contain_text("No reminder sent yet.")

    page.get_by_role("link", name="Tomorrow's run").click()
    row = page.locator("#dunning-plan tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("Friendly reminder")
    expect(row).to_contain_text("ap@acme.test")
    page.screenshot(path=str(SHOTS / "dunning-tomorrow-1440.png"))

    page.get_by_role("link", name=number).click()
    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_role("button", name="Send reminder now").click()
    expect(page.locator("body")).to_contain_text("Friendly reminder sent to ap@acme.test.")
    assert questions == [f"Send Friendly reminder for invoice {number} now to ap@acme.test?"]
    expect(page.locator("#timeline")).to_contain_text("Invoice reminder sent")
    expect(page.locator("#reminders")).to_contain_text("Friendly reminder · 6 days")
    # the next press would send the second level (with its fee): the button says so
    expect(page.locator("#invoice-actions form[data-confirm]").nth(0)).to_have_attribute(
        "data-confirm", re.compile("Second reminder.*fee invoice of 5.00 USD")
    )
    page.screenshot(path=str(SHOTS / "dunning-invoice-reminded-1440.png"), full_page=True)

    page.get_by_role("link", name="Dunning").first.click()
    sent = page.locator("#table tbody tr")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text(number)
    expect(sent).to_contain_text("Sent by hand")
    page.screenshot(path=str(SHOTS / "dunning-1440.png"), full_page=True)
    page.goto(f"{live_server.url}/invoices/dunning/tomorrow/")
    expect(page.locator("body")).to_contain_text("Nothing to send tomorrow")


def _month_ends(start: dt.date, today: dt.date) -> list[dt.date]:
    ends, day = [], start
    while True:
        end = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if end > today:
            return ends
        ends.append(end)
        day = end + dt.timedelta(days=1)


def test_accountant_creates_a_recurring_invoice_and_bills_the_due_periods(
    late_invoice, login, live_server
):
    page = login("accountant@demo.test")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("link", name="Recurring invoices").first.click()
    expect(page.locator("#table")).to_contain_text("No recurring invoice yet.")
    page.get_by_role("link", name="New recurring invoice").click()
    page.get_by_label("Name").fill("Managed hosting")
    page.get_by_label("Customer").fill("Acme Retail")
    page.get_by_label("Interval").select_option("monthly")
    page.get_by_label("Day of month").fill("31")
    start = CompanySettings.load().today().replace(day=1) - dt.timedelta(days=40)
    page.get_by_label("Start").fill(f"{start:%Y-%m-%d}")
    page.get_by_label("Description 1").fill("Hosting, business plan")
    page.get_by_label("Quantity 1").fill("1")
    page.get_by_label("Unit price 1").fill("149.00")
    page.screenshot(path=str(SHOTS / "recurring-form-1440.png"), full_page=True)
    page.get_by_role("button", name="Create recurring invoice").click()
    expect(page.get_by_role("heading", name=re.compile("Managed hosting"))).to_be_visible()
    missed = page.locator("#recurring-missed").inner_text().split(", ")
    # The month-ends (the 31st, clamped) from the start up to today, today's included: one
    # to three, three on the last day of a month.
    assert missed == [
        f"{day:%Y-%m-%d}" for day in _month_ends(start, CompanySettings.load().today())
    ]
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Create due invoices now").click()
    expect(page.locator("#recurring-periods tbody tr")).to_have_count(len(missed))
    expect(page.locator("#recurring-missed")).to_have_text("none")
    expect(page.get_by_role("button", name="Create due invoices now")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "recurring-detail-1440.png"), full_page=True)
    page.get_by_role("link", name="Recurring invoices").first.click()
    expect(page.locator("#table tbody tr")).to_have_count(1)
    expect(page.locator("#table")).to_contain_text("Managed hosting")
    page.screenshot(path=str(SHOTS / "recurring-list-1440.png"))
