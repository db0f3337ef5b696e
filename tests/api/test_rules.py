"""The API applies the screens' rules with the screens' words, one error format, and
Idempotency-Key semantics on the POSTs that move stock, credit or money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils.html import escape
from rest_framework.test import APIClient

from apps.core.models import IdempotencyRecord, IdempotencyStatus
from apps.credit.models import TransactionLog
from apps.inventory.models import StockLevel, StockMovement
from apps.sales.models import Order, OrderStatus
from tests.inventory.factories import StoreFactory
from tests.ledger.conftest import books  # noqa: F401  (fixture)
from tests.sales.factories import make_customer, make_order, make_product, stocked

from .conftest import token_client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def store(db):
    return StoreFactory(name="Main Store", code="MAIN")


def receive(client, store, product, quantity, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {"type": "receive", "store": store.pk, "product": product.pk, "quantity": quantity}
    return client.post("/api/v1/movements/", {**body, **extra}, format="json", **headers)


# --- same rules, same words ------------------------------------------------------------


def test_over_stock_confirm_same_text_in_form_and_api(store, role_user):
    product = stocked(store, make_product(sku="HOT-1", name="Hot item"), 1)
    customer = make_customer()
    by_form = make_order(customer, store, [(product, 3)])
    by_api = make_order(customer, store, [(product, 3)])
    sales = role_user("Sales")

    api = token_client(sales)
    answer = api.post(f"/api/v1/orders/{by_api.pk}/confirm/", {}, format="json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == PROBLEM
    texts = answer.json()["errors"]["non_field_errors"]
    assert any("HOT-1" in t and "3 ordered, 1 available" in t for t in texts), texts

    browser = Client()
    browser.force_login(sales)
    page = browser.post(f"/sales/orders/{by_form.pk}/confirm/", {})
    for text in texts:
        assert escape(text) in page.content.decode()
    assert StockLevel.objects.get(store=store, product=product).quantity == 1
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.DRAFT}


@pytest.fixture
def seller(books, make_user):  # noqa: F811
    from apps.credit.services import creditrequest_approve, creditrequest_create, seller_create

    made = seller_create(
        email="shop@example.test", company="Shop Ltd", phone="+447911123456", password="pw-2026!x"
    )
    top_up = creditrequest_create(seller=made, amount="5.00")
    creditrequest_approve(credit_request=top_up, by=make_user("Accountant"))
    return made


@pytest.mark.parametrize(
    ("amount", "field", "text"),
    [
        ("9.00", "amount", "Insufficient credit: the balance is"),
        ("1.234", "amount", "Use at most 2 decimal places."),
        ("0", "amount", "The amount must be greater than zero."),
    ],
)
def test_charge_refusals_same_text_in_portal_form_and_api(seller, amount, field, text):
    api = token_client(seller.user)
    answer = api.post(
        "/api/v1/charges/",
        {"phone": "+447911123456", "amount": amount},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"k-{amount}",
    )
    assert answer.status_code == 400, answer.content
    api_text = answer.json()["errors"][field][0]
    assert api_text.startswith(text)

    browser = Client()
    browser.force_login(seller.user)
    page = browser.post(
        "/portal/credit/charge/",
        {"phone": "+447911123456", "amount": amount, "idempotency_key": f"f-{amount}"},
    )
    assert escape(api_text) in page.content.decode()
    assert TransactionLog.objects.filter(type="charge").count() == 0
    assert not IdempotencyRecord.objects.exists()  # a refusal stores nothing


def test_product_create_same_errors_as_the_form(admin_api):
    from apps.finance.models import Currency

    body = {"sku": "TEA-1", "name": "Tea", "cost_price": "1.00", "selling_price": "2.50"}
    body["currency"] = Currency.objects.get(code="USD").pk
    created = admin_api.post("/api/v1/products/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["selling_price"] == "2.50"
    assert created.json()["on_hand"] == 0
    clash = admin_api.post("/api/v1/products/", {**body, "sku": " tea-1 "}, format="json")
    assert clash.status_code == 400
    assert clash.json()["errors"]["sku"] == ["SKU TEA-1 is already used by Tea."]
    cents = admin_api.post(
        "/api/v1/products/", {**body, "sku": "TEA-2", "selling_price": "2.505"}, format="json"
    )
    assert cents.status_code == 400
    assert "selling_price" in cents.json()["errors"]


# --- idempotency ------------------------------------------------------------------------


def test_movement_replay_returns_first_response_and_moves_once(store, api_for):
    product = make_product(sku="POS-1")
    pos = api_for("Warehouse")
    first = receive(pos, store, product, 5, key="pos3-000001")
    assert first.status_code == 201, first.content
    again = receive(pos, store, product, 5, key="pos3-000001")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert StockMovement.objects.count() == 1
    assert StockLevel.objects.get(store=store, product=product).quantity == 5

    other = receive(pos, store, product, 6, key="pos3-000001")
    assert other.status_code == 422
    assert other.json()["detail"] == (
        "This idempotency key was already used for a different request."
    )
    assert StockLevel.objects.get(store=store, product=product).quantity == 5


def test_key_still_running_answers_409(store, api_for, role_user):
    from apps.core.idempotency import body_hash

    product = make_product(sku="POS-2")
    pos = api_for("Warehouse")
    user_pk = (
        StockLevel._meta.apps.get_model("accounts", "User")
        .objects.get(email="warehouse@example.test")
        .pk
    )
    body = {"type": "receive", "store": store.pk, "product": product.pk, "quantity": 2}
    IdempotencyRecord.objects.create(
        principal=f"user:{user_pk}",
        key="busy",
        route="POST /api/v1/movements/",
        body_hash=body_hash(body),
        status=IdempotencyStatus.RUNNING,
    )
    busy = receive(pos, store, product, 2, key="busy")
    assert busy.status_code == 409
    assert busy.json()["detail"].startswith("A request with this idempotency key is still")
    assert not StockMovement.objects.exists()


def test_keys_are_per_principal(store, api_for):
    product = make_product(sku="POS-3")
    assert receive(api_for("Warehouse"), store, product, 1, key="same").status_code == 201
    admin = api_for("Admin")
    assert receive(admin, store, product, 1, key="same").status_code == 201
    assert StockLevel.objects.get(store=store, product=product).quantity == 2


def test_refused_movement_stores_no_key_and_can_be_retried(store, api_for):
    product = make_product(sku="POS-4")
    pos = api_for("Warehouse")
    short = pos.post(
        "/api/v1/movements/",
        {"type": "sale", "store": store.pk, "product": product.pk, "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="sale-1",
    )
    assert short.status_code == 400
    assert short.json()["errors"]["quantity"] == [
        "Not enough POS-4 (" + product.name + ") in Main Store: 0 available, 2 requested."
    ]
    receive(pos, store, product, 2)
    sold = pos.post(
        "/api/v1/movements/",
        {"type": "sale", "store": store.pk, "product": product.pk, "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="sale-1",
    )
    assert sold.status_code == 201
    assert StockLevel.objects.get(store=store, product=product).quantity == 0


def test_transfer_and_adjust_through_the_api(store, api_for):
    product = stocked(store, make_product(sku="TR-1"), 10)
    other = StoreFactory(name="Annex", code="ANX")
    pos = api_for("Warehouse")
    moved = pos.post(
        "/api/v1/movements/",
        {
            "type": "transfer",
            "store": store.pk,
            "to_store": other.pk,
            "product": product.pk,
            "quantity": 4,
        },
        format="json",
    )
    assert moved.status_code == 201
    assert [m["quantity"] for m in moved.json()["movements"]] == [-4, 4]
    counted = pos.post(
        "/api/v1/movements/",
        {
            "type": "adjust",
            "store": store.pk,
            "product": product.pk,
            "counted_quantity": 5,
            "reason": "count_correction",
        },
        format="json",
    )
    assert counted.status_code == 201
    assert counted.json()["movements"][0]["quantity"] == -1
    assert StockLevel.objects.get(store=store, product=product).quantity == 5
    assert StockLevel.objects.get(store=other, product=product).quantity == 4


def test_confirm_replay_and_cancel(store, api_for):
    product = stocked(store, make_product("10.00", sku="C-1"), 5)
    order = make_order(make_customer(), store, [(product, 2)])
    sales = api_for("Sales")
    url = f"/api/v1/orders/{order.pk}/confirm/"
    first = sales.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert first.status_code == 200 and first.json()["status"] == "confirmed"
    again = sales.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert again.json() == first.json()
    no_key = sales.post(url, {}, format="json")
    assert no_key.status_code == 400  # the service: no longer a draft
    cancel = sales.post(
        f"/api/v1/orders/{order.pk}/cancel/", {"reason": "Customer changed mind"}, format="json"
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert StockLevel.objects.get(store=store, product=product).quantity == 5


def test_order_with_bulk_lines_and_credit_warning(store, api_for):
    a = stocked(store, make_product("10.00", sku="A-1"), 5)
    b = stocked(store, make_product("2.50", sku="B-1"), 5)
    customer = make_customer(credit_limit=Decimal("20.00"))
    sales = api_for("Sales")
    created = sales.post(
        "/api/v1/orders/",
        {
            "customer": customer.pk,
            "store": store.pk,
            "lines": [{"product": a.pk, "quantity": 2}, {"product": b.pk, "quantity": 2}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["subtotal"] == "25.00"
    assert order["credit_warning"].startswith("Credit limit exceeded: Acme Retail owes")
    more = sales.post(
        f"/api/v1/orders/{order['id']}/lines/",
        [{"product": a.pk, "quantity": 1}, {"product": b.pk, "quantity": 2}],
        format="json",
    )
    assert more.status_code == 201
    assert [(ln["product_sku"], ln["quantity"]) for ln in more.json()["lines"]] == [
        ("A-1", 3),
        ("B-1", 4),
    ]
    # a bad line refuses the whole batch
    bad = sales.post(
        f"/api/v1/orders/{order['id']}/lines/",
        [{"product": a.pk, "quantity": 1}, {"product": b.pk, "quantity": 0}],
        format="json",
    )
    assert bad.status_code == 400
    assert Order.objects.get(pk=order["id"]).lines.get(product=a).quantity == 3


# --- portal scoping and error formats ----------------------------------------------------


def test_portal_customer_sees_only_its_own_orders(store, make_user):
    product = stocked(store, make_product(sku="P-1"), 5)
    login = make_user("Customer", email="buyer@example.test")
    mine = make_order(make_customer("Mine Ltd", portal_user=login), store, [(product, 1)])
    theirs = make_order(make_customer("Theirs Ltd"), store, [(product, 1)])
    client = token_client(login)
    listed = client.get("/api/v1/orders/")
    assert [o["id"] for o in listed.json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/orders/{mine.pk}/").status_code == 200
    hidden = client.get(f"/api/v1/orders/{theirs.pk}/")
    assert hidden.status_code == 404 and hidden["Content-Type"] == PROBLEM
    assert client.post(f"/api/v1/orders/{mine.pk}/confirm/", {}).status_code == 403
    assert client.get("/api/v1/products/").status_code == 403
    assert [c["name"] for c in client.get("/api/v1/customers/").json()["results"]] == ["Mine Ltd"]


def test_error_formats(admin_api, api_for, settings):
    wrong_method = admin_api.delete("/api/v1/movements/")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["title"] == "Method not allowed"
    not_json = admin_api.post("/api/v1/categories/", "name=x", content_type="text/plain")
    assert not_json.status_code == 415
    missing = admin_api.post("/api/v1/categories/", {}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {
        "type": "urn:backoffice:problem:validation",
        "title": "Validation failed",
        "status": 400,
        "detail": "This field is required.",
        "instance": "/api/v1/categories/",
        "errors": {"name": ["This field is required."]},
    }
    forbidden = api_for("Viewer").post("/api/v1/categories/", {"name": "x"}, format="json")
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"] == "Your role does not allow this."


def test_throttle_answers_429_problem(api_for, settings):
    from rest_framework.throttling import UserRateThrottle

    client = api_for("Viewer")
    rates = {"user": "2/min", "anon": "2/min"}
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = rates
    try:
        from django.core.cache import cache

        cache.clear()
        codes = [client.get("/api/v1/stores/").status_code for _ in range(3)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 429]


def test_docs_are_served_offline(admin_client):
    for url in ("/api/docs/", "/swagger/", "/api/redoc/", "/redoc/"):
        page = admin_client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "cdn" not in html.lower() and "https://" not in html, url
        assert "/static/drf_spectacular_sidecar/" in html
    schema = APIClient().get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Backoffice API"


def test_stock_levels_and_low_stock_filter_by_status(store, api_for):
    stocked(store, make_product(sku="LOW-1", low_stock_threshold=5), 3)
    stocked(store, make_product(sku="OK-1", low_stock_threshold=5), 30)
    viewer = api_for("Viewer")
    levels = viewer.get("/api/v1/inventory/", {"ordering": "product__sku"}).json()["results"]
    assert [(r["product_sku"], r["quantity"], r["stock_status"]) for r in levels] == [
        ("LOW-1", 3, "low"),
        ("OK-1", 30, "ok"),
    ]
    low = viewer.get("/api/v1/low-stock/", {"stock_status": "low"}).json()["results"]
    assert [r["product_sku"] for r in low] == ["LOW-1"]
    by_store = viewer.get("/api/v1/inventory/by_store/").json()
    assert by_store == [
        {
            "store": store.pk,
            "store_code": "MAIN",
            "store_name": "Main Store",
            "products": 2,
            "units": 33,
            "low": 1,
        }
    ]
