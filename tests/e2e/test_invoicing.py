"""An accountant invoices a confirmed order, issues it, opens its PDF and voids another
invoice; a customer downloads its own PDF and gets 404 for another customer's."""

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from apps.core.models import CompanySettings
from apps.ledger.chart import chart_ensure
from tests.inventory.factories import StoreFactory
from tests.sales.factories import currency, make_customer, make_order, make_product, stocked, tax

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"1440": (1440, 900), "390": (390, 844)}


@pytest.fixture
def books(demo_users):
    from apps.invoicing import services
    from apps.sales import services as sales

    currency("USD")
    chart_ensure()
    company = CompanySettings.load()
    company.name = "Demo Trading Ltd"
    company.address = "1 Market Street"
    company.postal_code, company.city, company.country_code = "75001", "Paris", "FR"
    company.tax_id = "FR40303265045"
    company.iban, company.bic = "FR7630006000011234567890189", "AGRIFRPP"
    company.save()
    store = StoreFactory(name="Main Store", code="MAIN")
    tea = stocked(
        store, make_product("4.50", sku="TEA-1", name="Green tea", tax_rate=tax("20")), 50
    )
    mug = stocked(store, make_product("7.25", sku="MUG-1", name="Blue mug", tax_rate=tax("20")), 50)
    portal_user = get_user_model().objects.get(email="customer@demo.test")
    acme = make_customer("Acme Retail", portal_user=portal_user, email="ap@acme.test")
    other = make_customer("Other Co")
    order = sales.order_confirm(order=make_order(acme, store, [(tea, 4), (mug, 2)]))
    to_void = services.invoice_issue(
        invoice=services.invoice_create(
            customer=acme,
            lines=[{"description": "Wrong fee", "quantity": "1", "unit_price": "30.00"}],
        )
    )
    others = services.invoice_issue(
        invoice=services.invoice_create(
            customer=other, lines=[{"description": "Setup", "quantity": "1", "unit_price": "80.00"}]
        )
    )
    return order, to_void, others


def shoot(page, name):
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})


def test_accountant_invoices_issues_opens_pdf_and_voids(
    books, login, live_server, browser, tmp_path
):
    order, to_void, others = books
    page = login("accountant@demo.test")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    page.get_by_role("link", name="Invoice this order").click()
    expect(page.get_by_label(re.compile("TEA-1"))).to_have_value("4")
    page.get_by_role("button", name="Create draft invoice").click()

    # the editor: change a quantity, the totals follow without a reload
    expect(
        page.get_by_role("heading", name=re.compile("Draft invoice for Acme Retail"))
    ).to_be_visible()
    expect(page.locator("#total-total")).to_have_text(
        re.compile(r"39\.00")
    )  # 18.00+14.50=32.50 +20 %
    quantity = page.locator("#invoice-lines tbody tr").first.get_by_label("Quantity")
    quantity.fill("3")
    quantity.press("Enter")  # keyboard: Enter saves and goes back to the add box
    expect(page.locator("#add-product")).to_be_focused()
    expect(page.locator("#total-total")).to_have_text(re.compile(r"33\.60"))  # 13.50+14.50 +20 %
    shoot(page, "invoice-editor")

    page.get_by_role("button", name="Issue invoice").click()
    heading = page.get_by_role("heading", name=re.compile(r"Invoice INV-\d{4}-\d{5}"))
    expect(heading).to_be_visible()
    expect(page.locator("#invoice-total")).to_have_text(re.compile(r"33\.60"))
    expect(page.locator("#timeline")).to_contain_text("issued")
    shoot(page, "invoice-detail")

    # the PDF through the link (the stored, archived bytes)
    href = page.locator("#invoice-actions").get_by_role("link", name=re.compile(r"^\W*PDF$"))
    href = href.get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF-") and page.request.get(f"{live_server.url}{href}").body() == body
    (tmp_path / "invoice.pdf").write_bytes(body)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(tmp_path / "invoice.pdf"),
            str(SHOTS / "invoice-issued-pdf-page1"),
        ],
        check=True,
    )

    # void another one, with a reason
    page.goto(f"{live_server.url}/invoices/{to_void.pk}/")
    page.get_by_role("link", name="Void invoice").click()
    page.get_by_label("Reason for voiding").fill("Fee charged twice")
    page.get_by_role("button", name="Void invoice").click()
    expect(page.locator("h1 .badge")).to_have_text("Void")
    expect(page.locator(".alert-dark")).to_contain_text("Fee charged twice")

    page.goto(f"{live_server.url}/invoices/")
    page.get_by_label("Search").fill("acme")
    expect(page.locator("#table tbody tr")).to_have_count(2)
    shoot(page, "invoice-list")
    page.get_by_label("Status").select_option("void")
    expect(page.locator("#table tbody tr")).to_have_count(1)

    # the customer: its own PDF, and 404 for another customer's
    context = browser.new_context()
    customer = context.new_page()
    customer.goto(f"{live_server.url}/accounts/login/")
    customer.get_by_label("Email").fill("customer@demo.test")
    customer.get_by_label("Password").fill("demo-pass-2026")
    customer.get_by_role("button", name="Log in").click()
    customer.goto(f"{live_server.url}/portal/invoices/")
    rows = customer.locator("#portal-invoices tbody tr")
    expect(rows).to_have_count(2)
    shoot(customer, "portal-invoices")
    own = rows.first.get_by_role("link", name="PDF").get_attribute("href")
    mine = customer.request.get(f"{live_server.url}{own}")
    assert mine.status == 200 and mine.body() == body
    theirs = customer.request.get(f"{live_server.url}/portal/invoices/{others.pk}/pdf/")
    assert theirs.status == 404
    customer.goto(f"{live_server.url}/portal/statement/")
    expect(customer.locator("#statement-closing")).to_have_text(re.compile(r"33\.60"))
    shoot(customer, "portal-statement")
    context.close()
