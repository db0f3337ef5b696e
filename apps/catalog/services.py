"""Writes on the catalog: products (with their price history) and categories.

Every price or cost change goes through `product_create` / `product_update`, which write a
ProductPriceRecord in the same transaction, so the history can never miss a change.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.request_context import current_user
from apps.finance import money
from apps.finance.models import Currency

from . import hooks
from .models import MAX_PRICE, Category, Product, ProductPriceRecord

PRODUCT_FIELDS = (  # what a person edits, in form order (ProductForm uses this list)
    "sku",
    "name",
    "category",
    "barcode",
    "description",
    "cost_price",
    "selling_price",
    "currency",
    "tax_rate",
    "low_stock_threshold",
    "active",
    "image",
    "notes",
)


def normalise_sku(sku: str) -> str:
    return (sku or "").strip()


def sku_clash(sku: str, *, exclude_pk: int | None = None) -> str:
    """Why `sku` cannot be used (any case, deleted products included), or ""."""
    clash = Product.all_objects.sku_is(sku).exclude(pk=exclude_pk)
    clash = clash.first()
    if clash is None:
        return ""
    where = " (in the trash: an admin can restore it)" if clash.is_deleted else ""
    return f"SKU {clash.sku} is already used by {clash.name}{where}."


def barcode_clash(barcode: str, *, exclude_pk: int | None = None) -> str:
    clash = Product.all_objects.filter(barcode=barcode.strip()).exclude(pk=exclude_pk).first()
    return f"Barcode {barcode.strip()} is already used by {clash.sku}." if clash else ""


def _validate_product(product: Product) -> None:
    """Rules the database cannot say in words: case-insensitive SKU, prices in minor units."""
    errors: dict[str, list[str]] = {}
    product.sku = normalise_sku(product.sku)
    product.barcode = (product.barcode or "").strip()
    product.name = (product.name or "").strip()
    if not product.sku:
        errors.setdefault("sku", []).append("Enter a SKU.")
    if not product.name:
        errors.setdefault("name", []).append("Enter a name.")
    if product.sku and (problem := sku_clash(product.sku, exclude_pk=product.pk)):
        errors.setdefault("sku", []).append(problem)
    if product.barcode and (problem := barcode_clash(product.barcode, exclude_pk=product.pk)):
        errors.setdefault("barcode", []).append(problem)
    currency: Currency | None = product.currency if product.currency_id else None
    if currency is None:
        errors.setdefault("currency", []).append("Choose a currency.")
    for field in ("cost_price", "selling_price"):
        value = getattr(product, field)
        if value is None:
            errors.setdefault(field, []).append("Enter an amount.")
            continue
        try:
            value = money.to_decimal(value)
        except money.MoneyError as exc:
            errors.setdefault(field, []).append(str(exc))
            continue
        if value < 0:
            errors.setdefault(field, []).append("A price cannot be negative.")
        elif value >= MAX_PRICE:
            errors.setdefault(field, []).append("That amount is too large.")
        elif currency is not None and money.has_more_places(value, currency.minor_units):
            errors.setdefault(field, []).append(
                f"{currency.code} has {currency.minor_units} decimal places."
            )
        else:
            setattr(product, field, value)
    if errors:
        raise ValidationError(errors)


def _save(product: Product) -> None:
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:  # a concurrent insert won the unique index
        raise ValidationError(
            {"sku": "A product with this SKU or barcode already exists."}
        ) from exc


def _price_record(*, product: Product, old: Product | None, user) -> ProductPriceRecord:
    return ProductPriceRecord.objects.create(
        product=product,
        changed_at=timezone.now(),
        changed_by=user if user is not None and user.is_authenticated else current_user(),
        currency_id=product.currency_id,
        old_price=old.selling_price if old else None,
        new_price=product.selling_price,
        old_cost=old.cost_price if old else None,
        new_cost=product.cost_price,
        old_currency=old.currency_id if old else "",
    )


@transaction.atomic
def product_create(*, user=None, **fields: Any) -> Product:
    """Create a product and its first price record."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {', '.join(sorted(unknown))}")
    product = Product(**{k: v for k, v in fields.items() if k != "image" or v})
    _validate_product(product)
    _save(product)
    _price_record(product=product, old=None, user=user)
    return product


@transaction.atomic
def product_update(*, product: Product, user=None, **changes: Any) -> Product:
    """Apply `changes`; a change of price, cost or currency writes a price record.

    The row is locked first so two editors cannot both record the same "old" price. A
    change that may touch the threshold or the active flag runs inside
    `hooks.stock_alerts_change` (the product's levels are locked before its row).
    """
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {', '.join(sorted(unknown))}")
    if ALERT_FIELDS & set(changes):
        with hooks.stock_alerts_change(product_ids=[product.pk]):
            return _update(product, user, changes)
    return _update(product, user, changes)


ALERT_FIELDS = {"low_stock_threshold", "active"}


def _update(product: Product, user, changes: dict[str, Any]) -> Product:
    old = Product.all_objects.select_for_update().get(pk=product.pk)
    if old.is_deleted:
        raise ValidationError("This product is in the trash; restore it before editing.")
    current = Product.all_objects.get(pk=product.pk)
    image = changes.pop("image", None)
    for key, value in changes.items():
        setattr(current, key, value)
    if image is False:  # the form's "clear" box
        current.image = ""
    elif image:
        current.image = image
    _validate_product(current)
    _save(current)
    if _prices(old) != _prices(current):
        record = _price_record(product=current, old=old, user=user)
        audit_record(
            subject=current,
            event="product.price_changed",
            changes={
                "selling_price": [old.selling_price, record.new_price],
                "cost_price": [old.cost_price, record.new_cost],
                "currency": [old.currency_id, record.currency_id],
            },
        )
    return current


def _prices(product: Product) -> tuple:
    return (product.selling_price, product.cost_price, product.currency_id)


@transaction.atomic
def product_delete(*, product: Product) -> Product:
    """Move to the trash unless a guard objects (inventory refuses while stock is on hand).

    The history (movements, price records) stays and keeps pointing at the product.
    """
    for guard in hooks.product_delete_guards:
        problem = guard(product)
        if problem:
            raise ValidationError(problem)
    product.soft_delete()
    return product


@transaction.atomic
def category_delete(*, category: Category) -> Category:
    count = category.products.count()
    if count:
        raise ValidationError(
            f"{count} product{'s' if count != 1 else ''} still use {category}; move them first."
        )
    category.soft_delete()
    return category
