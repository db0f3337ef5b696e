"""Random receipts at varying costs, sales, returns, counts and transfers against a
plain-Python moving-average model (exact fractions, its own rounding): after every step
each level's units, value and average cost equal the model's, the Inventory and Cost of
Goods Sold accounts moved by exactly the model's figures, and invariant 8 holds."""

import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from apps.core.books import registered_checks
from apps.inventory.models import MovementReason, StockLevel
from apps.inventory.services import (
    InsufficientStock,
    stock_adjust,
    stock_receive,
    stock_restock,
    stock_sell,
    stock_transfer,
)
from apps.ledger import chart
from apps.ledger.models import Account
from tests.catalog.factories import ProductFactory

from .factories import StoreFactory

pytestmark = pytest.mark.django_db

RUN = itertools.count()
STORE = st.integers(0, 1)
QUANTITY = st.integers(1, 12)
COST = st.decimals(min_value=0, max_value=50, places=4, allow_nan=False, allow_infinity=False)
PRODUCT_COST = Decimal("2.35")


def rounded(value: Fraction, places: int) -> Decimal:
    """Half away from zero, computed on the exact fraction (values here are >= 0)."""
    scaled = value * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


@dataclass
class Level:
    quantity: int = 0
    value: Fraction = Fraction(0)
    average: Fraction = Fraction(0)  # the stored 4-place average, as a fraction

    def add(self, quantity: int, value: Fraction) -> None:
        self.quantity += quantity
        self.value += value
        self.recompute()

    def take(self, quantity: int) -> Fraction:
        if quantity == self.quantity:
            value = self.value
        else:
            value = Fraction(rounded(self.value * quantity / self.quantity, 2))
        self.quantity -= quantity
        self.value -= value
        self.recompute()
        return value

    def recompute(self) -> None:
        if self.quantity:
            self.average = Fraction(rounded(self.value / self.quantity, 4))


@dataclass
class Sale:
    store: int
    quantity: int
    cost: Fraction
    returned: int = 0


def balance(code: str) -> Decimal:
    return Account.objects.get(code=code).balance


class ValuationMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        run = next(RUN)
        self.stores = [StoreFactory(name=f"V{run} store {i}", code=f"V{run}S{i}") for i in (0, 1)]
        self.product = ProductFactory(sku=f"V{run}", cost_price=PRODUCT_COST)
        self.levels = [Level(), Level()]
        self.sales: list[Sale] = []
        self.cogs = Fraction(0)
        self.start = {code: balance(code) for code in (chart.INVENTORY, chart.COGS)}

    @rule(s=STORE, n=QUANTITY, cost=COST)
    def receive(self, s, n, cost):
        movement = stock_receive(
            store=self.stores[s], product=self.product, quantity=n, unit_cost=cost
        )
        value = Fraction(rounded(n * Fraction(cost), 2))
        assert movement.value == value
        self.levels[s].add(n, value)

    @rule(s=STORE, n=QUANTITY)
    def sell(self, s, n):
        level = self.levels[s]
        call = lambda: stock_sell(  # noqa: E731
            store=self.stores[s], lines=[(self.product, n)], reference="SO-P"
        )
        if n > level.quantity:
            with pytest.raises(InsufficientStock):
                call()
            return
        [movement] = call()
        cost = level.take(n)
        assert movement.value == -cost
        self.cogs += cost
        self.sales.append(Sale(s, n, cost))

    @rule(pick=st.integers(0, 1000), share=st.integers(1, 12), to=STORE)
    def return_goods(self, pick, share, to):
        open_sales = [sale for sale in self.sales if sale.returned < sale.quantity]
        if not open_sales:
            return
        sale = open_sales[pick % len(open_sales)]
        k = min(share, sale.quantity - sale.returned)
        upto = rounded(sale.cost * (sale.returned + k) / sale.quantity, 2)
        before = rounded(sale.cost * sale.returned / sale.quantity, 2)
        cost = upto - before
        stock_restock(store=self.stores[to], lines=[(self.product, k, cost)], reference="RET-P")
        sale.returned += k
        self.levels[to].add(k, Fraction(cost))
        self.cogs -= Fraction(cost)

    @rule(s=STORE, counted=st.integers(0, 30))
    def count(self, s, counted):
        level = self.levels[s]
        difference = counted - level.quantity
        if difference == 0:
            return
        stock_adjust(
            store=self.stores[s],
            product=self.product,
            counted_quantity=counted,
            reason=MovementReason.COUNT_CORRECTION,
        )
        if difference < 0:
            level.take(-difference)
        else:
            cost = level.average if level.quantity or level.average else Fraction(PRODUCT_COST)
            level.add(difference, Fraction(rounded(difference * cost, 2)))

    @rule(source=STORE, n=QUANTITY)
    def transfer(self, source, n):
        target = 1 - source
        call = lambda: stock_transfer(  # noqa: E731
            from_store=self.stores[source],
            to_store=self.stores[target],
            product=self.product,
            quantity=n,
        )
        if n > self.levels[source].quantity:
            with pytest.raises(InsufficientStock):
                call()
            return
        call()
        value = self.levels[source].take(n)
        self.levels[target].add(n, value)

    @invariant()
    def levels_and_books_match_the_model(self):
        stored = {
            row.store_id: (row.quantity, row.value, row.unit_cost)
            for row in StockLevel.objects.filter(product=self.product)
        }
        expected = {
            store.pk: (level.quantity, rounded(level.value, 2), rounded(level.average, 4))
            for store, level in zip(self.stores, self.levels, strict=True)
            if store.pk in stored
        }
        assert stored == expected
        total = sum((level.value for level in self.levels), Fraction(0))
        assert balance(chart.INVENTORY) - self.start[chart.INVENTORY] == rounded(total, 2)
        assert balance(chart.COGS) - self.start[chart.COGS] == rounded(self.cogs, 2)
        [check] = [c for c in registered_checks() if c.name == "inventory.stock_value"]
        assert check.func().violations == []


ValuationMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_valuation_matches_a_moving_average_model():
    ValuationMachine.TestCase().runTest()
