"""The customer portal: a customer sees and orders only for itself; anything else is 404."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core.models import CompanySettings
from apps.sales import services
from apps.sales.models import Order, OrderStatus
from apps.sales.services.portal import PRICES_CHANGED

from .factories import make_customer, make_order, make_product, rate, stocked, tax

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


HX = {"HTTP_HX_REQUEST": "true"}


def cart(*lines, **extra) -> dict:
    """The POST body of the order screen: lines [(SKU, quantity)] and any other field."""
    return {
        "line_product": [sku for sku, _ in lines],
        "line_quantity": [str(q) for _, q in lines],
        **extra,
    }


# --- the services: one pricing for the quote and the order ------------------------------


def test_the_quote_is_priced_as_the_order_it_becomes_in_the_customers_currency(store, widget):
    """A EUR customer, USD products at 1.25 USD/EUR: 10.00 USD -> 8.00 EUR, 3.33 -> 2.66."""
    rate("EUR", "1.25")
    customer = make_customer("Euro Shop", code="EUR")
    widget.tax_rate = tax("20")
    widget.save()
    pen = stocked(store, make_product("3.33", sku="PEN-1", name="Pen"), 50)
    quote = services.portal_order_quote(
        customer=customer, items=[(widget, 1), (pen, 1), (widget, 2)]
    )
    assert [(q.product.sku, q.quantity, q.unit_price, q.tax, q.total) for q in quote.lines] == [
        ("WID-1", 3, Decimal("8.00"), Decimal("4.80"), Decimal("28.80")),
        ("PEN-1", 1, Decimal("2.66"), Decimal("0.00"), Decimal("2.66")),
    ]
    assert (quote.currency, quote.subtotal, quote.tax, quote.total) == (
        "EUR",
        Decimal("26.66"),
        Decimal("4.80"),
        Decimal("31.46"),
    )
    outcome = services.portal_order_place(
        customer=customer,
        items=[(widget, 3), (pen, 1)],
        expected_total=Decimal("31.46"),
    )
    order = outcome.order
    assert (order.currency_id, order.total, order.tax_total) == (
        "EUR",
        Decimal("31.46"),
        Decimal("4.80"),
    )
    assert [(x.product_sku, x.quantity, x.unit_price, x.total) for x in order.lines.all()] == [
        ("WID-1", 3, Decimal("8.00"), Decimal("28.80")),
        ("PEN-1", 1, Decimal("2.66"), Decimal("2.66")),
    ]


def test_a_changed_price_after_the_review_places_nothing(customer, store, widget):
    quote = services.portal_order_quote(customer=customer, items=[(widget, 2)])
    assert quote.total == Decimal("20.00")
    widget.selling_price = Decimal("11.00")
    widget.save()
    with pytest.raises(ValidationError) as refused:
        services.portal_order_place(
            customer=customer, items=[(widget, 2)], expected_total=quote.total
        )
    assert refused.value.messages == [PRICES_CHANGED]
    assert not Order.objects.filter(customer=customer).exists()


def test_customers_see_availability_not_quantities(customer, store, widget):
    """Widget: 20 on hand, threshold 10 (company default); few: 3 on hand; none: 0."""
    few = stocked(store, make_product(sku="FEW-1", name="Few"), 3)
    none = make_product(sku="NONE-1", name="None")
    quote = services.portal_order_quote(customer=customer, items=[(widget, 5), (few, 2), (none, 1)])
    assert [(q.availability, q.hint) for q in quote.lines] == [
        ("ok", "In stock"),
        ("low", "Low stock"),
        ("out", "Out of stock: we confirm a delivery date"),
    ]
    more = services.portal_order_quote(customer=customer, items=[(widget, 25)])
    assert more.lines[0].hint == "Not all in stock: the rest follows"
    offers = services.portal_product_offers(customer=customer, text="few")
    assert [(o.product.sku, o.unit_price, o.hint) for o in offers] == [
        ("FEW-1", Decimal("10.00"), "Low stock")
    ]
    assert services.portal_product_offers(customer=customer, text="  ") == []


# --- the screen -------------------------------------------------------------------------


def test_search_shows_prices_in_the_customers_currency_and_hints(portal, store, widget):
    client, *_ = portal
    page = client.get(reverse("portal-order-create")).content.decode()
    assert "Add products" in page and 'id="quote-total">0.00 USD' in page
    found = client.get(reverse("portal-product-search"), {"q": "wid"}, **HX).content.decode()
    assert found.lstrip().startswith('<div id="product-results"')
    assert 'data-offer="WID-1"' in found and "10.00" in found and "In stock" in found
    assert "20" not in found  # the quantity on hand stays in the office
    nothing = client.get(reverse("portal-product-search"), {"q": "zzz"}).content.decode()
    assert "No product matches “zzz”." in nothing


def test_add_change_and_remove_lines_answer_the_cart_with_live_totals(portal, store, widget):
    client, *_ = portal
    url = reverse("portal-order-create")
    stocked(store, make_product("2.50", sku="PEN-1", name="Pen"), 5)
    added = client.post(url, cart(add="", q="wid-1", add_quantity="4"), **HX).content.decode()
    assert added.lstrip().startswith('<div id="cart"')
    assert f'name="line_quantity" id="qty-{widget.pk}" value="4"' in added
    assert 'id="quote-total">40.00 USD' in added and 'id="add-box" hx-swap-oob="true"' in added
    both = client.post(url, cart(("WID-1", 4), add="PEN-1", q=""), **HX).content.decode()
    assert 'id="quote-total">42.50 USD' in both
    changed = client.post(url, cart(("WID-1", 5), ("PEN-1", 2)), **HX).content.decode()
    assert 'id="quote-total">55.00 USD' in changed and "add-box" not in changed
    removed = client.post(url, cart(("WID-1", 5), ("PEN-1", 2), remove="WID-1"), **HX)
    assert 'id="quote-total">5.00 USD' in removed.content.decode()
    ambiguous = client.post(url, cart(("PEN-1", 2), add="", q="e"), **HX).content.decode()
    assert "Several products match “e”; pick one from the list." in ambiguous
    assert 'data-offer="PEN-1"' in ambiguous and 'data-offer="WID-1"' in ambiguous
    bad = client.post(url, cart(("WID-1", "x"), ("PEN-1", 2)), **HX).content.decode()
    assert "Enter a whole number of units from 1 to" in bad
    assert 'id="quote-total">5.00 USD' in bad
    assert 'value="review" disabled' in bad
    assert not Order.objects.filter(source="portal").exists()


def test_review_then_place_once_and_find_it_in_my_orders(portal, store, widget):
    client, a, _b, _order_a, _order_b = portal
    url = reverse("portal-order-create")
    review = client.post(url, cart(("WID-1", 25), reference="PO-10", action="review"))
    html = review.content.decode()
    assert "Review your order" in html and 'value="place"' in html
    assert 'id="quote-total">250.00 USD' in html
    assert "Not all in stock: the rest follows" in html
    assert '<input type="hidden" name="expected_total" value="250.00">' in html
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    assert not Order.objects.filter(customer=a, source="portal").exists()
    body = cart(("WID-1", 25), reference="PO-10", expected_total="250.00", idempotency_key=key)
    placed = client.post(url, {**body, "action": "place"})
    order = Order.objects.get(customer=a, source="portal")
    assert placed["Location"] == reverse("portal-order-detail", args=[order.pk])
    assert (order.status, order.total, order.reference) == (
        OrderStatus.DRAFT,
        Decimal("250.00"),
        "PO-10",
    )
    again = client.post(url, {**body, "action": "place"})  # a double click
    assert again["Location"] == placed["Location"]
    assert Order.objects.filter(customer=a, source="portal").count() == 1
    mine = client.get(reverse("portal-orders")).content.decode()
    assert order.number in mine


def test_placing_after_a_price_change_shows_the_new_review(portal, store, widget):
    client, a, *_ = portal
    widget.selling_price = Decimal("12.00")
    widget.save()
    body = cart(("WID-1", 2), expected_total="20.00", idempotency_key="k-1", action="place")
    html = client.post(reverse("portal-order-create"), body).content.decode()
    assert PRICES_CHANGED in html and 'id="quote-total">24.00 USD' in html
    assert "Review your order" in html
    assert not Order.objects.filter(customer=a, source="portal").exists()


def test_review_with_an_empty_cart_asks_for_a_product(portal):
    client, *_ = portal
    html = client.post(reverse("portal-order-create"), {"action": "review"}).content.decode()
    assert "Add at least one product to your order." in html
    assert "Review your order" not in html


def test_auto_confirm_setting_confirms_portal_orders(portal):
    client, a, _b, _order_a, _order_b = portal
    company = CompanySettings.load()
    company.portal_orders_auto_confirm = True
    company.save()
    response = client.post(reverse("portal-order-create"), cart(("WID-1", 2), action="place"))
    order = Order.objects.get(customer=a, source="portal")
    assert order.status == OrderStatus.CONFIRMED
    assert client.get(response["Location"]).status_code == 200


def test_a_customer_login_without_a_customer_sees_a_message_not_data(make_user, portal):
    _client, _a, _b, order_a, _order_b = portal
    lonely = Client()
    lonely.force_login(make_user(Role.CUSTOMER, email="lonely@example.test"))
    assert b"not linked to a customer" in lonely.get(reverse("portal-orders")).content
    assert b"not linked to a customer" in lonely.get(reverse("portal-order-create")).content
    assert lonely.get(reverse("portal-order-detail", args=[order_a.pk])).status_code == 404
    assert lonely.get(reverse("portal-product-search"), {"q": "wid"}).status_code == 404
    body = cart(("WID-1", 1), action="place")
    assert lonely.post(reverse("portal-order-create"), body).status_code == 404
