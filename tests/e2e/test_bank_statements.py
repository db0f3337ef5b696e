"""An accountant imports the sample CAMT.053 file, confirms the suggested matches, the
invoices show Paid, and the customer sees the payment in the portal."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from apps.core.models import CompanySettings
from apps.ledger.chart import chart_ensure
from tests.sales.factories import currency, make_customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "samples" / "camt053-demo.xml"
SHOTS = ROOT / "docs" / "screenshots"
SIZES = {"1440": (1440, 900), "390": (390, 844)}


@pytest.fixture
def books(demo_users):
    """Acme Retail's four invoices the sample file pays: INV-2026-00001 .. 00004."""
    from apps.invoicing import services
    from apps.invoicing.models import BankAccount

    currency("USD")
    chart_ensure()
    company = CompanySettings.load()
    company.iban, company.bic = "FR7630006000011234567890189", "AGRIFRPP"
    company.save()
    portal_user = get_user_model().objects.get(email="customer@demo.test")
    acme = make_customer("Acme Retail", portal_user=portal_user)
    day = dt.date(2026, 11, 2)
    invoices = []
    for amount in ("120.00", "80.00", "45.50", "200.00"):
        draft = services.invoice_create(
            customer=acme,
            issue_date=day,
            lines=[{"description": "Services", "quantity": "1", "unit_price": amount}],
        )
        invoices.append(services.invoice_issue(invoice=draft, issue_date=day))
    BankAccount.objects.create(
        name="Main account", iban="FR7630006000011234567890189", currency_id="USD"
    )
    return invoices


def shoot(page, name):
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})


def test_accountant_imports_camt_confirms_matches_and_customer_sees_payment(
    books, login, live_server, browser
):
    page = login("accountant@demo.test")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Bank statements").first.click()
    expect(page.get_by_text("No statement imported yet.")).to_be_visible()
    page.get_by_role("link", name="Import a statement").click()
    page.get_by_label("Bank account").select_option(label="Main account")
    page.get_by_label("Statement file").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#preview-ok")).to_contain_text("All 5 rows are readable")
    expect(page.locator("#preview-rows tbody tr")).to_have_count(5)
    shoot(page, "bank-statement-preview")

    page.get_by_role("button", name="Import lines").click()
    expect(page.locator("#import-summary")).to_contain_text(
        "5 new lines, 0 already imported before"
    )
    lines = page.locator(".bank-line")
    expect(lines).to_have_count(5)
    expect(page.get_by_role("button", name="Confirm match")).to_have_count(3)
    shoot(page, "bank-statement-suggestions")

    for _ in range(3):
        page.get_by_role("button", name="Confirm match").first.click()
        expect(page.locator(".alert-success").first).to_contain_text("recorded from Acme Retail")
    expect(page.get_by_role("button", name="Confirm match")).to_have_count(0)
    expect(page.locator('.bank-line[data-status="matched"]')).to_have_count(3)
    shoot(page, "bank-statement-matched")

    page.goto(f"{live_server.url}/invoices/")
    for number, status in (
        ("INV-2026-00001", "Paid"),
        ("INV-2026-00002", "Paid"),
        ("INV-2026-00003", "Paid"),
        ("INV-2026-00004", "Partially paid"),
    ):
        row = page.locator("#table tbody tr", has_text=number)
        expect(row.locator(".badge")).to_have_text(status)

    # the customer sees its invoices paid and the payment on its statement
    context = browser.new_context()
    customer = context.new_page()
    customer.goto(f"{live_server.url}/accounts/login/")
    customer.get_by_label("Email").fill("customer@demo.test")
    customer.get_by_label("Password").fill("demo-pass-2026")
    customer.get_by_role("button", name="Log in").click()
    customer.goto(f"{live_server.url}/portal/invoices/")
    paid = customer.locator("#portal-invoices tbody tr", has_text="INV-2026-00001")
    expect(paid).to_contain_text("Paid")
    customer.goto(f"{live_server.url}/portal/statement/")
    payment = customer.locator("tr", has_text=re.compile(r"PAY-2026-\d{5}")).first
    expect(payment).to_contain_text("2026-11-26")
    expect(payment).to_contain_text("-120.00")
    shoot(customer, "bank-portal-statement")
    context.close()
