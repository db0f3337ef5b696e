"""A Sales user takes an order entirely in the browser, by keyboard, and stock follows it."""

import re

import pytest
from playwright.sync_api import expect

from apps.inventory.models import StockLevel
from tests.inventory.factories import StoreFactory
from tests.sales.factories import currency, make_product, stocked

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(demo_users):
    currency("USD")
    store = StoreFactory(name="Main Store", code="MAIN")
    products = [
        stocked(store, make_product(price, sku=sku, name=name), 10)
        for sku, name, price in (
            ("TEA-1", "Green tea", "4.50"),
            ("MUG-1", "Blue mug", "7.25"),
            ("PEN-1", "Gel pen", "1.10"),
        )
    ]
    return store, products


def stock_cell(page):
    return page.locator("#stock-by-store tbody tr", has_text="Main Store").locator("td").nth(1)


def test_sales_user_enters_confirms_and_cancels_an_order_by_keyboard(shop, login, live_server):
    store, (tea, mug, pen) = shop
    page = login("sales@demo.test")

    # a new customer
    page.locator("#main-menu").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").click()
    details = page.locator(".card", has=page.get_by_role("heading", name="Customer", exact=True))
    details.get_by_label("Name").fill("Harbour Cafe")
    details.get_by_label("Email").fill("orders@harbour.example")
    details.get_by_label("Phone").fill("+44 20 7946 0123")
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("heading", name="Harbour Cafe")).to_be_visible()

    # a draft for it
    page.get_by_role("link", name="New order").click()
    expect(page.get_by_role("combobox", name="Customer")).to_have_value(re.compile("Harbour Cafe"))
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name=re.compile(r"Order SO-\d{4}-00001"))).to_be_visible()

    # three lines by keyboard: SKU, Tab, quantity, Enter (focus comes back to the SKU box)
    product_box = page.locator("#add-product")
    expect(product_box).to_be_focused()
    for sku, quantity in (("TEA-1", "2"), ("MUG-1", "1"), ("pen-1", "3")):
        page.keyboard.type(sku)
        page.keyboard.press("Tab")
        page.keyboard.press("Control+A")
        page.keyboard.type(quantity)
        page.keyboard.press("Enter")
        expect(page.locator("#order-lines tbody tr[data-sku]")).to_have_count(
            {"TEA-1": 1, "MUG-1": 2, "pen-1": 3}[sku]
        )
        expect(page.locator("#add-product")).to_be_focused()
    # 2 x 4.50 + 7.25 + 3 x 1.10 = 19.55
    expect(page.locator("#total-total")).to_have_text("19.55 USD")

    # change a quantity by keyboard: the totals follow without a reload
    page.locator("tr[data-sku='MUG-1']").get_by_label("Quantity").fill("4")
    page.keyboard.press("Enter")
    expect(page.locator("#total-total")).to_have_text("41.30 USD")  # 9.00 + 29.00 + 3.30
    page.locator("tr[data-sku='TEA-1']").get_by_label("Discount %").fill("10")
    page.keyboard.press("Tab")
    expect(page.locator("#total-total")).to_have_text("40.40 USD")  # tea 8.10
    # over-stock lines are flagged before confirming
    page.locator("tr[data-sku='PEN-1']").get_by_label("Quantity").fill("12")
    page.keyboard.press("Enter")
    expect(page.locator("#stock-warning")).to_contain_text("PEN-1 (12 ordered, 10 in stock)")
    page.locator("tr[data-sku='PEN-1']").get_by_label("Quantity").fill("3")
    page.keyboard.press("Enter")
    expect(page.locator("#stock-warning")).to_have_count(0)
    page.screenshot(path="/tmp/sales_order_entry.png", full_page=True)

    page.get_by_role("button", name="Confirm order").click()
    expect(page.get_by_text(re.compile(r"Order SO-\d{4}-00001 confirmed"))).to_be_visible()
    expect(page.locator("[data-status=confirmed]").first).to_be_visible()
    order_url = page.url

    # the product page shows the stock taken
    page.goto(f"{live_server.url}/catalog/products/{mug.pk}/")
    expect(stock_cell(page)).to_have_text("6")

    # cancel: the reason is asked first, then the stock is back
    page.goto(order_url)
    page.get_by_role("link", name="Cancel order").click()
    page.get_by_label("Reason for cancelling").fill("Customer phoned to cancel")
    page.get_by_role("button", name="Cancel order").click()
    expect(page.locator(".alert-danger")).to_contain_text("Customer phoned to cancel")
    expect(page.locator("#timeline")).to_contain_text("Order cancelled: Customer phoned to cancel")
    expect(page.locator("[data-status=cancelled]").first).to_be_visible()
    page.goto(f"{live_server.url}/catalog/products/{mug.pk}/")
    expect(stock_cell(page)).to_have_text("10")
    assert StockLevel.objects.get(store=store, product=tea).quantity == 10
