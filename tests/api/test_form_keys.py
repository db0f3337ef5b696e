"""The staff forms for the same actions carry a hidden key: a resubmission after a lost
reply moves nothing twice and goes where the first went."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.credit.models import CreditRequest, TransactionLog
from apps.inventory.models import StockLevel, StockMovement
from apps.sales.models import Order, OrderStatus
from tests.inventory.factories import StoreFactory
from tests.ledger.conftest import books  # noqa: F401  (fixture)
from tests.sales.factories import make_customer, make_order, make_product, stocked

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_receive_form_resent_moves_stock_once(role_user):
    store = StoreFactory(name="Store A", code="A")
    product = make_product(sku="TEA-1")
    client = browser(role_user("Warehouse"))
    page = client.get("/inventory/receive/")
    key = page.context["form"].initial["idempotency_key"]
    assert f'name="idempotency_key" value="{key}"' in page.content.decode()
    form = {"store": store.pk, "product": "TEA-1", "quantity": "12", "idempotency_key": key}
    first = client.post("/inventory/receive/", form)
    again = client.post("/inventory/receive/", form)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert StockMovement.objects.count() == 1
    assert StockLevel.objects.get(store=store, product=product).quantity == 12
    shown = client.get(again["Location"]).content.decode()
    assert "This form was already submitted; nothing was changed again." in shown
    changed = client.post("/inventory/receive/", {**form, "quantity": "13"})
    assert changed.status_code == 200
    assert "This form was already submitted with other values" in changed.content.decode()
    assert StockLevel.objects.get(store=store, product=product).quantity == 12


def test_confirm_and_cancel_forms_resent_act_once(role_user):
    store = StoreFactory()
    product = stocked(store, make_product(sku="C-1"), 5)
    order = make_order(make_customer(), store, [(product, 2)])
    client = browser(role_user("Sales"))
    entry = client.get(f"/sales/orders/{order.pk}/edit/").content.decode()
    assert 'name="idempotency_key"' in entry
    for _ in range(2):
        answer = client.post(f"/sales/orders/{order.pk}/confirm/", {"idempotency_key": "c1"})
        assert answer.status_code == 302 and answer["Location"] == f"/sales/orders/{order.pk}/"
    assert StockLevel.objects.get(store=store, product=product).quantity == 3
    cancel = {"reason": "Wrong customer", "idempotency_key": "x1"}
    for _ in range(2):
        answer = client.post(f"/sales/orders/{order.pk}/cancel/", cancel)
        assert answer.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert StockLevel.objects.get(store=store, product=product).quantity == 5
    assert StockMovement.objects.filter(movement_type="return").count() == 1


def test_approve_form_resent_approves_once_without_an_error(books, role_user):  # noqa: F811
    from apps.credit.services import creditrequest_create, seller_create

    seller = seller_create(
        email="shop@example.test", company="Shop", phone="+447911123456", password="pw-2026!x"
    )
    request = creditrequest_create(seller=seller, amount="50.00")
    client = browser(role_user("Accountant"))
    detail = client.get(f"/credit/requests/{request.pk}/").content.decode()
    assert 'name="idempotency_key"' in detail
    for _ in range(2):
        client.post(f"/credit/requests/{request.pk}/approve/", {"idempotency_key": "a1"})
    messages = [str(m) for m in client.get(f"/credit/requests/{request.pk}/").context["messages"]]
    assert messages == [
        "Top-up of 50.00 approved: Shop now has 50.00.",
        "This form was already submitted; nothing was changed again.",
    ]
    assert CreditRequest.objects.get(pk=request.pk).status == "approved"
    assert TransactionLog.objects.filter(type="topup").count() == 1
