"""Factories for catalog tests (and the inventory tests built on them)."""

from decimal import Decimal

import factory
from django.db import connection

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


def product_bulk_created(sku: str) -> Product:
    """A product inserted by `bulk_create` (no Model.save, no post_save)."""
    Product.objects.bulk_create([ProductFactory.build(sku=sku, category=CategoryFactory())])
    return Product.objects.get(sku=sku)


def product_row_copy(pk: int, **values) -> None:
    """A plain SQL INSERT of product `pk`'s row with these columns changed (a new SKU)."""
    names = [f.column for f in Product._meta.concrete_fields]
    if "id" not in values:
        names.remove("id")
    columns = ", ".join(connection.ops.quote_name(n) for n in names)
    chosen = ", ".join("%s" if n in values else connection.ops.quote_name(n) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO catalog_product ({columns}) SELECT {chosen}"
            " FROM catalog_product WHERE id = %s",
            [*(values[n] for n in names if n in values), pk],
        )


def product_raw_inserted(sku: str) -> Product:
    """A product inserted by plain SQL: a copy of a factory product's row, a new SKU."""
    product_row_copy(ProductFactory(sku=f"{sku}-MODEL").pk, sku=sku)
    return Product.objects.get(sku=sku)
