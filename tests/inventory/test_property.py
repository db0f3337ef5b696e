"""Random receive/remove/adjust/transfer sequences against a plain-Python model of stock."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from apps.inventory.models import MovementReason, StockLevel, StockMovement
from apps.inventory.services import (
    InsufficientStock,
    stock_adjust,
    stock_receive,
    stock_remove,
    stock_transfer,
)
from tests.catalog.factories import ProductFactory

from .conftest import assert_stock_books_ok
from .factories import StoreFactory

pytestmark = pytest.mark.django_db

RUN = itertools.count()
STORE = st.integers(0, 2)
PRODUCT = st.integers(0, 1)
QUANTITY = st.integers(1, 30)
REASON = st.sampled_from(MovementReason.values)


class StockMachine(RuleBasedStateMachine):
    """Each run gets its own stores and products (the test's transaction holds them all)."""

    def __init__(self):
        super().__init__()
        run = next(RUN)
        self.stores = [StoreFactory(name=f"P{run} store {i}", code=f"P{run}S{i}") for i in range(3)]
        self.products = [ProductFactory(sku=f"P{run}-{i}") for i in range(2)]
        self.model = {(s, p): 0 for s in range(3) for p in range(2)}
        self.movements = 0

    def key(self, s, p):
        return self.stores[s], self.products[p]

    @rule(s=STORE, p=PRODUCT, n=QUANTITY)
    def receive(self, s, p, n):
        store, product = self.key(s, p)
        movement = stock_receive(store=store, product=product, quantity=n)
        self.model[s, p] += n
        self.movements += 1
        assert movement.new_quantity == self.model[s, p]

    @rule(s=STORE, p=PRODUCT, n=QUANTITY, reason=REASON)
    def remove(self, s, p, n, reason):
        store, product = self.key(s, p)
        if n > self.model[s, p]:
            with pytest.raises(InsufficientStock) as info:
                stock_remove(store=store, product=product, quantity=n, reason=reason)
            assert info.value.available == self.model[s, p]
            return
        stock_remove(store=store, product=product, quantity=n, reason=reason)
        self.model[s, p] -= n
        self.movements += 1

    @rule(s=STORE, p=PRODUCT, counted=st.integers(0, 60), reason=REASON)
    def adjust(self, s, p, counted, reason):
        store, product = self.key(s, p)
        if counted == self.model[s, p]:
            with pytest.raises(ValidationError, match="nothing to adjust"):
                stock_adjust(store=store, product=product, counted_quantity=counted, reason=reason)
            return
        movement = stock_adjust(
            store=store, product=product, counted_quantity=counted, reason=reason
        )
        assert movement.quantity == counted - self.model[s, p]
        self.model[s, p] = counted
        self.movements += 1

    @rule(source=STORE, dest=STORE, p=PRODUCT, n=QUANTITY)
    def transfer(self, source, dest, p, n):
        product = self.products[p]
        call = lambda: stock_transfer(  # noqa: E731
            from_store=self.stores[source],
            to_store=self.stores[dest],
            product=product,
            quantity=n,
        )
        if source == dest:
            with pytest.raises(ValidationError, match="other than the source"):
                call()
        elif n > self.model[source, p]:
            with pytest.raises(InsufficientStock):
                call()
        else:
            call()
            self.model[source, p] -= n
            self.model[dest, p] += n
            self.movements += 2

    @invariant()
    def levels_match_the_model(self):
        stored = {
            (self.stores.index(lvl.store), self.products.index(lvl.product)): lvl.quantity
            for lvl in StockLevel.objects.filter(store__in=self.stores).select_related(
                "store", "product"
            )
        }
        assert {k: v for k, v in self.model.items() if v or k in stored} == stored
        assert StockMovement.objects.filter(store__in=self.stores).count() == self.movements

    def teardown(self):
        assert_stock_books_ok()


StockMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_random_stock_operations_match_the_model():
    StockMachine.TestCase().runTest()
