import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from apps.catalog.tables import STATUS_LABELS, status_badge

from .models import MovementType, StockLevel, StockMovement, Store

TYPE_BADGES = {
    MovementType.RECEIPT: "text-bg-success",
    MovementType.RETURN: "text-bg-info",
    MovementType.TRANSFER_IN: "text-bg-primary",
    MovementType.TRANSFER_OUT: "text-bg-primary",
    MovementType.SALE: "text-bg-secondary",
    MovementType.MANUAL_REMOVAL: "text-bg-danger",
    MovementType.ADJUSTMENT: "text-bg-warning",
}

ACTIONS = """{% if can_write %}<span class="text-nowrap">
<a class="btn btn-sm btn-link" href="{% url 'stock-receive' %}?store={{ record.store_id }}&amp;product={{ record.product.sku|urlencode }}">Receive</a>
<a class="btn btn-sm btn-link" href="{% url 'stock-transfer' %}?to_store={{ record.store_id }}&amp;product={{ record.product.sku|urlencode }}">Transfer in</a>
<a class="btn btn-sm btn-link" href="{% url 'stock-adjust' %}?store={{ record.store_id }}&amp;product={{ record.product.sku|urlencode }}">Adjust</a>
</span>{% endif %}"""


class _LevelColumns(tables.Table):
    store = tables.Column(accessor="store__name", verbose_name="Store")
    sku = tables.Column(
        accessor="product__sku",
        verbose_name="SKU",
        linkify=lambda record: reverse("product-detail", args=[record.product_id]),
    )
    product = tables.Column(accessor="product__name", verbose_name="Product")
    category = tables.Column(accessor="product__category__name", verbose_name="Category")
    quantity = tables.Column(attrs={"td": {"class": "text-end fw-semibold"}})
    threshold = tables.Column(verbose_name="Alert at", attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name="Stock", order_by=("quantity",))
    actions = tables.TemplateColumn(ACTIONS, verbose_name="", orderable=False)

    def render_status(self, value):
        return status_badge(value)

    def value_status(self, value):
        return STATUS_LABELS.get(value, value)


class StockLevelTable(_LevelColumns):
    class Meta:
        model = StockLevel
        fields = ("store", "sku", "product", "category", "quantity", "threshold", "status")
        sequence = (*fields, "actions")
        attrs = {"class": "table table-hover align-middle", "id": "stock-table"}
        order_by = ("store", "product")


class LowStockTable(_LevelColumns):
    class Meta:
        model = StockLevel
        fields = ("sku", "product", "category", "store", "quantity", "threshold", "status")
        sequence = (*fields, "actions")
        attrs = {"class": "table table-hover align-middle", "id": "low-stock-table"}


class MovementTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="When", format="Y-m-d H:i")
    movement_type = tables.Column(verbose_name="Type")
    store = tables.Column(accessor="store__name", verbose_name="Store")
    product_sku = tables.Column(
        verbose_name="SKU",
        linkify=lambda record: reverse("product-detail", args=[record.product_id]),
    )
    product_name = tables.Column(verbose_name="Product")
    quantity = tables.Column(attrs={"td": {"class": "text-end"}})
    previous_quantity = tables.Column(verbose_name="Before", attrs={"td": {"class": "text-end"}})
    new_quantity = tables.Column(verbose_name="After", attrs={"td": {"class": "text-end"}})
    reason = tables.Column()
    reference = tables.Column()
    user = tables.Column(verbose_name="By")

    class Meta:
        model = StockMovement
        fields = (
            "created_at",
            "movement_type",
            "store",
            "product_sku",
            "product_name",
            "quantity",
            "previous_quantity",
            "new_quantity",
            "reason",
            "reference",
            "user",
        )
        orderable = False  # keyset pages: always newest first
        template_name = "inventory/_keyset_table.html"
        attrs = {"class": "table table-sm table-hover align-middle", "id": "movement-table"}

    def render_movement_type(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            TYPE_BADGES.get(record.movement_type, "text-bg-secondary"),
            record.get_movement_type_display(),
        )

    def value_movement_type(self, record):
        return record.get_movement_type_display()

    def render_store(self, record):
        if record.related_store_id is None:
            return record.store.name
        arrow = "to" if record.quantity < 0 else "from"
        return format_html(
            '{} <span class="text-muted small">{} {}</span>',
            record.store.name,
            arrow,
            record.related_store.name,
        )

    def value_store(self, record):
        return record.store.name

    def render_quantity(self, value):
        css = "text-success" if value > 0 else "text-danger"
        return format_html('<span class="{}">{}</span>', css, f"{value:+d}")

    def value_quantity(self, value):
        return value


class StoreTable(tables.Table):
    name = tables.Column(
        linkify=lambda record: f"{reverse('stock-list')}?store={record.pk}", verbose_name="Store"
    )
    actions = tables.TemplateColumn(
        '{% if can_write %}<a href="{% url "store-update" record.pk %}">Edit store</a>{% endif %}',
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = Store
        fields = ("name", "code", "address", "contact_name", "phone", "email", "active")
        sequence = (*fields, "actions")
        attrs = {"class": "table table-hover align-middle"}
