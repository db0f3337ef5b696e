"""Catalog: categories, products and the append-only history of their prices (DESIGN.md §3)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from apps.core.models import BaseModel, CompanySettings, SoftDeleteQuerySet
from apps.core.search import is_short
from apps.finance.models import Currency, TaxRate

from . import hooks

MAX_PRICE = 10**15  # DecimalField(max_digits=18, decimal_places=2) keeps 16 integer digits
MAX_THRESHOLD = 1_000_000


class Category(BaseModel):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            # Across deleted rows too: restoring from the trash can never collide.
            models.UniqueConstraint(
                Lower("name"),
                name="category_name_unique_ci",
                violation_error_message="A category with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("category-update", args=[self.pk])


# How many products a search may find and still filter another table by their keys.
SEARCH_KEYS_AT_MOST = 500

# SKUs that sort as their LOWER() does: printable ASCII without the small letters and the
# six signs between Z and a: [ \ ] ^ _ `. LOWER() changes only A-Z there, to a-z, in
# order and one to one, so in bytes (the C collation) such SKUs sort as LOWER(sku), which the
# unique index `product_sku_unique_ci` holds in order. The others (none of 100,000 demo
# products) are in the partial index `product_sku_odd_idx` (migration 0010): the list by SKU
# merges the two (apps/catalog/tables.py).
SKU_LIKE_LOWER = "^[ -Z{-~]*$"


_BYTES_ORDER: dict[tuple, bool] = {}


def sorts_in_bytes(connection) -> bool:
    """Whether the database compares text by its bytes (SQLite; a PostgreSQL database whose
    collation is C, POSIX or C.UTF-8), which the SKU runs' split relies on. Under a language
    collation LOWER() and the SKU sort by other rules, so the lists sort by SKU with one
    ORDER BY instead. Read once per database per process."""
    key = (connection.alias, connection.settings_dict["NAME"])
    if key not in _BYTES_ORDER:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT datcollate FROM pg_database WHERE datname = current_database()"
                )
                collation = cursor.fetchone()[0]
                # C, POSIX and C.UTF-8 (code point order, which is UTF-8's bytes order)
                _BYTES_ORDER[key] = collation in ("C", "POSIX") or collation.startswith("C.")
        else:
            _BYTES_ORDER[key] = connection.vendor == "sqlite"
    return _BYTES_ORDER[key]


class SkuLikeLower(models.Func):
    """True where `SKU_LIKE_LOWER` matches the SKU, the pattern written into the statement
    (a literal, never a parameter: PostgreSQL must see it to use the partial index for the
    others)."""

    output_field = models.BooleanField()
    arity = 1
    template = f"%(expressions)s ~ '{SKU_LIKE_LOWER}'"

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django registers REGEXP on SQLite (Python's re: the same pattern, the same rows).
        template = f"%(expressions)s REGEXP '{SKU_LIKE_LOWER}'"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _short_search(text: str, connection) -> RawSQL:
    """The keys of the products whose name or SKU contains `text` (one or two characters),
    in any case, or whose barcode is `text`: as `icontains` compares (`UPPER(x) LIKE
    UPPER(pattern)`), against the stored `UPPER(name)`-newline-`UPPER(sku)` (PostgreSQL,
    migration catalog 0013), which reads 100,000 products in a third of the time."""
    pattern = f"%{connection.ops.prep_for_like_query(text)}%"
    return RawSQL(
        "SELECT id FROM catalog_product WHERE search_upper LIKE UPPER(%s) OR barcode = %s",
        (pattern, text),
    )


class ProductQuerySet(SoftDeleteQuerySet):
    def search(self, text: str):
        """Name or SKU containing `text`, or the exact barcode (search-as-you-type)."""
        text = text.strip()
        if not text:
            return self
        if is_short(text) and connections[self.db].vendor == "postgresql":
            return self.filter(pk__in=_short_search(text, connections[self.db]))
        return self.filter(Q(name__icontains=text) | Q(sku__icontains=text) | Q(barcode=text))

    def search_keys(self, text: str):
        """The keys of the products `search(text)` finds, for another table's filter
        (`product__in=`): a list of at most SEARCH_KEYS_AT_MOST read now, else the search as
        a subquery. PostgreSQL plans a statement with the list in ~0.5 ms, the same with the
        subquery in ~1.6 ms (the stock list's search, docs/performance.md); a search that
        finds more (a word most names share) stays one statement."""
        found = self.search(text).order_by().values_list("pk", flat=True)
        keys = list(found[: SEARCH_KEYS_AT_MOST + 1])
        return keys if len(keys) <= SEARCH_KEYS_AT_MOST else found

    def sku_is(self, sku: str):
        """SKU equal in any case, through the LOWER(sku) unique index (`iexact` would
        compare UPPER() and scan the table)."""
        return self.alias(sku_lower=Lower("sku")).filter(sku_lower=sku.strip().lower())

    def by_code(self, code: str):
        """The product a scanner or a person typed: SKU (any case) or barcode; SKU wins."""
        code = (code or "").strip()
        if not code:
            return None
        return self.sku_is(code).first() or self.filter(barcode=code).first()


class AliveProductManager(models.Manager.from_queryset(ProductQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllProductsManager(models.Manager.from_queryset(ProductQuerySet)):
    pass


class Product(BaseModel):
    """A stock-keeping unit. Prices are in `currency`; every price change leaves a record."""

    # On PostgreSQL the stored column search_upper is computed from `sku` and `name`
    # (migration catalog 0013, not a field here): a migration that changes either one's
    # type or length, or removes it, drops that column first and adds it back after
    # (0013's DROP and ADD), or PostgreSQL refuses it.
    sku = models.CharField(
        "SKU", max_length=64, help_text="Unique code, any case; spaces around it are removed."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(  # looked up through product_category_name_idx
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        db_index=False,
    )
    barcode = models.CharField(max_length=64, blank=True, help_text="EAN/UPC; optional, unique.")
    cost_price = models.DecimalField(
        max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    selling_price = models.DecimalField(
        max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    tax_rate = models.ForeignKey(
        TaxRate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    image = models.ImageField(upload_to="products/", blank=True)
    active = models.BooleanField(default=True)
    low_stock_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_THRESHOLD)],
        help_text="Alert at or below this quantity; empty uses the company default.",
    )
    # The threshold a level of this product is counted low at (its own or the company
    # default), NULL while the product is inactive or in the trash (its levels count as
    # neither low nor out). Stored so the stock services read it under a lock of the
    # product's row (FOR KEY SHARE, which a threshold change's FOR UPDATE waits for) with
    # the levels they move and keep the stores' low/out counters exact; its writers
    # (apps/catalog/services.py, the company settings, trash and restore) go through
    # `hooks.stock_alerts_change`. Compared with its inputs by check_books.
    alert_threshold = models.IntegerField(null=True, editable=False)

    objects = AliveProductManager()
    all_objects = AllProductsManager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("sku"),
                name="product_sku_unique_ci",
                violation_error_message="A product with this SKU already exists.",
            ),
            models.UniqueConstraint(
                fields=["barcode"],
                condition=~Q(barcode=""),
                name="product_barcode_unique",
                violation_error_message="Another product has this barcode.",
            ),
            models.CheckConstraint(
                condition=Q(cost_price__gte=0) & Q(selling_price__gte=0),
                name="product_prices_not_negative",
            ),
            models.CheckConstraint(condition=~Q(sku=""), name="product_sku_not_empty"),
        ]
        # Until 2026-12 a stock movement rewrote the product's row (its on-hand total, now
        # inventory's ProductTotal) with an entry in every index, so none is kept that
        # another serves: no LIKE-only varchar_pattern_ops twins, no index on a composite
        # index's leading column (docs/performance.md).
        indexes = [
            models.Index(fields=["name"], name="product_name_idx"),
            models.Index(fields=["currency"], name="product_currency_idx"),
            # Ends with the id: the list sorted by price reads its base-currency run in
            # this order, ties included (apps/catalog/tables.py).
            models.Index(fields=["selling_price", "id"], name="product_price_idx"),
            models.Index(fields=["category", "name"], name="product_category_name_idx"),
            # The product list's order (name, pk) over the live products: a page, and a
            # deep page's keys (apps/core/paged.py), read from the index alone.
            models.Index(
                fields=["name", "id"],
                condition=Q(deleted_at__isnull=True),
                name="product_live_name_idx",
            ),
            # The highest threshold in use bounds the low-stock counts (inventory selectors);
            # the stock list sorted by alert level reads its ranges in name order.
            models.Index(fields=["low_stock_threshold", "name"], name="product_threshold_idx"),
            # The live inactive products (few): the list sorted by active reads them as a
            # run in pk order instead of reading every product to find none. Partial, so a
            # product row rewrite (every stock move) adds an entry only for an inactive one.
            models.Index(
                fields=["id"],
                condition=Q(active=False, deleted_at__isnull=True),
                name="product_inactive_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    def save(self, *args, **kwargs):
        """A whole-row save (a form, the admin) leaves `alert_threshold` alone: its copy
        may be stale by now, and only `hooks.stock_alerts_change` moves it. A new product,
        which has no levels yet, starts with its alert threshold, and commits with what
        post_save handlers write for it, in autocommit too (no savepoint inside a
        transaction); inventory's on-hand total and MissingLevel pairs are inserted with
        the row, by triggers on the table."""
        whole_row = kwargs.get("update_fields") is None and not kwargs.get("force_insert")
        if self._state.adding:
            self.alert_threshold = self.alert_value()
            with transaction.atomic(savepoint=False):
                return super().save(*args, **kwargs)
        if whole_row:
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in _KEPT_BY_SERVICES
            ]
        super().save(*args, **kwargs)

    def alert_value(self, default: int | None = None) -> int | None:
        """What `alert_threshold` should hold for the fields as they are now."""
        if not self.active or self.deleted_at is not None:
            return None
        if self.low_stock_threshold is not None:
            return self.low_stock_threshold
        return CompanySettings.load().default_low_stock_threshold if default is None else default

    def soft_delete(self) -> None:
        with hooks.stock_alerts_change(product_ids=[self.pk]):
            super().soft_delete()

    def restore(self) -> None:
        with hooks.stock_alerts_change(product_ids=[self.pk]):
            super().restore()

    def get_absolute_url(self) -> str:
        return reverse("product-detail", args=[self.pk])


_KEPT_BY_SERVICES = ("alert_threshold",)


class ProductPriceRecord(models.Model):
    """One change of a product's price or cost (append-only; kept when the product is deleted)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="price_records")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    old_price = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    new_price = models.DecimalField(max_digits=18, decimal_places=2)
    old_cost = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    new_cost = models.DecimalField(max_digits=18, decimal_places=2)
    old_currency = models.CharField(max_length=3, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["product", "-changed_at"], name="price_record_product_idx")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.changed_at:%Y-%m-%d}: {self.new_price} {self.currency_id}"


class ImportKind(models.TextChoices):
    PRODUCTS = "products", "Products"
    OPENING_STOCK = "opening_stock", "Opening stock"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Ready to apply"
    INVALID = "invalid", "Has errors"
    RUNNING = "running", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed, nothing changed"


class ImportBatch(models.Model):
    """An uploaded CSV: kept in the database (not a local file) between preview and apply,
    so any web process or worker can apply it."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=200)
    content = models.TextField()
    status = models.CharField(max_length=20, choices=ImportStatus.choices, db_index=True)
    row_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.get_kind_display()}, {self.file_name})"

    @property
    def can_apply(self) -> bool:
        return self.status == ImportStatus.PREVIEWED
