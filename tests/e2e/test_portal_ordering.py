"""A customer orders in the portal the way the staff enter orders (issue 13 item 6), on a
laptop and on a phone: search by name or SKU, prices in the customer's currency, live
totals, a review step, the placed order in "My orders"; another customer's order is 404."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from apps.sales.models import Order
from tests.e2e.pages import HORIZONTAL_SCROLL, LAPTOP, PHONE
from tests.inventory.factories import StoreFactory
from tests.sales.factories import make_customer, make_order, make_product, rate, stocked, tax

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(demo_users):
    """customer@demo.test buys for "Acme Retail" in EUR (1.25 USD/EUR); USD products."""
    rate("EUR", "1.25")
    store = StoreFactory(name="Main Store", code="MAIN")
    stocked(store, make_product("5.00", sku="TEA-1", name="Green tea", tax_rate=tax("20")), 40)
    mug = stocked(store, make_product("7.50", sku="MUG-1", name="Blue mug"), 4)
    stocked(store, make_product("7.25", sku="MUG-2", name="Red mug"), 30)
    portal_user = get_user_model().objects.get(email="customer@demo.test")
    acme = make_customer("Acme Retail", code="EUR", portal_user=portal_user)
    other = make_order(make_customer("Other Shop"), store, [(mug, 1)])
    return acme, other


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1440", "390"])
def test_customer_searches_adds_reviews_and_places_an_order(shop, login, live_server, size):
    acme, other = shop
    page = login("customer@demo.test")
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}/portal/orders/new/")

    # search by name: both mugs, priced in EUR (7.50 USD / 1.25 = 6.00), stock as a hint
    search = page.get_by_label("Product (name or SKU)")
    expect(search).to_be_focused()
    page.keyboard.type("mug")
    results = page.locator("#product-results tr[data-offer]")
    expect(results).to_have_count(2)
    blue = page.locator("#product-results tr[data-offer='MUG-1']")
    expect(blue).to_contain_text("6.00")
    expect(blue).to_contain_text("Low stock")  # 4 on hand, threshold 10: no number shown
    expect(page.locator("#product-results")).not_to_contain_text(" 4 ")
    page.get_by_role("button", name="Add MUG-1 Blue mug").click()
    expect(page.locator("#cart tr[data-sku='MUG-1']")).to_be_visible()
    expect(page.locator("#quote-total")).to_have_text("6.00 EUR")
    expect(page.locator("#product-results tr")).to_have_count(0)

    # by keyboard, as in the staff entry: SKU, Tab, quantity, Enter; focus comes back
    expect(search).to_be_focused()
    page.keyboard.type("tea-1")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.locator("#cart tr[data-sku]")).to_have_count(2)
    # tea 5.00 USD = 4.00 EUR x 3 = 12.00 + 20 % tax 2.40 = 14.40; total 20.40
    expect(page.locator("#cart tr[data-sku='TEA-1'] [data-line-total]")).to_have_text("14.40")
    expect(page.locator("#quote-total")).to_have_text("20.40 EUR")
    expect(search).to_be_focused()

    # change a quantity: the line and the totals follow, more than on hand is a hint
    page.get_by_label("Quantity of MUG-1").fill("5")
    page.keyboard.press("Enter")
    expect(page.locator("#quote-total")).to_have_text("44.40 EUR")  # 30.00 + 14.40
    expect(page.locator("#cart tr[data-sku='MUG-1']")).to_contain_text(
        "Not all in stock: the rest follows"
    )
    if size is PHONE:
        assert page.evaluate(HORIZONTAL_SCROLL) <= 0

    # review: nothing is placed yet
    page.get_by_label("Your reference (PO number)").fill("PO-2026-7")
    if size is PHONE:  # the total and the button stay in view at the bottom of a phone
        expect(page.locator("#bar-total")).to_have_text("44.40 EUR")
        expect(page.locator("#bar-total")).to_be_in_viewport()
    page.get_by_role("button", name="Review order").first.click()
    expect(page.get_by_role("heading", name="Review your order")).to_be_visible()
    expect(page.locator("#review-lines tbody tr")).to_have_count(2)
    expect(page.locator("#quote-total")).to_have_text("44.40 EUR")
    expect(page.locator("#review-reference")).to_have_text("PO-2026-7")
    assert not Order.objects.filter(customer=acme).exists()
    if size is PHONE:
        assert page.evaluate(HORIZONTAL_SCROLL) <= 0

    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text(re.compile(r"Order SO-\d{4}-\d{5} was received"))).to_be_visible()
    expect(page.locator("#portal-order-total")).to_have_text("44.40 EUR")
    order = Order.objects.get(customer=acme)
    assert (order.total, order.currency_id, order.reference) == (
        Decimal("44.40"),
        "EUR",
        "PO-2026-7",
    )

    # it is in "My orders"; another customer's order is not there and answers 404
    page.goto(f"{live_server.url}/portal/orders/")
    rows = page.locator("#portal-orders tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(order.number)
    expect(rows.first).to_contain_text("44.40 EUR")
    response = page.goto(f"{live_server.url}/portal/orders/{other.pk}/")
    assert response.status == 404
