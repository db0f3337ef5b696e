import django_tables2 as tables
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.safestring import SafeString, mark_safe

from apps.core.links import pk_url
from apps.core.paged import KeysFirst
from apps.core.run_order import RunOrder
from apps.core.table_rows import cell_text
from apps.core.tables import Table
from apps.finance.money import format_money
from apps.finance.selectors import minor_units_by_code

from . import hooks
from .models import Category, Product, SkuLikeLower, sorts_in_bytes
from .pages import RunsThenKeysFirst
from .selectors import category_ids_by_name, category_names

# Sorted by SKU, category or active, a page whose runs would read more than this many rows
# is read with the one ORDER BY (keys first, apps/core/paged.py): one sort of every
# product costs less than the runs read up to the page. SKU reads 2 runs side by side, so
# it falls back past row 20,000 (page 800), active past row 40,000. A category's run walks
# the primary key past the other categories' products (6 a row at 6 categories): at row
# 20,000 the runs took 98-199 ms, the one sort 180-200 ms (load 7), so past row 20,000.
DEEP_RUNS = 40_000
DEEP_CATEGORY_RUNS = 20_000

# catalog/_stock_badge.html, by inventory's StockStatus value ("out", "low", else in stock);
# the stock-level rows (apps/inventory/tables.py) write the same badges.
BADGES = {
    "out": '<span class="badge text-bg-danger">Out of stock</span>',
    "low": '<span class="badge text-bg-warning">Low</span>',
}
BADGE_OK = '<span class="badge text-bg-success">In stock</span>'


def _price(product, minor_units: dict[str, int]) -> str:
    currency = product.currency_id
    return format_money(product.selling_price, currency, minor_units[currency])


def _runs_by_pk(queryset, runs: list[Q], order: tuple[str, ...], descending: bool, most: int):
    """`queryset` in `order`: the `runs` in turn (reversed when descending), each in pk
    order, as (RunsThenKeysFirst, True) for an `order_<column>` method."""
    if descending:
        runs = runs[::-1]
    rows = RunsThenKeysFirst(
        queryset,
        parts=list(enumerate(runs)),
        within=("pk",),
        keys=("pk",),
        order=order,
        descending=descending,
        most=most,
    )
    return rows, True


class ProductTable(Table):
    """Rows are written out by `rows_html` (catalog/_product_table.html); the columns give
    the header, the sorting and the column count."""

    deep_pages_by_key = True

    # What `rows_html` reads of a product (besides the stock annotations): the list selects
    # these only (ProductListView.get_table_data). The category's name and the currency's
    # minor units come from the kept reference lists (category_names, minor_units_by_code),
    # not from joins: 50 fewer instances a 25-row page.
    ROW_FIELDS = (
        "sku",
        "name",
        "category_id",
        "selling_price",
        "currency_id",
        "active",
    )

    # Every sort ends with pk: a total order, so a deep page may read its keys first
    # (apps/core/paged.py), and rows that tie (a category, the active flag, equal
    # names) keep one order from page to page instead of the plan's (which varied:
    # a row could show on two pages and another on none).
    sku = tables.Column(verbose_name="SKU", linkify=True, order_by=("sku", "pk"))
    name = tables.Column(linkify=True, order_by=("name", "pk"))
    category = tables.Column(
        accessor="category__name", verbose_name="Category", order_by=("category__name", "pk")
    )
    # Prices come in several currencies: sorting compares their base-currency value
    # (ProductListView annotates price_base) and the header says so.
    selling_price = tables.Column(
        verbose_name="Price",
        attrs={"td": {"class": "text-end"}},
        order_by=("price_base_unrated", "price_base", "pk"),
    )
    on_hand = tables.Column(verbose_name="On hand", attrs={"td": {"class": "text-end"}})
    stock_status = tables.Column(verbose_name="Stock", order_by=("on_hand",))
    active = tables.BooleanColumn(order_by=("active", "pk"))

    class Meta:
        model = Product
        fields = ("sku", "name", "category", "selling_price", "on_hand", "stock_status", "active")
        template_name = "catalog/_product_table.html"
        attrs = {"class": "table table-hover align-middle", "id": "product-table"}
        order_by = ("name",)

    def __init__(self, *args, with_stock: bool = True, stock_store_id: int | None = None, **kwargs):
        if not with_stock:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "on_hand", "stock_status")
        # Set before super().__init__, which orders the data (order_on_hand).
        self.stock_store_id = stock_store_id
        super().__init__(*args, **kwargs)
        self.with_stock = with_stock
        from apps.finance.selectors import base_currency_code

        self.columns[
            "selling_price"
        ].column.verbose_name = f"Price (sorted by {base_currency_code()} value)"

    def render_selling_price(self, record):
        return _price(record, minor_units_by_code([record.currency_id]))

    def rows_html(self) -> SafeString:
        """The page's rows as one string: what the row template wrote (a URL lookup, an
        include and tables2's price cell per row: ~1/3 of the request's CPU at 50 rows),
        each row's link from one `reverse()` per page (pk_url)."""
        with_stock = self.with_stock
        records = [row.record for row in self.paginated_rows]
        url = pk_url("product-detail")  # the URL conf and script prefix looked up once
        names = category_names(p.category_id for p in records)
        units = minor_units_by_code({p.currency_id for p in records})
        rows = []
        for p in records:
            href = url(p.pk)
            category = names[p.category_id] if p.category_id is not None else ""
            stock = ""
            if with_stock:
                stock = (
                    f'  <td class="text-end">{cell_text(p.on_hand)}</td>\n'
                    f"  <td>{BADGES.get(p.stock_status, BADGE_OK)}\n</td>\n"  # the include's newline
                )
            rows.append(
                "<tr>\n"
                f'  <td><a href="{href}">{cell_text(p.sku)}</a></td>\n'
                f'  <td><a href="{href}">{cell_text(p.name)}</a></td>\n'
                f"  <td>{cell_text(category or '—')}</td>\n"
                f'  <td class="text-end text-nowrap">{cell_text(_price(p, units))}</td>\n'
                f"{stock}"
                f"  <td>{'✔' if p.active else '✘'}</td>\n"
                "</tr>\n"
            )
        return mark_safe("".join(rows))  # every value above is escaped

    def order_on_hand(self, queryset, is_descending):
        """Stock, then name for equal stock in either direction (PostgreSQL reads the
        on-hand index and sorts only the ties). One store's stock: the inventory's
        page-at-a-time order (apps/inventory/store_order.py), the same rows in the same
        order."""
        if self.stock_store_id:
            rows = hooks.stock.order_by_store_stock(
                queryset, store_id=self.stock_store_id, descending=is_descending
            )
            return rows, True
        on_hand = F("on_hand").desc() if is_descending else F("on_hand").asc()
        # Every product has its total (inventory's row of its own, joined LEFT): "not
        # null" lets PostgreSQL join it as INNER and read the products in its index's
        # order; the rows' count leaves it out, so the join is dropped from the COUNT.
        ordered = queryset.filter(on_hand__isnull=False).order_by(on_hand, "name", "pk")
        return KeysFirst(ordered, counted=queryset), True

    order_stock_status = order_on_hand

    def _sorted_alone(self, name: str) -> bool:
        return [key.bare for key in self.order_by] == [name]

    # SKU, category and active are read in runs (apps/core/run_order.py), the same rows in
    # the same order as the column's `order_by`: no index holds that order, and one ORDER BY
    # joined and sorted every product for each page (60-90 ms at 100,000 products).

    def order_sku(self, queryset, is_descending):
        """SKU, then pk (SKUs are unique, so SKU alone): the SKUs that sort as their LOWER()
        (SKU_LIKE_LOWER: every one in the demo data) read in the order of the unique
        `LOWER(sku)` index, merged with the others, read from their partial index."""
        if not self._sorted_alone("sku") or not sorts_in_bytes(connection):
            return queryset, False
        like_lower = Q(SkuLikeLower("sku"))
        rows = RunsThenKeysFirst(
            queryset.alias(sku_lower=Lower("sku")),
            parts=[(0, like_lower, ("sku_lower",)), (0, ~like_lower)],
            within=("sku", "pk"),
            keys=("sku", "pk"),
            descending=is_descending,
            most=DEEP_RUNS,
        )
        return rows, True

    def order_category(self, queryset, is_descending):
        """Category name, then pk: one run per category in name order (and one of the
        products without, where the database puts NULLs), each in pk order (a walk of the
        primary key; a small category's few rows sorted)."""
        if not self._sorted_alone("category"):
            return queryset, False
        runs = [Q(category_id=pk) for pk in category_ids_by_name()]
        none = Q(category__isnull=True)
        runs = [*runs, none] if connection.features.nulls_order_largest else [none, *runs]
        return _runs_by_pk(
            queryset, runs, ("category__name", "pk"), is_descending, DEEP_CATEGORY_RUNS
        )

    def order_active(self, queryset, is_descending):
        """Inactive, then active (descending: the other way), each in pk order."""
        if not self._sorted_alone("active"):
            return queryset, False
        runs = [Q(active=False), Q(active=True)]
        return _runs_by_pk(queryset, runs, ("active", "pk"), is_descending, DEEP_RUNS)

    def order_selling_price(self, queryset, is_descending):
        """Base-currency value, then pk: two runs merged by those keys. The products priced
        in the base currency are worth their price, so their run is read in the order of
        the `(selling_price, id)` index; the others (their value is price x today's rate,
        or none) are sorted by the whole order, as the one ORDER BY sorted every product
        (~550-750 ms at 100,000 products)."""
        if not self._sorted_alone("selling_price"):
            return queryset, False
        from apps.finance.selectors import base_currency_code

        base = base_currency_code()
        keys = ("price_base_unrated", "price_base", "pk")
        rows = RunOrder(
            queryset,
            parts=[
                (0, Q(currency_id=base), ("selling_price", "pk")),
                # Not `~Q(currency_id=base)`: two ranges of the currency index, not a scan.
                (0, Q(currency_id__lt=base) | Q(currency_id__gt=base)),
            ],
            within=keys,
            keys=keys,
            descending=is_descending,
        )
        return rows, True

    def value_stock_status(self, value):
        # The column exists only with inventory installed (with_stock).
        return hooks.stock.StockStatus.LABELS.get(value, value)


class CategoryTable(Table):
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
