"""Concurrency through the API (real threads, real database): the same outcomes as the
services give the screens."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.credit.models import Seller, TransactionLog, TransactionType
from apps.inventory.models import StockLevel
from apps.sales.models import Order, OrderStatus
from tests.credit.test_services import all_checks_pass
from tests.inventory.factories import StoreFactory
from tests.inventory.test_concurrency import run_together
from tests.ledger.conftest import books  # noqa: F401  (fixture)
from tests.sales.conftest import assert_sales_books_ok
from tests.sales.factories import make_customer, make_order, make_product, stocked

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_thirty_concurrent_confirms_compete_for_ten_units(role_user):
    store = StoreFactory()
    product = stocked(store, make_product(sku="HOT-1"), 10)
    customer = make_customer()
    orders = [make_order(customer, store, [(product, 1)]) for _ in range(30)]
    sales = role_user("Sales")

    def confirm(order):
        answer = client_of(sales).post(
            f"/api/v1/orders/{order.pk}/confirm/",
            {},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"confirm-{order.pk}",
        )
        return answer.status_code, answer.json()

    results = run_together([lambda o=o: confirm(o) for o in orders])

    assert Counter(code for code, _ in results) == {200: 10, 400: 20}
    for code, body in results:
        if code == 400:
            assert any(
                "HOT-1" in t and "1 ordered, 0 available" in t
                for t in body["errors"]["non_field_errors"]
            )
    assert StockLevel.objects.get(store=store, product=product).quantity == 0
    assert Counter(Order.objects.values_list("status", flat=True)) == {
        OrderStatus.CONFIRMED: 10,
        OrderStatus.DRAFT: 20,
    }
    assert_sales_books_ok()


def test_600_charge_posts_300_keys_each_sent_twice(make_user, books):  # noqa: F811
    from apps.credit.services import creditrequest_approve, creditrequest_create, seller_create

    seller = seller_create(
        email="shop@example.test", company="Shop Ltd", phone="+447911123456", password="pw-2026!x"
    )
    top_up = creditrequest_create(seller=seller, amount="200.00")
    creditrequest_approve(credit_request=top_up, by=make_user("Accountant"))
    sends = [f"key-{n:03d}" for n in range(300)] * 2
    random.Random(11).shuffle(sends)
    local = threading.local()

    def charge(key):
        if not hasattr(local, "client"):
            local.client = client_of(seller.user)
        try:
            answer = local.client.post(
                "/api/v1/charges/",
                {"phone": "+447911123456", "amount": "1.00"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
            return key, answer.status_code, answer.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(charge, sends))

    codes = Counter(code for _, code, _ in results)
    print("charge answers:", dict(codes))
    assert set(codes) <= {201, 400, 409}, codes  # never a 5xx, never a 422 (same bodies)
    charges = TransactionLog.objects.filter(type=TransactionType.CHARGE)
    # exactly what the service gives 300 one-unit charges on a 200.00 balance
    assert charges.count() == 200
    assert charges.values("idempotency_key").distinct().count() == 200
    assert Seller.objects.get(pk=seller.pk).balance == Decimal("0.00")
    by_key: dict[str, list] = {}
    for key, code, body in results:
        by_key.setdefault(key, []).append((code, body))
    for key, answers in by_key.items():
        charged = charges.filter(idempotency_key=key).first()
        created = [body for code, body in answers if code == 201]
        if charged is None:
            assert not created, key
            assert all(
                code == 409 or body["errors"]["amount"][0].startswith("Insufficient credit")
                for code, body in answers
            ), key
        else:
            assert created and {b["id"] for b in created} == {str(charged.pk)}, key
    assert all_checks_pass() == {}  # the violations found: none
