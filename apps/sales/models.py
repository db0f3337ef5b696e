"""Sales: orders with snapshot lines, coupons and returns (DESIGN.md §3, §4.4, §5).

Amounts are in the order's currency, rounded under apps.finance.money (per line, totals are
sums of rounded lines); `exchange_rate` is the snapshot of the rate to the base currency on
the order date, `total_base` the total converted with it, so reports never move.
Orders are never deleted (numbers are gapless); a mistake is a cancellation.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.links import reverse_pk
from apps.core.models import BaseModel, SoftDeleteQuerySet
from apps.customers.models import Customer
from apps.finance.fields import money_field
from apps.finance.models import Currency
from apps.inventory.models import Store

MAX_LINE_QUANTITY = 1_000_000


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)  # stock gone, money owed


class OrderSource(models.TextChoices):
    BACKOFFICE = "backoffice", "Back office"
    PORTAL = "portal", "Customer portal"


class CouponKind(models.TextChoices):
    PERCENT = "percent", "Percent off"
    FIXED = "fixed", "Fixed amount off"


class Coupon(BaseModel):
    """A discount code. Fixed amounts and the minimum are in the base currency and are
    converted at the order's rate; `times_used` counts confirmed orders (never above
    `max_uses`, enforced by a conditional UPDATE and a CHECK)."""

    code = models.CharField(max_length=40, help_text="What the customer quotes; any case.")
    description = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=CouponKind.choices, default=CouponKind.PERCENT)
    value = money_field(
        validators=[MinValueValidator(0)],
        help_text="Percent (0-100) or an amount in the base currency.",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        "maximum uses", null=True, blank=True, help_text="Empty = unlimited."
    )
    times_used = models.PositiveIntegerField(default=0, editable=False)
    min_order_total = money_field(
        "minimum order",
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Goods value after line discounts, before tax (base currency).",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="coupon_code_unique_ci",
                violation_error_message="A coupon with this code already exists.",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="coupon_percent_lte_100"
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(times_used__lte=F("max_uses")),
                name="coupon_uses_within_max",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="coupon_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("coupon-update", args=[self.pk])

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(self.max_uses - self.times_used, 0)


class OrderQuerySet(SoftDeleteQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_customer(self, customer):
        return self.filter(customer=customer)

    def with_list_columns(self):
        return self.select_related("customer", "store").only(
            "number",
            "order_date",
            "status",
            "total",
            "total_base",
            "currency_id",
            "source",
            "customer__code",
            "customer__name",
            "store__name",
        )


class OrderManager(models.Manager.from_queryset(OrderQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Order(BaseModel):
    number = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(  # looked up through order_customer_idx
        Customer, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    store = models.ForeignKey(  # looked up through order_store_idx
        Store,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name="fulfilment store",
        db_index=False,
    )
    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    exchange_rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        help_text="Units of base currency per unit, on the order date.",
    )
    order_date = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    source = models.CharField(
        max_length=12, choices=OrderSource.choices, default=OrderSource.BACKOFFICE
    )
    reference = models.CharField(
        "customer reference", max_length=100, blank=True, help_text="The customer's PO number."
    )
    shipping_address = models.TextField(blank=True)
    coupon = models.ForeignKey(
        Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    coupon_code = models.CharField(max_length=40, blank=True)
    subtotal = money_field(default=0)
    discount_total = money_field(default=0)
    tax_total = money_field(default=0)
    total = money_field(default=0)
    total_base = money_field(default=0)
    returned_total = money_field(default=0)
    returned_base = money_field(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    credit_override_reason = models.TextField(blank=True)

    objects = OrderManager()
    all_objects = models.Manager.from_queryset(OrderQuerySet)()

    audit_log = False  # the services record business events (order.confirmed, ...)

    class Meta:
        ordering = ["-order_date", "-id"]
        # A confirm rewrites the order's row (status) with an entry in every index: none
        # is kept that another serves (docs/performance.md, the product's likewise).
        indexes = [
            models.Index(fields=["currency"], name="order_currency_idx"),
            models.Index(fields=["-order_date", "-id"], name="order_date_idx"),
            models.Index(fields=["status", "-order_date", "-id"], name="order_status_idx"),
            models.Index(fields=["customer", "-order_date"], name="order_customer_idx"),
            models.Index(fields=["store", "-order_date"], name="order_store_idx"),
            # The list's sorts by total, total in base currency (then the order) and
            # source page these in their order instead of sorting every order.
            models.Index(fields=["total", "id"], name="order_total_idx"),
            models.Index(fields=["total_base", "id"], name="order_total_base_idx"),
            models.Index(fields=["source", "id"], name="order_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="order_rate_positive"),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(discount_total__gte=0)
                & Q(tax_total__gte=0)
                & Q(total__gte=0),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(returned_total__gte=0) & Q(returned_total__lte=F("total")),
                name="order_returned_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse_pk("order-detail", self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == OrderStatus.DRAFT

    @property
    def can_return(self) -> bool:
        return self.status in OPEN_STATUSES


class OrderLine(models.Model):
    """One product on an order, with what it was called and cost when it was ordered."""

    order = models.ForeignKey(  # looked up through order_line_one_per_product
        Order, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_sku = models.CharField("SKU", max_length=64)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LINE_QUANTITY)]
    )
    unit_price = money_field(validators=[MinValueValidator(0)])
    discount_percent = models.DecimalField(
        "discount %",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    tax_name = models.CharField(max_length=100, blank=True)
    tax_percent = models.DecimalField("tax %", max_digits=6, decimal_places=3, default=0)
    gross = money_field(default=0)
    discount = money_field(default=0)
    coupon_discount = money_field(default=0)
    net = money_field(default=0)
    tax = money_field(default=0)
    total = money_field(default=0)
    returned_quantity = models.PositiveIntegerField(default=0)
    # Set on confirmation from the SALE movement: the average cost the goods left at, and
    # the exact cost of goods sold posted for this line (base currency).
    unit_cost = models.DecimalField("unit cost", max_digits=18, decimal_places=4, default=0)
    cost = money_field(default=0)

    class Meta:
        ordering = ["order", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="order_line_one_per_product"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=F("quantity")),
                name="order_line_returned_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="order_line_discount_0_100",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="order_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_sku}"

    @property
    def returnable_quantity(self) -> int:
        return self.quantity - self.returned_quantity


class ReturnDisposition(models.TextChoices):
    RESTOCK = "restock", "Restock to a store"
    WRITE_OFF = "write_off", "Write off (goods not resellable)"


class Return(BaseModel):
    """Goods coming back from a confirmed or fulfilled order (feeds credit notes later)."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    return_date = models.DateField(default=timezone.localdate)
    reason = models.TextField()
    disposition = models.CharField(max_length=10, choices=ReturnDisposition.choices)
    store = models.ForeignKey(
        Store,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where restocked goods go.",
    )
    net = money_field(default=0)
    tax = money_field(default=0)
    total = money_field(default=0)

    audit_log = False

    class Meta:
        ordering = ["-return_date", "-id"]
        indexes = [models.Index(fields=["-return_date", "-id"], name="return_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(disposition="restock") | Q(store__isnull=False),
                name="return_restock_needs_store",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("return-detail", args=[self.pk])


class ReturnLine(models.Model):
    return_doc = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    net = money_field()
    tax = money_field()
    total = money_field()
    # Cost of goods sold taken back (restock only): this line's share of the order line's
    # cost, rounded cumulatively so returning every unit gives back the cost exactly.
    cost = money_field(default=0)

    class Meta:
        ordering = ["return_doc", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="return_line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.product_sku}"


class SalesFigure(models.Model):
    """Sales and returns summed per day, so period reports read a few rows instead of every
    order line (apps.sales.figures). Exact at every moment: the order and return services
    insert one row per line (plus one per order of the day and customer grains) in their own
    transaction, a cancellation inserts the negative rows, and a job merges each day's rows
    (`sales_figures_compact`). Amounts are in the base currency, unrounded (line amount x
    the order's rate snapshot), so sums round exactly like the order lines' own.

    Three grains: DAY (day, store), PRODUCT (day, store, product) and CUSTOMER (day, store,
    customer). A sale counts on the order date, a return on the return date (with the
    order's store and customer)."""

    class Grain(models.TextChoices):
        DAY = "d", "Day and store"
        PRODUCT = "p", "Day, store and product"
        CUSTOMER = "c", "Day, store and customer"

    class Kind(models.TextChoices):
        SALE = "s", "Sale"
        RETURN = "r", "Return"

    grain = models.CharField(max_length=1, choices=Grain.choices)
    kind = models.CharField(max_length=1, choices=Kind.choices)
    day = models.DateField()
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    product = models.ForeignKey(
        Product, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        Customer, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    label = models.CharField(max_length=200, blank=True)  # the lines' product name
    lines = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    net = models.DecimalField(max_digits=32, decimal_places=10, default=0)
    tax = models.DecimalField(max_digits=32, decimal_places=10, default=0)
    gross = models.DecimalField(max_digits=32, decimal_places=10, default=0)
    compacted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "day"], name="salesfigure_grain_day_idx"),
            models.Index(
                fields=["day"], condition=Q(compacted=False), name="salesfigure_fresh_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain}{self.kind} {self.day} {self.label}"
