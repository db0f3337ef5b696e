"""An accountant records a payment from an invoice (the open amount prefilled), sees the
live remaining amount, and the invoice shows Paid; the customer's portal lists it."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from apps.ledger.chart import chart_ensure
from tests.sales.factories import currency, make_customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def invoice(demo_users):
    from apps.invoicing import services

    currency("USD")
    chart_ensure()
    portal_user = get_user_model().objects.get(email="customer@demo.test")
    acme = make_customer("Acme Retail", portal_user=portal_user)
    invoice = services.invoice_issue(
        invoice=services.invoice_create(
            customer=acme,
            lines=[{"description": "Consulting", "quantity": "3", "unit_price": "80.00"}],
        )
    )
    services.payment_record(customer=acme, amount="40.00", allocations={invoice: "40.00"})
    return invoice


def test_accountant_records_a_payment_from_the_invoice(invoice, login, live_server, browser):
    page = login("accountant@demo.test")
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    expect(page.locator("#invoice-open")).to_have_text("200.00 USD")
    page.get_by_role("link", name="Record payment").click()
    expect(page.get_by_label("Amount received")).to_have_value("200.00")
    expect(page.get_by_label(f"Allocate to {invoice.number}")).to_have_value("200.00")
    # the customer paid a little more: the rest is shown live as customer credit
    page.get_by_label("Amount received").fill("215.00")
    expect(page.locator("#remaining-amount")).to_have_text("15.00")
    page.get_by_label("Method").select_option("Cheque")
    page.get_by_label("Reference").fill("CHQ 000123")
    page.screenshot(path=str(SHOTS / "payment-from-invoice-1440.png"), full_page=True)
    page.get_by_role("button", name="Record payment").click()

    expect(page.get_by_text(re.compile("15.00 USD is kept as customer credit"))).to_be_visible()
    expect(page.locator("[data-status=paid]").first).to_be_visible()
    page.get_by_role("link", name=re.compile(r"PAY-\d{4}-00002")).click()
    expect(page.locator("#payment-credit")).to_have_text("15.00 USD")
    expect(page.locator("#allocations")).to_contain_text(invoice.number)
    page.screenshot(path=str(SHOTS / "payment-detail-1440.png"), full_page=True)

    page.context.clear_cookies()
    portal = login("customer@demo.test")
    portal.goto(f"{live_server.url}/portal/invoices/")
    expect(portal.locator("#portal-payments")).to_contain_text("CHQ 000123")
    expect(portal.locator("#portal-credit")).to_contain_text("15.00 USD")
