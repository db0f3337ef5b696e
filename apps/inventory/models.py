"""Stores, stock per (store, product) and the append-only ledger of movements (DESIGN.md §4.1).

A StockLevel is a cached sum: it always equals the sum of its movements' signed quantities
(check_books verifies it) and the database refuses a negative level.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.models import BaseModel
from apps.finance.fields import money_field

MAX_QUANTITY = 1_000_000  # per movement: a typo guard, far above any real delivery
COST = {"max_digits": 18, "decimal_places": 4}  # a unit cost may carry fractions of a cent


class Store(BaseModel):
    name = models.CharField(max_length=100)
    code = models.CharField(
        max_length=12, help_text="Short code used in CSV files and references, e.g. MAIN."
    )
    address = models.TextField(blank=True)
    contact_name = models.CharField("contact", max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True, help_text="Inactive stores take no movements.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="store_code_unique_ci",
                violation_error_message="A store with this code already exists.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                name="store_name_unique_ci",
                violation_error_message="A store with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("store-update", args=[self.pk])

    def save(self, *args, **kwargs):
        """A new store commits with its MissingLevel pairs (written on post_save,
        apps/inventory/services/missing.py), in autocommit too; no savepoint inside a
        transaction."""
        if not self._state.adding:
            return super().save(*args, **kwargs)
        with transaction.atomic(savepoint=False):
            return super().save(*args, **kwargs)


class StockLevel(models.Model):
    """Units of one product in one store right now (the sum of its movements) and what
    they are worth (DESIGN.md §4.8).

    `value` (base currency, to the cent) is the stored figure the Inventory account adds
    up; `unit_cost` is the moving average derived from it (value / quantity, 4 places),
    kept at the last average when the level reaches 0 so a count that finds goods again
    has a cost. Storing the value, not the cost, is what keeps the books exact: receipts,
    returns and transfers add exact cents, and an issue takes exactly its share.
    """

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="stock_levels", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_levels")
    quantity = models.BigIntegerField(default=0)
    value = money_field(default=0)  # base currency, like the ledger
    unit_cost = models.DecimalField("unit cost", **COST, default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # No default ordering: ordering by store and product would join both tables on
        # every lookup of a level; lists say their own order.
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="stock_level_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="stock_level_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(unit_cost__gte=0),
                name="stock_level_value_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(quantity=0) | Q(value=0), name="stock_level_empty_has_no_value"
            ),
        ]
        indexes = [
            # Low and out-of-stock levels are read as a range of it (at or below a
            # threshold), and the stock list's sort by quantity pages it in its order:
            # ending with the product makes each key unique, so that sort is total
            # without a sort of its ties (apps/inventory/tables.py).
            models.Index(fields=["quantity", "store", "product"], name="stock_level_quantity_idx"),
            # The stock list sorted by unit cost or value (then the level) pages these in
            # their order instead of sorting every level (~0.7-1 s at 300,000 levels).
            models.Index(fields=["unit_cost", "id"], name="stock_level_unit_cost_idx"),
            models.Index(fields=["value", "id"], name="stock_level_value_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.product_id}: {self.quantity}"


class ProductTotal(models.Model):
    """A product's units in all stores: the sum of its stock levels, moved by the stock
    services in the same statement as the levels (apps/inventory/services/totals.py) and
    compared with them by check_books. The product list sorts and filters by it through
    its index instead of summing levels.

    A narrow row of its own (the key is the product's id, column `id`), not a column of
    the product: a stock movement updates this row (two index entries) and leaves the
    product's row, with its ~19 indexes and two trigram GINs, unwritten. Every product
    has one from its insertion, by whatever path (ORM, bulk_create, raw SQL, COPY): a
    trigger on the product table inserts it at 0 (migration 0014); bulk loaders that
    write levels directly set the units through `onhand_rebuild`."""

    product = models.OneToOneField(
        Product,
        on_delete=models.CASCADE,
        primary_key=True,
        db_column="id",
        related_name="stock_total",
    )
    units = models.BigIntegerField("on hand (all stores)", default=0)

    class Meta:
        indexes = [
            # The product list by stock reads this in order and joins the products by key;
            # ends with the id (the product's), the list's tie-break.
            models.Index(fields=["units", "product"], name="product_total_units_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.units} units"


class StoreTotal(models.Model):
    """A store's stock in three figures, kept by the stock services with its levels (the
    same transaction, apps/inventory/services/totals.py) so the store summaries and the
    dashboard read one row per store instead of every level; check_books compares them
    with the levels. A row appears with a store's first movement."""

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, primary_key=True, related_name="stock_total"
    )
    units = models.BigIntegerField(default=0)
    value = money_field(default=0)  # base currency, like StockLevel.value
    held = models.IntegerField("products held", default=0)  # levels with quantity > 0
    # Levels of products whose `alert_threshold` is set (active, not in the trash): at
    # 1..threshold (low) and at 0 (out). Moved with the levels by the stock services and
    # by the writers of thresholds (apps/inventory/services/alerts.py).
    low = models.IntegerField(default=0)
    out = models.IntegerField(default=0)
    levels = models.IntegerField(default=0)  # level rows of the store, any product

    def __str__(self) -> str:
        return f"{self.store_id}: {self.units} units, {self.held} products"


class MissingLevel(models.Model):
    """A (store, product) pair with no StockLevel: every product without a level in a
    store, kept so the product list sorted by one store's stock reads a store's few
    unstocked products instead of walking the catalog (apps/inventory/store_order.py).

    Written with what makes or removes such a pair (apps/inventory/services/missing.py):
    a product's insertion adds its pairs (a trigger on the product table, migration 0015,
    whatever inserts it), a store's creation its own, a level's creation removes its pair
    in the same statement, and `onhand_rebuild` recounts them for the bulk loaders.
    Trashed and inactive products keep theirs (the list filters them). check_books
    compares the rows with the levels."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="missing_level_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.product_id}: no level"


class MovementType(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    SALE = "sale", "Sale"
    RETURN = "return", "Return"
    MANUAL_REMOVAL = "manual_removal", "Manual removal"
    ADJUSTMENT = "adjustment", "Adjustment"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"


INBOUND_TYPES = (MovementType.RECEIPT, MovementType.RETURN, MovementType.TRANSFER_IN)
OUTBOUND_TYPES = (MovementType.SALE, MovementType.MANUAL_REMOVAL, MovementType.TRANSFER_OUT)
REASON_REQUIRED_TYPES = (MovementType.MANUAL_REMOVAL, MovementType.ADJUSTMENT)


class MovementReason(models.TextChoices):
    DAMAGED = "damaged", "Damaged"
    LOST = "lost", "Lost"
    EXPIRED = "expired", "Expired"
    COUNT_CORRECTION = "count_correction", "Count correction"
    OTHER = "other", "Other"


class ImmutableMovement(Exception):
    """Movements are never edited or deleted; correct a mistake with a new movement."""


class StockMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableMovement("Stock movements are append-only.")

    def delete(self):
        raise ImmutableMovement("Stock movements are append-only.")


class StockMovement(models.Model):
    """One change of one StockLevel. Append-only: the ledger that explains every quantity."""

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    movement_type = models.CharField("type", max_length=20, choices=MovementType.choices)
    quantity = models.BigIntegerField(help_text="Signed: positive adds stock, negative removes it.")
    previous_quantity = models.BigIntegerField()
    new_quantity = models.BigIntegerField()
    unit_cost = models.DecimalField("unit cost", **COST, default=0)
    value = money_field(
        default=0, help_text="Signed like the quantity: what the level gained or lost."
    )
    reason = models.CharField(max_length=20, choices=MovementReason.choices, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stock_movements",
        db_index=False,  # movement_user_idx, which also pages one user's movements
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The other store of a transfer, and the id both legs share.
    related_store = models.ForeignKey(  # indexed where set: movement_related_store_idx
        Store, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    transfer_id = models.UUIDField(null=True, blank=True)
    # Snapshot: what the product was called when it moved (renames and deletes keep history).
    product_sku = models.CharField("SKU", max_length=64)
    product_name = models.CharField(max_length=200)
    category_name = models.CharField(max_length=100, blank=True)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero"),
            models.CheckConstraint(
                condition=Q(new_quantity=F("previous_quantity") + F("quantity")),
                name="movement_new_is_previous_plus_quantity",
            ),
            models.CheckConstraint(
                condition=Q(new_quantity__gte=0) & Q(previous_quantity__gte=0),
                name="movement_levels_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(movement_type__in=REASON_REQUIRED_TYPES) | ~Q(reason=""),
                name="movement_reason_required",
            ),
            models.CheckConstraint(
                condition=(Q(movement_type__in=INBOUND_TYPES) & Q(quantity__gt=0))
                | (Q(movement_type__in=OUTBOUND_TYPES) & Q(quantity__lt=0))
                | Q(movement_type=MovementType.ADJUSTMENT),
                name="movement_sign_matches_type",
            ),
            models.CheckConstraint(
                condition=(Q(quantity__gt=0) & Q(value__gte=0))
                | (Q(quantity__lt=0) & Q(value__lte=0)),
                name="movement_value_sign_matches_quantity",
            ),
        ]
        indexes = [
            # Keyset pages of the movement list, whole and per store / product / type.
            models.Index(fields=["store", "-id"], name="movement_store_idx"),
            models.Index(fields=["product", "-id"], name="movement_product_idx"),
            models.Index(fields=["movement_type", "-id"], name="movement_type_idx"),
            # The user filter, newest first: a user's movements are far apart in id order.
            models.Index(fields=["user", "-id"], name="movement_user_idx"),
            models.Index(fields=["store", "product", "id"], name="movement_level_idx"),
            # The reference filter (any case, newest first): MovementFilter.by_reference.
            models.Index(Upper("reference"), F("id").desc(), name="movement_reference_idx"),
            # Only transfers have another store: the rest of the movements (sales among
            # them) write no entry here. A lookup by store (`= x`, `IN (...)`, the PROTECT
            # check) implies NOT NULL, so PostgreSQL and SQLite use this partial index.
            models.Index(
                fields=["related_store"],
                condition=Q(related_store__isnull=False),
                name="movement_related_store_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_movement_type_display()} {self.quantity:+d} {self.product_sku} @ {self.store_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableMovement("Stock movements are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableMovement("Stock movements are append-only.")
