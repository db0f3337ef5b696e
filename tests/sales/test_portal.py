"""The customer portal: a customer sees and orders only for itself; anything else is 404."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core.models import CompanySettings
from apps.sales.models import Order, OrderStatus

from .factories import make_customer, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(make_user, store, widget):
    """Two customers with portal logins, one order each; returns (client of A, A, B, orders)."""
    user_a = make_user(Role.CUSTOMER, email="a@example.test")
    user_b = make_user(Role.CUSTOMER, email="b@example.test")
    a = make_customer("Customer A", portal_user=user_a)
    b = make_customer("Customer B", portal_user=user_b)
    order_a = make_order(a, store, [(widget, 1)])
    order_b = make_order(b, store, [(widget, 2)])
    client = Client()
    client.force_login(user_a)
    return client, a, b, order_a, order_b


def test_every_portal_url_with_another_customers_order_is_404(portal):
    client, _a, _b, order_a, order_b = portal
    assert client.get(reverse("portal-order-detail", args=[order_a.pk])).status_code == 200
    for name in ("portal-order-detail",):
        assert client.get(reverse(name, args=[order_b.pk])).status_code == 404
    assert client.get(reverse("portal-order-detail", args=[999999])).status_code == 404
    listing = client.get(reverse("portal-orders")).content.decode()
    assert order_a.number in listing and order_b.number not in listing
    profile = client.get(reverse("portal-profile")).content.decode()
    assert "Customer A" in profile and "Customer B" not in profile


def test_staff_back_office_order_urls_are_closed_to_customers(portal):
    client, _a, _b, order_a, _order_b = portal
    for name in ("order-detail", "order-update", "order-cancel", "return-create"):
        assert client.get(reverse(name, args=[order_a.pk])).status_code == 403
    assert client.get(reverse("order-list")).status_code == 403


def test_a_customer_places_an_order_that_waits_for_sales(portal, store, widget):
    client, a, _b, _order_a, _order_b = portal
    form = client.get(reverse("portal-order-create"))
    assert b"Product 1" in form.content and b"Quantity 1" in form.content
    options = client.get(reverse("portal-product-options"), {"product_1": "wid"})
    assert b"WID-1" in options.content
    bad = client.post(reverse("portal-order-create"), {"product_1": "NOPE", "quantity_1": "1"})
    assert "No active product matches “NOPE”." in bad.content.decode()
    response = client.post(
        reverse("portal-order-create"),
        {"reference": "PO-9", "product_1": "WID-1", "quantity_1": "4"},
        follow=True,
    )
    order = Order.objects.filter(customer=a, source="portal").get()
    assert (order.status, order.total, order.reference) == (OrderStatus.DRAFT, 40, "PO-9")
    assert "our sales team will confirm it shortly" in response.content.decode()


def test_auto_confirm_setting_confirms_portal_orders(portal):
    client, a, _b, _order_a, _order_b = portal
    company = CompanySettings.load()
    company.portal_orders_auto_confirm = True
    company.save()
    client.post(reverse("portal-order-create"), {"product_1": "WID-1", "quantity_1": "2"})
    assert Order.objects.get(customer=a, source="portal").status == OrderStatus.CONFIRMED


def test_a_customer_login_without_a_customer_sees_a_message_not_data(make_user, portal):
    _client, _a, _b, order_a, _order_b = portal
    lonely = Client()
    lonely.force_login(make_user(Role.CUSTOMER, email="lonely@example.test"))
    assert b"not linked to a customer" in lonely.get(reverse("portal-orders")).content
    assert lonely.get(reverse("portal-order-detail", args=[order_a.pk])).status_code == 404
    assert (
        lonely.post(
            reverse("portal-order-create"), {"product_1": "WID-1", "quantity_1": "1"}
        ).status_code
        == 404
    )


def test_the_customer_sees_prices_totals_and_stock_then_reviews(portal, store, widget):
    """Issue 13 item 6: the live quote uses the order's own pricing (in the customer's
    currency), hints at stock, and nothing is written until "Place order" on the review."""
    client, a, _b, _order_a, _order_b = portal
    data = {"reference": "PO-10", "product_1": "WID-1", "quantity_1": "25"}
    quote = client.post(
        reverse("portal-order-create") + "?_partial=quote", data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert quote.lstrip().startswith('<div id="quote"')
    assert 'id="quote-total">250.00 USD' in quote
    assert "Only 20 in stock; the rest follows" in quote
    review = client.post(reverse("portal-order-create"), {**data, "action": "review"})
    html = review.content.decode()
    assert "Review your order" in html and 'value="place"' in html
    assert 'type="hidden" name="product_1" value="WID-1"' in html
    assert not Order.objects.filter(customer=a, source="portal").exists()
    placed = client.post(reverse("portal-order-create"), {**data, "action": "place"})
    order = Order.objects.get(customer=a, source="portal")
    assert placed["Location"] == reverse("portal-order-detail", args=[order.pk])
    assert order.total == Decimal("250.00")  # the figure the quote showed
    mine = client.get(reverse("portal-orders")).content.decode()
    assert order.number in mine
