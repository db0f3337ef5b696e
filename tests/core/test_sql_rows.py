"""apps/core/sql.py Rows.build: the instances it builds without Model.__init__ are the
ones Model.from_db builds (every attribute, its type, the state), phone numbers and
files included, and a model with a post_init receiver still goes through from_db."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import post_init

from apps.catalog.models import Product
from apps.core.sql import Rows
from apps.customers.models import Customer
from apps.inventory.models import StockLevel
from apps.sales.models import Order
from tests.sales.factories import make_customer, make_order, make_product, stocked

pytestmark = pytest.mark.django_db


def _read(model, pk):
    rows = Rows(model, "t")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {rows.select} FROM {rows.table} WHERE t.id = %s", [pk])
        return rows, cursor.fetchone()


def _same(built, reference) -> None:
    assert type(built) is type(reference)
    assert built._state.adding is False and built._state.db == reference._state.db
    mine = {k: v for k, v in vars(built).items() if k != "_state"}
    theirs = {k: v for k, v in vars(reference).items() if k != "_state"}
    assert mine == theirs
    assert {k: type(v) for k, v in mine.items()} == {k: type(v) for k, v in theirs.items()}


def _from_db(rows: Rows, row):
    built = rows.build(row)
    values = [getattr(built, name) for name in rows.names]
    return built, rows.model.from_db(connection.alias, rows.names, values)


def test_built_instances_match_from_db():
    from tests.inventory.factories import StoreFactory

    customer = make_customer(phone="+44 20 7946 0000")
    store = StoreFactory()
    product = make_product(image="products/a.png")
    stocked(store, product, 4)
    order = make_order(customer=customer, store=store, lines=[(product, 1)])
    level = StockLevel.objects.get(store=store, product=product)
    for model, pk in (
        (Customer, customer.pk),
        (Product, product.pk),
        (Order, order.pk),
        (StockLevel, level.pk),
    ):
        rows, row = _read(model, pk)
        built, reference = _from_db(rows, row)
        _same(built, reference)
    rows, row = _read(Customer, customer.pk)
    assert str(rows.build(row).phone) == str(Customer.objects.get(pk=customer.pk).phone)
    assert rows._through == [(rows.names.index("phone"), "phone")]  # its descriptor parses
    rows, row = _read(Product, product.pk)
    assert rows.build(row).image.name == "products/a.png"


def test_a_post_init_receiver_is_still_called():
    product = make_product()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Product)
    try:
        rows, row = _read(Product, product.pk)
        rows.build(row)
    finally:
        post_init.disconnect(receiver, sender=Product)
    assert seen == [product.pk]
