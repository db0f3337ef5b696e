"""Factories for catalog tests (and the inventory tests built on them)."""

from decimal import Decimal

import factory

from apps.catalog.models import Category, Product
from apps.finance.models import Currency


def usd() -> Currency:
    """The base currency; re-created after a transactional test flushed the migration rows."""
    return Currency.objects.get_or_create(
        code="USD", defaults={"name": "US Dollar", "symbol": "$"}
    )[0]


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    cost_price = Decimal("6.00")
    selling_price = Decimal("10.00")
    currency = factory.LazyFunction(usd)
