import django_tables2 as tables
from django.db.models import F

from apps.finance.money import format_money

from . import hooks
from .models import Category, Product


class ProductTable(tables.Table):
    sku = tables.Column(verbose_name="SKU", linkify=True)
    name = tables.Column(linkify=True)
    category = tables.Column(accessor="category__name", verbose_name="Category")
    # Prices come in several currencies: sorting compares their base-currency value
    # (ProductListView annotates price_base) and the header says so.
    selling_price = tables.Column(
        verbose_name="Price",
        attrs={"td": {"class": "text-end"}},
        order_by=("price_base_unrated", "price_base", "pk"),
    )
    on_hand = tables.Column(verbose_name="On hand", attrs={"td": {"class": "text-end"}})
    stock_status = tables.Column(verbose_name="Stock", order_by=("on_hand",))
    active = tables.BooleanColumn()

    class Meta:
        model = Product
        fields = ("sku", "name", "category", "selling_price", "on_hand", "stock_status", "active")
        template_name = "catalog/_product_table.html"
        attrs = {"class": "table table-hover align-middle", "id": "product-table"}
        order_by = ("name",)

    def __init__(self, *args, with_stock: bool = True, **kwargs):
        if not with_stock:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "on_hand", "stock_status")
        super().__init__(*args, **kwargs)
        self.with_stock = with_stock
        from apps.finance.selectors import base_currency_code

        self.columns[
            "selling_price"
        ].column.verbose_name = f"Price (sorted by {base_currency_code()} value)"

    def render_selling_price(self, record):
        return format_money(record.selling_price, record.currency_id, record.currency.minor_units)

    def order_on_hand(self, queryset, is_descending):
        """Stock, then name for equal stock in either direction (PostgreSQL reads the
        on-hand index and sorts only the ties)."""
        on_hand = F("on_hand").desc() if is_descending else F("on_hand").asc()
        return queryset.order_by(on_hand, "name", "pk"), True

    order_stock_status = order_on_hand

    def value_stock_status(self, value):
        # The column exists only with inventory installed (with_stock).
        return hooks.stock.StockStatus.LABELS.get(value, value)


class CategoryTable(tables.Table):
    name = tables.Column(linkify=True)
    product_count = tables.Column(verbose_name="Products", attrs={"td": {"class": "text-end"}})
    products = tables.TemplateColumn(
        '<a href="{% url "product-list" %}?category={{ record.pk }}">Show products</a>',
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = Category
        fields = ("name", "description", "product_count", "products")
        attrs = {"class": "table table-hover align-middle"}
