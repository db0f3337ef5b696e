import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.inventory.models import StockLevel
from apps.sales import services
from apps.sales.models import Coupon, Order, OrderLine, OrderStatus, Return

from .factories import make_customer, make_order, make_product

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def sales(client_for):
    return client_for(Role.SALES)


def level(store, product):
    return StockLevel.objects.get(store=store, product=product).quantity


def test_create_a_draft_by_typing_the_customer(sales, customer, store):
    url = reverse("order-create")
    options = sales.get(reverse("customer-lookup"), {"customer": "acme"})
    assert f'value="{customer.code} · Acme Retail"' in options.content.decode()
    bad = sales.post(url, {"customer": "nobody", "store": store.pk, "order_date": "2026-05-01"})
    assert bad.context["form"].errors["customer"] == ["No active customer matches “nobody”."]
    assert not Order.objects.exists()
    response = sales.post(
        url,
        {
            "customer": f"{customer.code} · Acme Retail",
            "store": store.pk,
            "order_date": "2026-05-01",
        },
    )
    order = Order.objects.get()
    assert response["Location"] == reverse("order-update", args=[order.pk])
    assert (order.number, order.currency_id, order.status) == ("SO-2026-00001", "USD", "draft")


def test_entry_screen_adds_lines_by_sku_and_updates_totals_without_reload(
    sales, customer, store, widget
):
    order = make_order(customer, store)
    page = sales.get(reverse("order-update", args=[order.pk]))
    assert page.status_code == 200 and b'id="add-product"' in page.content
    lookup = sales.get(reverse("order-product-lookup", args=[order.pk]), {"product": "wid"})
    assert "WID-1 · Widget · 20 in Main Store" in lookup.content.decode()

    added = sales.post(
        reverse("order-line-add", args=[order.pk]), {"product": "wid-1", "quantity": "3"}, **HX
    )
    html = added.content.decode()
    assert html.lstrip().startswith('<div id="entry">') and "<html" not in html
    assert 'id="total-total">30.00 USD' in html and "20 in stock" in html
    line = OrderLine.objects.get()

    saved = sales.post(
        reverse("order-line-update", args=[order.pk, line.pk]),
        {"quantity": "25", "unit_price": "9.50", "discount_percent": "10"},
        **HX,
    )
    html = saved.content.decode()
    # only out-of-band fragments: the line's figures, totals and the confirm panel
    assert f'id="line-{line.pk}-amount" class="text-end" hx-swap-oob="true"' in html
    assert (
        'id="order-totals" hx-swap-oob="true"' in html
        and "<input" not in html.split('id="order-actions"')[0]
    )
    assert "213.75" in html  # 25 x 9.50 = 237.50, less 10 % = 213.75
    assert "Short by 5" in html and "1 line exceeds the stock in Main Store" in html
    order.refresh_from_db()
    assert order.total == Decimal("213.75")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"quantity": "-2"}, "Ensure this value is greater than or equal to 1."),
        ({"discount_percent": "101"}, "Ensure this value is less than or equal to 100."),
        ({"unit_price": "1.234"}, "Ensure that there are no more than 2 decimal places."),
        ({"unit_price": "abc"}, "Enter a number."),
    ],
)
def test_bad_line_input_shows_next_to_the_line_and_changes_nothing(
    sales, customer, store, widget, data, message
):
    order = make_order(customer, store, [(widget, 2)])
    line = order.lines.get()
    response = sales.post(reverse("order-line-update", args=[order.pk, line.pk]), data, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="line-{line.pk}-error"' in html and message in html
    line.refresh_from_db()
    assert (line.quantity, line.unit_price, line.discount_percent) == (
        2,
        Decimal("10.00"),
        Decimal("0.00"),
    )


def test_unknown_product_is_an_error_next_to_the_box(sales, customer, store):
    order = make_order(customer, store)
    response = sales.post(
        reverse("order-line-add", args=[order.pk]), {"product": "NOPE-9", "quantity": "1"}, **HX
    )
    assert "No active product matches “NOPE-9”." in response.content.decode()
    assert not OrderLine.objects.exists()


def test_header_change_of_currency_reprices_and_saves(sales, customer, store, widget):
    from .factories import rate

    rate("EUR", "1.25", dt.date(2026, 1, 1))
    order = make_order(customer, store, [(widget, 2)], order_date=dt.date(2026, 3, 1))
    data = {
        "header-customer": str(customer),
        "header-store": store.pk,
        "header-currency": "EUR",
        "header-order_date": "2026-03-01",
        "header-reference": "PO-77",
        "header-shipping_address": "",
        "header-notes": "",
    }
    response = sales.post(reverse("order-update", args=[order.pk]), data, **HX)
    assert response.status_code == 200 and 'id="total-total">16.00 EUR' in response.content.decode()
    order.refresh_from_db()
    assert (order.currency_id, order.exchange_rate, order.reference, order.total) == (
        "EUR",
        Decimal("1.25000000"),
        "PO-77",
        Decimal("16.00"),
    )


def test_confirm_from_the_entry_screen_lists_every_short_line(sales, customer, store, widget):
    short = make_product(sku="NONE-1", name="Nothing left")
    order = make_order(customer, store, [(widget, 25), (short, 1)])
    response = sales.post(reverse("order-confirm", args=[order.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="confirm-errors"' in html
    assert "WID-1 (Widget): 25 ordered, 20 available in Main Store." in html
    assert "NONE-1 (Nothing left): 1 ordered, 0 available in Main Store." in html
    assert level(store, widget) == 20
    services.order_line_update(line=order.lines.get(product=widget), quantity=5)
    services.order_line_remove(line=order.lines.get(product=short))
    ok = sales.post(reverse("order-confirm", args=[order.pk]))
    assert ok["Location"] == reverse("order-detail", args=[order.pk])
    assert level(store, widget) == 15
    detail = sales.get(ok["Location"])
    assert b"Mark fulfilled" in detail.content and b"order.confirmed" not in detail.content
    assert b"Order confirmed" in detail.content  # the timeline


def test_admin_overrides_a_credit_limit_with_a_reason_from_the_screen(client_for, store, widget):
    customer = make_customer("Tight", credit_limit=Decimal("10.00"))
    order = make_order(customer, store, [(widget, 2)])
    admin = client_for(Role.ADMIN)
    page = admin.get(reverse("order-update", args=[order.pk]))
    warning = "Credit limit exceeded: Tight owes 0.00 USD, this order adds 20.00 USD, the limit is 10.00 USD."
    assert f'id="credit-warning">{warning}'.encode() in page.content
    assert b"Reason to override" in page.content
    refused = admin.post(reverse("order-confirm", args=[order.pk]))
    assert b"Credit limit exceeded" in refused.content
    admin.post(reverse("order-confirm", args=[order.pk]), {"override_reason": "Prepaid"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.credit_override_reason == "Prepaid"


def test_cancel_asks_for_a_reason_and_returns_the_stock(sales, customer, store, widget):
    order = make_order(customer, store, [(widget, 4)])
    services.order_confirm(order=order)
    url = reverse("order-cancel", args=[order.pk])
    assert b"Its stock goes back to Main Store" in sales.get(url).content
    assert "reason" in sales.post(url, {"reason": ""}).context["form"].errors
    assert level(store, widget) == 16
    response = sales.post(url, {"reason": "Customer called"})
    assert response["Location"] == order.get_absolute_url()
    assert level(store, widget) == 20


def test_warehouse_reads_orders_and_records_returns_but_cannot_edit(
    client_for, customer, store, widget
):
    order = make_order(customer, store, [(widget, 3)])
    services.order_confirm(order=order)
    warehouse = client_for(Role.WAREHOUSE)
    assert warehouse.get(reverse("order-list")).status_code == 200
    assert warehouse.get(reverse("order-create")).status_code == 403
    assert warehouse.post(reverse("order-fulfil", args=[order.pk])).status_code == 403
    url = reverse("return-create", args=[order.pk])
    line = order.lines.get()
    too_many = warehouse.post(
        url, {f"line_{line.pk}": "4", "reason": "x", "disposition": "restock", "store": store.pk}
    )
    assert too_many.context["form"].errors[f"line_{line.pk}"] == [
        "Ensure this value is less than or equal to 3."
    ]
    response = warehouse.post(
        url,
        {f"line_{line.pk}": "2", "reason": "Dented", "disposition": "restock", "store": store.pk},
    )
    ret = Return.objects.get()
    assert response["Location"] == ret.get_absolute_url()
    assert level(store, widget) == 19
    assert warehouse.get(reverse("return-list")).status_code == 200
    assert client_for(Role.VIEWER).get(url).status_code == 403


def test_order_list_filters_sorts_exports_and_keeps_its_query_count(
    sales, customer, store, widget, django_assert_max_num_queries
):
    other = make_customer("Other Co")
    cheap = make_order(customer, store, [(widget, 1)], order_date=dt.date(2026, 1, 5))
    dear = make_order(other, store, [(widget, 9)], order_date=dt.date(2026, 2, 5))
    services.order_confirm(order=dear)
    url = reverse("order-list")

    def numbers(**params):
        # The full page's table (the htmx partial writes its table in one pass,
        # apps/core/table_html.py, which renders no template the test client records).
        response = sales.get(url, params)
        return [row.record.number for row in response.context["table"].page.object_list]

    assert numbers() == [dear.number, cheap.number]
    assert numbers(status="confirmed") == [dear.number]
    assert numbers(customer=customer.pk) == [cheap.number]
    assert numbers(customer=f"{other.code} · Other Co") == [dear.number]
    assert numbers(customer="acme") == [cheap.number]
    assert numbers(start="2026-02-01") == [dear.number]
    assert numbers(end="2026-01-31") == [cheap.number]
    assert numbers(min_total="50") == [dear.number]
    assert numbers(max_total="50") == [cheap.number]
    assert numbers(q="other") == [dear.number]
    assert numbers(sort="total") == [cheap.number, dear.number]
    csv = sales.get(url, {"status": "confirmed", "_export": "csv"})
    rows = b"".join(csv.streaming_content).decode().strip().splitlines()
    assert rows[0].startswith("Number,Date,Customer,Store,Status,Total")
    assert rows[1].startswith(f"{dear.number},2026-02-05,Other Co,Main Store,Confirmed,90.00")
    for _n in range(10):
        make_order(customer, store, [(widget, 1)])
    with django_assert_max_num_queries(12):
        sales.get(url, **HX)


def test_order_detail_is_printable_with_its_timeline(sales, customer, store, widget):
    order = make_order(customer, store, [(widget, 2)])
    services.order_confirm(order=order)
    services.order_fulfil(order=order)
    html = sales.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "data-print" in html  # static/js/app.js prints; app.css holds the print rules
    assert (
        html.index("Order fulfilled") < html.index("Order confirmed") < html.index("Order created")
    )


def test_coupons_are_created_with_a_normalised_code_and_validated(sales):
    url = reverse("coupon-create")
    bad = sales.post(url, {"code": "x", "kind": "percent", "value": "120", "active": "on"})
    assert bad.context["form"].errors["value"] == ["A percentage cannot be above 100."]
    dates = sales.post(
        url,
        {
            "code": "x",
            "kind": "fixed",
            "value": "5",
            "valid_from": "2026-02-01",
            "valid_to": "2026-01-01",
        },
    )
    assert dates.context["form"].errors["valid_to"] == ["The end date is before the start date."]
    assert (
        sales.post(
            url,
            {"code": " spring ", "kind": "percent", "value": "10", "max_uses": "5", "active": "on"},
        ).status_code
        == 302
    )
    assert Coupon.objects.get().code == "SPRING"
    dup = sales.post(url, {"code": "Spring", "kind": "percent", "value": "10"})
    assert dup.context["form"].errors["code"] == ["A coupon with this code already exists."]
    assert b"SPRING" in sales.get(reverse("coupon-list")).content


def test_a_confirmed_order_has_no_entry_screen(sales, customer, store, widget):
    order = make_order(customer, store, [(widget, 1)])
    services.order_confirm(order=order)
    response = sales.get(reverse("order-update", args=[order.pk]))
    assert response["Location"] == order.get_absolute_url()
    line = order.lines.get()
    sales.post(reverse("order-line-update", args=[order.pk, line.pk]), {"quantity": "5"}, **HX)
    line.refresh_from_db()
    assert line.quantity == 1


def test_viewer_and_accountant_read_only(client_for, customer, store, widget):
    order = make_order(customer, store, [(widget, 1)])
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        client = client_for(role)
        assert client.get(reverse("order-detail", args=[order.pk])).status_code == 200
        assert client.get(reverse("order-update", args=[order.pk])).status_code == 403
        assert client.post(reverse("order-confirm", args=[order.pk])).status_code == 403
    assert Order.objects.get().status == "draft"


def test_entry_screen_judges_a_coupon_minimum_on_the_goods_before_the_coupon(
    sales, customer, store, widget
):
    # The minimum is met by the goods (30.00); the coupon's own 5.00 must not count against it.
    Coupon.objects.create(
        code="FIVE", kind="fixed", value=Decimal("5.00"), min_order_total=Decimal("30.00")
    )
    order = make_order(customer, store, [(widget, 3)])
    services.order_coupon_set(order=order, code="FIVE")
    page = sales.get(reverse("order-update", args=[order.pk]))
    assert page.status_code == 200 and b'id="coupon-warning"' not in page.content
    services.order_line_update(line=order.lines.get(), quantity=2)
    page = sales.get(reverse("order-update", args=[order.pk]))
    assert b'id="coupon-warning"' in page.content and b"needs goods worth at least" in page.content


def test_the_screen_never_contradicts_a_refused_confirm(sales, customer, store, widget):
    """Issue 13 item 8: when the page says confirming will be refused, the button says so
    too; a refused confirm (htmx) swaps the entry region and keeps the entry URL."""
    order = make_order(customer, store, [(widget, 25)])
    page = sales.get(reverse("order-update", args=[order.pk])).content.decode()
    assert "Confirming will be refused" in page
    button = page[page.index('id="confirm-form"') :]
    button = button[button.index("<button") : button.index("Confirm order")]
    assert "disabled" in button and 'aria-describedby="stock-warning"' in button
    refused = sales.post(reverse("order-confirm", args=[order.pk]), **HX)
    html = refused.content.decode()
    assert refused.status_code == 200 and html.lstrip().startswith('<div id="entry">')
    assert "HX-Push-Url" not in refused and 'id="confirm-errors"' in html
    services.order_line_update(line=order.lines.get(), quantity=5)
    page = sales.get(reverse("order-update", args=[order.pk])).content.decode()
    button = page[page.index('id="confirm-form"') :]
    assert "disabled" not in button[button.index("<button") : button.index("Confirm order")]
    done = sales.post(reverse("order-confirm", args=[order.pk]), **HX)
    assert done["HX-Redirect"] == reverse("order-detail", args=[order.pk])


def test_no_discount_shows_zero_not_minus_zero(sales, customer, store, widget):
    """Issue 13: the entry screen said "Discount −0.00" on an order without discounts."""
    order = make_order(customer, store, [(widget, 2)])
    entry = sales.get(reverse("order-update", args=[order.pk])).content.decode()
    assert 'id="total-discount">0.00</dd>' in entry
    assert "−0.00" not in entry
    line = order.lines.get()
    services.order_line_update(line=line, discount_percent=Decimal("10"))
    entry = sales.get(reverse("order-update", args=[order.pk])).content.decode()
    assert 'id="total-discount">−2.00</dd>' in entry
    services.order_confirm(order=order)
    detail = sales.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert ">−2.00</dd>" in detail and "−0.00" not in detail
