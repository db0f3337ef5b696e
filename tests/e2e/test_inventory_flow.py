"""A Warehouse user runs stock in the browser: receive, transfer, a refused removal, the ledger."""

import re

import pytest
from playwright.sync_api import expect

from tests.catalog.factories import ProductFactory
from tests.inventory.factories import StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop_floor(demo_users):
    StoreFactory(name="Main Warehouse", code="MAIN")
    StoreFactory(name="City Shop", code="CITY")
    StoreFactory(name="Harbour Outlet", code="PORT")
    return ProductFactory(sku="TEA-1", name="Green tea", barcode="5012345678900")


def test_warehouse_receives_transfers_is_refused_and_finds_the_movements(
    shop_floor, login, live_server
):
    page = login("warehouse@demo.test")
    menu = page.get_by_role("navigation", name="Main menu")

    # Receive 20 into the main warehouse, watching the available quantity.
    menu.get_by_role("link", name="Stock levels").click()
    page.get_by_role("link", name="Receive stock").click()
    expect(page.get_by_role("heading", name="Receive stock")).to_be_visible()
    page.get_by_label("Store").select_option(label="Main Warehouse")
    page.get_by_label("Product").fill("TEA-1")
    available = page.locator("#available")
    expect(available).to_contain_text("Main Warehouse: 0 × TEA-1 (Green tea) available")
    expect(available).to_contain_text("Product cost: 6.00 USD")
    page.get_by_label("Quantity received").fill("20")
    page.get_by_label("Unit cost (USD)").fill("2.5")
    page.get_by_label("Reference").fill("PO-100")
    page.get_by_role("button", name="Receive stock").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Received 20 × TEA-1 into Main Warehouse at 2.5000 each (value 50.00); now 20."
    )

    # Transfer 8 to the city shop.
    page.goto(f"{live_server.url}/inventory/transfer/")
    page.get_by_label("From store").select_option(label="Main Warehouse")
    page.get_by_label("To store").select_option(label="City Shop")
    page.get_by_label("Product").fill("5012345678900")  # scanned barcode
    expect(available).to_contain_text("From store Main Warehouse: 20 × TEA-1")
    expect(available).to_contain_text("average cost 2.5000 USD · value 50.00 USD")
    expect(available).to_contain_text("To store City Shop: 0 × TEA-1")
    page.get_by_label("Quantity to transfer").fill("8")
    page.get_by_role("button", name="Transfer stock").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Transferred 8 × TEA-1 from Main Warehouse (now 12) to City Shop (now 8)."
    )

    # Removing 9 from the shop that holds 8 is refused next to the quantity.
    page.goto(f"{live_server.url}/inventory/remove/")
    page.get_by_label("Store").select_option(label="City Shop")
    page.get_by_label("Product").fill("TEA-1")
    expect(available).to_contain_text("City Shop: 8 × TEA-1")
    page.get_by_label("Quantity to remove").fill("9")
    page.get_by_label("Reason").select_option(label="Damaged")
    page.get_by_role("button", name="Remove stock").click()
    error = "Not enough TEA-1 (Green tea) in City Shop: 8 available, 9 requested."
    expect(page.get_by_text(error)).to_be_visible()
    expect(page.get_by_label("Quantity to remove")).to_have_class(re.compile("is-invalid"))

    # The ledger shows what happened, and nothing for the refused removal.
    menu.get_by_role("link", name="Movements").click()
    rows = page.locator("#movement-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Transfer in")
    expect(rows.nth(0)).to_contain_text("City Shop from Main Warehouse")
    expect(rows.nth(1)).to_contain_text("Transfer out")
    expect(rows.nth(2)).to_contain_text("Receipt")
    expect(rows.nth(2)).to_contain_text("PO-100")
    page.get_by_role("button", name="Columns").click()  # value is an optional column
    page.get_by_label("Value", exact=True).check()
    expect(rows.nth(2)).to_contain_text("50.00")
    page.keyboard.press("Escape")
    page.get_by_label("Store").select_option(label="City Shop")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("+8")
    expect(page).to_have_url(re.compile(r"store=\d+"))

    # Stock levels agree.
    menu.get_by_role("link", name="Stock levels").click()
    page.get_by_label("Product").fill("tea-1")
    stock = page.locator("#stock-table tbody tr")
    expect(stock).to_have_count(2)
    expect(page.locator("#store-summaries")).to_contain_text("12 units")

    # A row's link opens the product page (it is not swapped into the table region).
    stock.first.get_by_role("link", name="TEA-1").click()
    expect(page).to_have_url(re.compile(r"/catalog/products/\d+/$"))
    expect(page.get_by_role("heading", name="Green tea")).to_be_visible()
    expect(page.locator("#on-hand")).to_have_text("20")
    expect(page.locator("#recent-movements tbody tr, #movement-table tbody tr")).to_have_count(3)
