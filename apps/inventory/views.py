from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.generic import TemplateView

from apps.accounts.roles import Area
from apps.catalog.models import Product
from apps.catalog.views import ImportBatchView, ImportUploadView
from apps.core.columns import OptionalColumn, columns_chosen
from apps.core.filters import bounded_filter_data
from apps.core.idempotency import FORM_REPLAYED, form_once
from apps.core.permissions import AreaRequiredMixin
from apps.core.querycache import built_once
from apps.core.views import (
    BackofficeCreateView,
    BackofficeFormView,
    BackofficeListView,
    BackofficeUpdateView,
    HtmxPartialMixin,
    PageContextMixin,
    ServerBoundMixin,
    csv_response,
    rows_per_page,
)

from . import selectors, services
from .filters import LowStockFilter, MovementFilter, StockLevelFilter, StoreFilter
from .forms import (
    AdjustForm,
    OpeningStockImportForm,
    ReceiveForm,
    RemoveForm,
    StoreForm,
    TransferForm,
)
from .models import StockMovement, Store
from .tables import LowStockTable, MovementTable, StockLevelTable, StoreTable


class StockArea:
    area = Area.STOCK


class LazyPagesMixin:
    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "can_write": self.can("write")}

    lazy_pages = True


# --- stores -----------------------------------------------------------------------------


class StoreListView(StockArea, BackofficeListView):
    title = "Stores"
    table_class = StoreTable
    filterset_class = StoreFilter
    create_url_name = "store-create"
    create_label = "New store"
    empty_text = "No stores yet."

    def get_queryset(self):
        return Store.objects.all()


class StoreCreateView(StockArea, BackofficeCreateView):
    model = Store
    form_class = StoreForm
    title = "New store"
    submit_label = "Create store"
    success_message = "Store {object} created."
    cancel_url_name = "store-list"

    success_url_name = "store-list"


class StoreUpdateView(StockArea, BackofficeUpdateView):
    model = Store
    form_class = StoreForm
    success_message = "Store {object} saved."
    cancel_url_name = "store-list"

    success_url_name = "store-list"


# --- stock levels -----------------------------------------------------------------------


class StockLevelListView(StockArea, LazyPagesMixin, BackofficeListView):
    title = "Stock levels"
    template_name = "inventory/stock_list.html"
    table_class = StockLevelTable
    filterset_class = StockLevelFilter
    paginate_by = 50
    empty_text = "No stock matches these filters."

    def get_queryset(self):
        return built_once(("inventory.levels",), selectors.level_rows)

    def get(self, request, *args, **kwargs):
        # The per-store totals read every level: the page asks for them after it shows.
        if request.GET.get("_partial") == "summaries":
            return render(
                request,
                f"{self.template_name}#summaries",
                {"summaries": selectors.store_summaries()},
            )
        return super().get(request, *args, **kwargs)


class LowStockView(StockArea, LazyPagesMixin, BackofficeListView):
    title = "Low stock"
    template_name = "inventory/low_stock.html"
    table_class = LowStockTable
    filterset_class = LowStockFilter
    paginate_by = 50
    empty_text = "Nothing is low: every stocked product is above its alert level."

    def get_queryset(self):
        return built_once(("inventory.low_levels",), selectors.low_level_rows)


# --- movements (keyset pages: no COUNT, no OFFSET on a ledger of millions) ---------------


@dataclass
class KeysetPage:
    rows: list
    newer: int | None  # ?after=<id> shows the page of newer rows
    older: int | None  # ?before=<id> shows the page of older rows


def keyset_page(
    queryset: QuerySet,
    *,
    before=None,
    after=None,
    size: int = 50,
    related: tuple = (),
    fields: tuple = (),
) -> KeysetPage:
    """Newest first, `size` rows, cursors on the primary key (fetch one more to know).

    The page's keys are cut first (a subquery with its LIMIT) and only those rows are
    joined to `related`: joined before the cut, a filter matching many movements (16,000
    of one reference, estimated at 9 by stale statistics) joined them all and sorted
    them (56 ms) for 51 rows. `fields`, if given, are the only columns read (`only()`)."""

    def rows_of(ordered) -> list:
        keys = ordered.values("pk")[: size + 1]
        page = queryset.model._default_manager.filter(pk__in=keys).select_related(*related)
        if fields:
            page = page.only(*fields)
        return list(page.order_by(*ordered.query.order_by))

    if after is not None:
        rows = rows_of(queryset.filter(pk__gt=after).order_by("pk"))
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows=rows,
            newer=rows[0].pk if rows and has_newer else None,
            older=rows[-1].pk if rows else None,
        )
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = rows_of(queryset.order_by("-pk"))
    has_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        newer=rows[0].pk if rows and before is not None else None,
        older=rows[-1].pk if rows and has_older else None,
    )


def _cursor(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


MOVEMENT_EXPORT = (
    ("id", "id"),
    ("when", "created_at"),
    ("type", "movement_type"),
    ("store", "store__code"),
    ("other_store", "related_store__code"),
    ("sku", "product_sku"),
    ("product", "product_name"),
    ("category", "category_name"),
    ("quantity", "quantity"),
    ("before", "previous_quantity"),
    ("after", "new_quantity"),
    ("unit_cost", "unit_cost"),
    ("value", "value"),
    ("reason", "reason"),
    ("reference", "reference"),
    ("user", "user__email"),
    ("notes", "notes"),
)


class MovementListView(
    StockArea,
    ServerBoundMixin,
    AreaRequiredMixin,
    PageContextMixin,
    HtmxPartialMixin,
    TemplateView,
):
    title = "Stock movements"
    search_params = ("product",)
    template_name = "inventory/movement_list.html"
    partial_fallbacks = ("core/list.html",)
    page_size = 50
    optional_columns = (
        OptionalColumn("before", "Before"),
        OptionalColumn("after", "After"),
        OptionalColumn("unit_cost", "Unit cost", default=False),
        OptionalColumn("value", "Value", default=False),
        OptionalColumn("reason", "Reason", default=False),
        OptionalColumn("reference", "Reference"),
        OptionalColumn("user", "By"),
    )

    def get(self, request, *args, **kwargs):
        self.filterset = MovementFilter(
            bounded_filter_data(MovementFilter, request.GET) or None,
            queryset=StockMovement.objects.all(),
            request=request,
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            self.queryset = StockMovement.objects.none()
        else:
            self.queryset = self.filterset.qs
        if request.GET.get("_export") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    def export_csv(self):
        fields = [f for _, f in MOVEMENT_EXPORT]
        rows = self.queryset.order_by("-pk").values_list(*fields)

        def lines():
            yield [label for label, _ in MOVEMENT_EXPORT]
            yield from rows.iterator(chunk_size=5000)

        return csv_response("stock-movements", lines())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = keyset_page(
            self.queryset,
            related=("store", "related_store", "user"),
            fields=selectors.MOVEMENT_ROW_FIELDS,
            before=_cursor(self.request.GET.get("before")),
            after=_cursor(self.request.GET.get("after")),
            size=rows_per_page(self.request.GET, self.page_size),
        )
        params = self.request.GET.copy()
        for key in ("before", "after", "_partial"):
            params.pop(key, None)
        base = params.urlencode()
        links = {
            "first": f"?{base}" if page.newer else None,
            "newer": f"?{base}&after={page.newer}" if page.newer else None,
            "older": f"?{base}&before={page.older}" if page.older else None,
        }
        columns = columns_chosen(self.request.GET, self.optional_columns)
        table = MovementTable(page.rows, links=links, hidden=columns.hidden)
        context.update(filter=self.filterset, table=table, page=page, columns=columns)
        return context


# --- stock forms ------------------------------------------------------------------------


def _store(value) -> Store | None:
    pk = _cursor(value)
    return Store.objects.filter(pk=pk).first() if pk else None


def _product(code) -> Product | None:
    return Product.objects.by_code(code or "")


class StockActionView(StockArea, HtmxPartialMixin, BackofficeFormView):
    """One movement form. While store and product are chosen, htmx asks this same view for
    `#available` (the units there now) with `?_partial=available`."""

    template_name = "inventory/stock_form.html"
    partial_name = None
    store_fields = ("store",)
    intro = ""

    def get_initial(self):
        initial = super().get_initial()
        for name in (*self.store_fields, "product"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def availability(self) -> dict:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        product = _product(data.get("product"))
        rows = []
        for name in self.store_fields:
            store = _store(data.get(name))
            if store is not None and product is not None:
                rows.append(
                    {
                        "label": self.get_form_class().base_fields[name].label,
                        "store": store,
                        "level": selectors.level_figures(store=store, product=product),
                    }
                )
        return {"product": product, "rows": rows}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["available"] = self.availability()
        context["intro"] = self.intro
        return context

    def perform(self, form):
        """The form's fields are the service's arguments: one call, one message. The
        form's hidden key makes a resubmission (lost reply, double click) move nothing."""
        data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}

        def work() -> str:
            result = type(self).service(**data, user=self.request.user)
            messages.success(self.request, self.done_message(result))
            query = urlencode({name: data[name].pk for name in self.store_fields})
            return f"{self.request.path}?{query}"  # same form, same store(s)

        outcome = form_once(request=self.request, work=work)
        if outcome.replayed:
            messages.info(self.request, FORM_REPLAYED)
        self.success_url = outcome.location

    def done_message(self, movement) -> str:
        raise NotImplementedError


class StockReceiveView(StockActionView):
    title = "Receive stock"
    submit_label = "Receive stock"
    form_class = ReceiveForm
    service = staticmethod(services.stock_receive)
    intro = "Goods arrived: add them to a store."

    def done_message(self, m):
        return (
            f"Received {m.quantity} × {m.product_sku} into {m.store.name} at {m.unit_cost} "
            f"each (value {m.value}); now {m.new_quantity}."
        )


class StockRemoveView(StockActionView):
    title = "Remove stock"
    submit_label = "Remove stock"
    form_class = RemoveForm
    service = staticmethod(services.stock_remove)
    intro = "Damaged, lost or expired goods leave the store; the reason is recorded."

    def done_message(self, m):
        return f"Removed {-m.quantity} × {m.product_sku} from {m.store.name}; now {m.new_quantity}."


class StockAdjustView(StockActionView):
    title = "Adjust stock"
    submit_label = "Adjust stock"
    form_class = AdjustForm
    service = staticmethod(services.stock_adjust)
    intro = "Set a level to what was counted; the difference is recorded with its reason."

    def done_message(self, m):
        return (
            f"Adjusted {m.product_sku} in {m.store.name} by {m.quantity:+d}; now {m.new_quantity}."
        )


class StockTransferView(StockActionView):
    title = "Transfer stock"
    submit_label = "Transfer stock"
    form_class = TransferForm
    service = staticmethod(services.stock_transfer)
    store_fields = ("from_store", "to_store")
    intro = "Move units between stores; both sides change together."

    def done_message(self, legs):
        out, into = legs
        return (
            f"Transferred {into.quantity} × {into.product_sku} from {out.store.name} "
            f"(now {out.new_quantity}) to {into.store.name} (now {into.new_quantity})."
        )


# --- opening stock import -----------------------------------------------------------------


class StockImportView(ImportUploadView):
    kind = "opening_stock"
    form_class = OpeningStockImportForm
    detail_url_name = "stock-import-detail"


class StockImportBatchView(ImportBatchView):
    kind = "opening_stock"
    upload_url_name = "stock-import"
