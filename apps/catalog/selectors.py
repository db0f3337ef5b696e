"""Reads about the catalog shared by screens and the dashboard."""

from __future__ import annotations

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
