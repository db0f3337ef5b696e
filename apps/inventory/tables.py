from urllib.parse import quote

import django_tables2 as tables
from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from apps.catalog.models import SkuLikeLower, sorts_in_bytes
from apps.catalog.tables import BADGE_OK, BADGES
from apps.core.links import pk_url
from apps.core.table_rows import cell_text, date_text
from apps.core.tables import Table
from apps.finance.money import format_money

from .level_order import RunOrder, by_store
from .models import MovementType, StockLevel, StockMovement, Store
from .selectors import (
    StockStatus,
    category_ids_by_name,
    default_threshold,
    highest_threshold,
    stores_few_low,
)

# The low-stock page sorted by store reads a store's run from its levels at or below the
# highest threshold when fewer than one level in FEW_LOW of the store is low or out, and
# the highest threshold is at most MOST_QUANTITIES - 1 (one range of the quantity index
# per quantity).
FEW_LOW = 50
MOST_QUANTITIES = 200
# Past this many rows read from the runs of a page (the page's end, for each run that
# shares a number), the category and alert-level sorts sort the products once instead.
DEEP_RUNS = 40_000


class StockLevelTable(Table):
    """Rows are written out by `rows_html` (inventory/_level_table.html); the columns give
    the header, the sorting and the CSV export. Its records are the dicts of
    `selectors.level_rows` (the column accessors are their keys)."""

    # Every sort ends with keys that make it total (no two levels tie), so paging never
    # shows a level twice nor skips one; each is chosen so the statement keeps its plan:
    # the product-side sorts order products then the product's few levels, the level-side
    # ones end with a key of the index they are read from (docs/performance.md, "stock9").
    store = tables.Column(
        accessor="store__name", verbose_name="Store", order_by=("store__name", "product_id")
    )
    sku = tables.Column(
        accessor="product__sku", verbose_name="SKU", order_by=("product__sku", "store__name")
    )
    product = tables.Column(
        accessor="product__name",
        verbose_name="Product",
        order_by=("product__name", "product_id", "store__name"),
    )
    category = tables.Column(
        accessor="product__category__name",
        verbose_name="Category",
        order_by=("product__category__name", "product__name", "product_id", "store__name"),
    )
    quantity = tables.Column(
        attrs={"td": {"class": "text-end fw-semibold"}},
        order_by=("quantity", "store_id", "product_id"),
    )
    unit_cost = tables.Column(
        verbose_name="Unit cost", attrs={"td": {"class": "text-end"}}, order_by=("unit_cost", "pk")
    )
    value = tables.Column(
        verbose_name="Value", attrs={"td": {"class": "text-end"}}, order_by=("value", "pk")
    )
    threshold = tables.Column(
        verbose_name="Alert at",
        attrs={"td": {"class": "text-end"}},
        order_by=("threshold", "product__name", "product_id", "store__name"),
    )
    status = tables.Column(verbose_name="Stock", order_by=("quantity", "store_id", "product_id"))
    actions = tables.Column(verbose_name="", orderable=False, empty_values=())

    class Meta:
        model = StockLevel
        fields = (
            "store",
            "sku",
            "product",
            "category",
            "quantity",
            "unit_cost",
            "value",
            "threshold",
            "status",
        )
        sequence = (*fields, "actions")
        template_name = "inventory/_level_table.html"
        attrs = {"class": "table table-hover align-middle", "id": "stock-table"}
        order_by = ("product", "store")  # the live product-name index pages this without a sort

    def __init__(self, *args, can_write: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_write = can_write
        self.urls = {
            "receive": reverse("stock-receive"),
            "transfer": reverse("stock-transfer"),
            "adjust": reverse("stock-adjust"),
        }

    def value_status(self, value):
        return StockStatus.LABELS.get(value, value)

    # The sorts below read a page from indexes in runs (apps/inventory/level_order.py):
    # the same rows in the same order as the column's `order_by`, without sorting every
    # level (store) or every product (category, alert level). Sorted by more columns (the
    # default: product, store), the columns' keys are used in turn.

    def _sorted_alone(self, name: str) -> bool:
        return [key.bare for key in self.order_by] == [name]

    def order_store(self, queryset, is_descending):
        """Store name, then product: a run of the `(store, product)` index per store."""
        if not self._sorted_alone("store"):
            return queryset, False
        rows = by_store(queryset, then="product_id", descending=is_descending)
        return rows, True

    def order_sku(self, queryset, is_descending):
        """SKU, then store name: the products whose SKU sorts as its LOWER() (every one in
        the demo data) walked along the unique `LOWER(sku)` index with each product's few
        levels, merged with the others, read from their partial index (as the product
        list's runs, apps/catalog/models.py `SKU_LIKE_LOWER`). Sorted whole, every product
        was sorted by SKU for each page (~100 ms at 100,000)."""
        if not self._sorted_alone("sku") or not sorts_in_bytes(connection):
            return queryset, False
        like_lower = Q(SkuLikeLower("product__sku"))
        keys = ("product__sku", "store__name")
        rows = RunOrder(
            queryset.alias(sku_lower=Lower("product__sku")),
            parts=[(0, like_lower, ("sku_lower", "store__name")), (0, ~like_lower, keys)],
            within=keys,
            keys=keys,
            descending=is_descending,
            most=DEEP_RUNS,
        )
        return rows, True

    def order_category(self, queryset, is_descending):
        """Category name, then product name, product and store: a run of the products'
        `(category, name)` index per category (and one of the products without)."""
        if not self._sorted_alone("category"):
            return queryset, False
        runs = [Q(product__category_id=pk) for pk in category_ids_by_name()]
        none = Q(product__category__isnull=True)
        runs = [*runs, none] if connection.features.nulls_order_largest else [none, *runs]
        if is_descending:
            runs.reverse()
        within = ("product__name", "product_id", "store__name")
        rows = RunOrder(
            queryset,
            parts=list(enumerate(runs)),
            within=within,
            keys=within,
            order=("product__category__name", *within),
            descending=is_descending,
            most=DEEP_RUNS,
        )
        return rows, True

    def order_threshold(self, queryset, is_descending):
        """Alert level (the product's, or the company default), then product name,
        product and store: three runs from the products' `(low_stock_threshold, name)`
        index: below the default, at it (unset or set to it, two ranges merged), above."""
        if not self._sorted_alone("threshold"):
            return queryset, False
        default = default_threshold()
        parts = [
            (0, Q(product__low_stock_threshold__lt=default)),
            (1, Q(product__low_stock_threshold__isnull=True)),
            (1, Q(product__low_stock_threshold=default)),
            (2, Q(product__low_stock_threshold__gt=default)),
        ]
        if is_descending:
            parts = [(2 - number, part) for number, part in reversed(parts)]
        rows = RunOrder(
            queryset,
            parts=parts,
            within=("product__low_stock_threshold", "product__name", "product_id", "store__name"),
            keys=("threshold", "product__name", "product_id", "store__name"),
            descending=is_descending,
            most=DEEP_RUNS,
        )
        return rows, True

    def rows_html(self) -> SafeString:
        """The page's rows as one string (inventory/_level_table.html used to write them
        with the template engine: ~40 % of the request at 50 rows): the same characters,
        with each row's links built from URLs reversed once per page."""
        product_url = reverse("product-detail", args=[0])[:-2] + "{}/"
        receive, transfer, adjust = (self.urls[k] for k in ("receive", "transfer", "adjust"))
        rows = []
        for row in self.paginated_rows:
            level = row.record  # a dict of selectors.LEVEL_ROW
            store_id, product_id = level["store_id"], level["product_id"]
            sku = level["product__sku"]
            actions = ""
            if self.can_write:
                quoted = conditional_escape(quote(sku))  # the urlencode filter
                # each link on one line; the three stack when the page is narrow
                actions = (
                    '<span class="row-actions">\n'
                    f'    <a class="btn btn-sm btn-link text-nowrap" href="{receive}'
                    f'?store={store_id}&amp;product={quoted}">Receive</a>\n'
                    f'    <a class="btn btn-sm btn-link text-nowrap" href="{transfer}'
                    f'?to_store={store_id}&amp;product={quoted}">Transfer in</a>\n'
                    f'    <a class="btn btn-sm btn-link text-nowrap" href="{adjust}'
                    f'?store={store_id}&amp;product={quoted}">Adjust</a>\n'
                    "  </span>"
                )
            rows.append(
                "<tr>\n"
                f"  <td>{cell_text(level['store__name'])}</td>\n"
                f'  <td><a href="{product_url.format(product_id)}">{cell_text(sku)}</a></td>\n'
                f"  <td>{cell_text(level['product__name'])}</td>\n"
                f"  <td>{cell_text(level['product__category__name'] or '—')}</td>\n"
                f'  <td class="text-end fw-semibold">{cell_text(level["quantity"])}</td>\n'
                f'  <td class="text-end">{cell_text(level["unit_cost"])}</td>\n'
                f'  <td class="text-end">{cell_text(format_money(level["value"]))}</td>\n'
                f'  <td class="text-end">{cell_text(level["threshold"])}</td>\n'
                f"  <td>{BADGES.get(level['status'], BADGE_OK)}</td>\n"
                f"  <td>{actions}</td>\n"
                "</tr>\n"
            )
        return mark_safe("".join(rows))  # every value above is escaped


class LowStockTable(StockLevelTable):
    class Meta(StockLevelTable.Meta):
        attrs = {"class": "table table-hover align-middle", "id": "low-stock-table"}
        order_by = ()  # the selector's order (product, store)

    def order_store(self, queryset, is_descending):
        """Store name, then product, a run per store (as on the stock list); but a store
        with few low levels is not walked along its `(store, product)` index, probing
        every level's product until a page is found (Main Warehouse, descending: 82,000
        levels and their products for 51 rows, ~175 ms): its levels at each quantity up
        to the highest threshold are read from the `(quantity, store, product)` index
        (one range per quantity, 2,071 levels there) and sorted, the product id written
        `product_id + 0` so that no index order is taken for it."""
        if not self._sorted_alone("store"):
            return queryset, False
        highest = highest_threshold()
        few = stores_few_low(FEW_LOW) if highest < MOST_QUANTITIES else set()
        sparse = (Q(quantity__in=range(highest + 1)), ("product_key",))
        rows = by_store(
            queryset.alias(product_key=F("product_id") + 0),
            then="product_id",
            descending=is_descending,
            read=dict.fromkeys(few, sparse),
        )
        return rows, True

    def order_value(self, queryset, is_descending):
        """Descending, not through the `(value, id)` index: low levels hold the lowest
        values, so a walk from the top read nearly every level (~1 s) before the first
        low one; the candidates are sorted instead, the value written `value + 0` so that
        no index order is taken for it, in the two runs of `_low_candidates` (merged by
        value): sorting every low level after joining every level to its product took
        ~140 ms. Ascending, the index finds them first."""
        if not is_descending:
            return queryset, False
        if not self._sorted_alone("value"):
            unindexed = ExpressionWrapper(F("value") + 0, output_field=DecimalField())
            return queryset.order_by(unindexed.desc(), "-pk"), True
        rows = RunOrder(
            queryset.alias(value_key=F("value") + 0),
            parts=[(0, part) for part in self._low_candidates()],
            within=("value_key", "pk"),
            keys=("value", "pk"),
            descending=True,
            chained=False,
        )
        return rows, True

    @staticmethod
    def _low_candidates() -> list[Q]:
        """The low levels in two parts: those at or below the company default threshold
        (a range of the `(quantity, store, product)` index), and those above it, which only
        products whose own threshold is above the default can have (found from the product
        threshold index)."""
        default = default_threshold()
        return [
            Q(quantity__lte=default),
            Q(quantity__gt=default, product__low_stock_threshold__gt=default),
        ]

    def order_quantity(self, queryset, is_descending):
        return self._by_quantity(queryset, is_descending, "quantity")

    def order_status(self, queryset, is_descending):
        return self._by_quantity(queryset, is_descending, "status")

    def _by_quantity(self, queryset, is_descending, name):
        """Quantity, store, product (the `(quantity, store, product)` index's order) in two
        runs: the levels at or below the company default threshold, a range of that index,
        and those above it, which only products whose own threshold is above the default
        can have (their levels, found from the product threshold index, sorted). Read as
        one range from the top, the index gave ~67,000 levels at quantities that a handful
        of products' high thresholds allow, ~99.9 % of them not low, for 51 rows."""
        if not self._sorted_alone(name):
            return queryset, False
        parts = list(enumerate(self._low_candidates()))
        if is_descending:
            parts = [(1 - number, part) for number, part in reversed(parts)]
        keys = ("quantity", "store_id", "product_id")
        rows = RunOrder(
            queryset, parts=parts, within=keys, keys=keys, descending=is_descending, chained=False
        )
        return rows, True


MOVEMENT_BADGES = {
    MovementType.RECEIPT: "text-bg-success",
    MovementType.RETURN: "text-bg-info",
    MovementType.TRANSFER_IN: "text-bg-primary",
    MovementType.TRANSFER_OUT: "text-bg-primary",
    MovementType.SALE: "text-bg-secondary",
    MovementType.MANUAL_REMOVAL: "text-bg-danger",
    MovementType.ADJUSTMENT: "text-bg-warning",
}
# The optional cells of a movement row, in order: (column, label, class, cell text).
_OPTIONAL = (
    ("before", "Before", ' class="text-end"', lambda m: cell_text(m.previous_quantity)),
    ("after", "After", ' class="text-end"', lambda m: cell_text(m.new_quantity)),
    ("unit_cost", "Unit cost", ' class="text-end"', lambda m: cell_text(m.unit_cost)),
    (
        "value",
        "Value",
        ' class="text-end"',
        lambda m: cell_text("" if m.value in (None, "") else format_money(m.value)),
    ),
    ("reason", "Reason", "", lambda m: cell_text(m.get_reason_display())),
    ("reference", "Reference", "", lambda m: cell_text(m.reference)),
    ("user", "By", "", lambda m: cell_text(m.user or "system")),
)


def movement_rows_html(movements, hidden="", empty_text: str = "") -> SafeString:
    """The `<tr>`s of a page of movements (the list and the product page): what the row
    loop of inventory/_movement_rows.html wrote with the template engine (~10 ms of a
    50-row page), the same characters, in one Python pass. `hidden`
    names the optional columns left out (apps.core.columns), and "product" the SKU and
    product columns (a product's own page)."""
    when = date_text("Y-m-d H:i")
    product_url = pk_url("product-detail")
    product = None  # a product's own page leaves out its SKU and name ("product" hidden)
    if "product" not in hidden:

        def product(m) -> str:
            return (
                f'      <td data-label="SKU"><a href="{product_url(m.product_id)}">'
                f"{cell_text(m.product_sku)}</a></td>\n"
                f'      <td data-label="Product">{cell_text(m.product_name)}</td>\n'
            )

    optional = [
        (f'<td data-label="{label}"{css}>', write) if name not in hidden else None
        for name, label, css, write in _OPTIONAL
    ]
    rows, types = [], {}
    for m in movements:
        store = cell_text(m.store.name)
        if m.related_store_id:
            way = "to" if m.quantity < 0 else "from"
            store += (
                f' <span class="text-muted small">{way} {cell_text(m.related_store.name)}</span>'
            )
        if m.quantity > 0:
            quantity = (
                f'<td data-label="Quantity" class="text-end text-success">+{cell_text(m.quantity)}'
            )
        else:
            quantity = (
                f'<td data-label="Quantity" class="text-end text-danger">{cell_text(m.quantity)}'
            )
        kind = types.get(m.movement_type)
        if kind is None:  # once per movement type and page
            badge = MOVEMENT_BADGES.get(m.movement_type, "text-bg-secondary")
            label = cell_text(m.get_movement_type_display())
            kind = types[m.movement_type] = f'<span class="badge {badge}">{label}</span>'
        cells = "\n      ".join(f"{o[0]}{o[1](m)}</td>" if o else "" for o in optional)
        rows.append(  # the template's line breaks and indentation, character for character
            "\n    <tr>\n"
            f'      <td data-label="When" class="text-nowrap">{when(m.created_at)}</td>\n'
            f'      <td data-label="Type">{kind}</td>\n'
            f'      <td data-label="Store">{store}</td>\n'
            f"{product(m) if product else ''}"
            f"      {quantity}</td>\n      {cells}\n    </tr>\n  "
        )
    if not rows:
        text = cell_text(empty_text or "No movements yet.")
        rows.append(f'\n    <tr><td colspan="13" class="text-muted">{text}</td></tr>\n  ')
    return mark_safe("".join(rows))  # every value above is escaped


class MovementTable(Table):
    """A page of the ledger. Rendered by a plain row loop (inventory/_movement_rows.html,
    shared with the product page), not cell by cell: at 50 rows x 11 columns, tables2's
    per-cell machinery cost more than the rest of the request."""

    class Meta:
        model = StockMovement
        fields = ()
        orderable = False  # keyset pages: always newest first
        template_name = "inventory/_keyset_table.html"

    def __init__(self, movements: list, *, links: dict | None = None, hidden=frozenset(), **kwargs):
        super().__init__(movements, **kwargs)
        self.movements = movements
        self.keyset_links = links or {}
        self.hidden_columns = hidden  # the column chooser's choice (apps.core.columns)


class StoreTable(Table):
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
