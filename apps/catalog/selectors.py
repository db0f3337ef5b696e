"""Reads about the catalog shared by screens and the dashboard."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from apps.core import reference

from .models import Category, Product


def dashboard_figures() -> list[tuple[str, str]]:
    """The Catalog card on the dashboard."""
    return [
        ("Active products", f"{Product.objects.filter(active=True).count():,}"),
        ("Categories", f"{Category.objects.count():,}"),
    ]


def product_suggestions(text: str, limit: int = 20):
    """Active products matching a typed SKU, barcode or name, for <datalist> suggestions."""
    text = (text or "").strip()
    if not text:
        return Product.objects.none()
    return Product.objects.filter(active=True).search(text).only("sku", "name")[:limit]


def _products_in_category(products) -> Subquery:
    counted = products.filter(category=OuterRef("pk")).order_by().values("category")
    return Subquery(counted.annotate(n=Count("*")).values("n"), output_field=IntegerField())


def categories_with_counts():
    """Categories with `product_count`, their products not in the trash: every product of
    the category (an index-only count of the `(category, name)` index) minus those in the
    trash (the few the `deleted_at` index finds). Counted as one join of every product
    with a filter on `deleted_at`, each page read all 100,000 product rows (~100-200 ms),
    and so did the paginator's count of the grouped join; a subquery per category also
    leaves the count of categories alone."""
    every = _products_in_category(Product.all_objects.all())
    trashed = _products_in_category(Product.all_objects.filter(deleted_at__isnull=False))
    return Category.objects.annotate(product_count=Coalesce(every, 0) - Coalesce(trashed, 0))


def category_ids_by_name() -> list[int]:
    """Every category's id (deleted ones too), in name order (names are unique), kept per
    process while the categories' reference stamp stays the same: the product list's runs
    when it is sorted by category. A new list each call."""
    table = Category._meta.db_table

    def load() -> tuple[int, ...]:
        return tuple(Category.all_objects.order_by("name").values_list("pk", flat=True))

    return list(reference.cached(table, f"{table}.ids_by_name", load))


def category_names(ids) -> dict[int, str]:
    """Category names by id, covering `ids` (None ignored): every category's (deleted ones
    too: a product shows its category's name as the join did), kept per process while the
    reference stamp stays the same (apps.core.reference), plus any of `ids` added since
    (read now). The product list's category cells. Shared: callers must not change it."""
    table = Category._meta.db_table
    return reference.cached_covering(table, f"{table}.names", _category_names, ids)


def _category_names(**where) -> dict[int, str]:
    return dict(Category.all_objects.filter(**where).values_list("pk", "name"))
