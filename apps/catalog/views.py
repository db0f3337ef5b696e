from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from apps.accounts.roles import Area
from apps.core.permissions import AreaRequiredMixin
from apps.core.querycache import built_once
from apps.core.views import (
    BackofficeCreateView,
    BackofficeDetailView,
    BackofficeFormView,
    BackofficeListView,
    BackofficeUpdateView,
    HtmxPartialMixin,
    PageContextMixin,
    SoftDeleteView,
    csv_response,
)
from apps.finance.selectors import with_base_value

from . import hooks, services
from .filters import CategoryFilter, ProductFilter
from .forms import CategoryForm, ImportForm, ProductForm
from .imports import ProductImporter, import_preview, import_start, importer_for
from .models import Category, ImportBatch, ImportStatus, Product
from .selectors import categories_with_counts, product_suggestions
from .tables import CategoryTable, ProductTable


class CatalogArea:
    area = Area.CATALOG


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ProductListView(CatalogArea, BackofficeListView):
    title = "Products"
    lazy_pages = True
    template_name = "catalog/product_list.html"
    table_class = ProductTable
    filterset_class = ProductFilter
    create_url_name = "product-create"
    create_label = "New product"
    empty_text = "No products match these filters."

    def get_queryset(self):
        store_id, stock = self.stock_store_id, hooks.stock

        def build():
            queryset = with_base_value(
                # No joins: the rows' category names and currencies' minor units come
                # from the kept reference lists (ProductTable.rows_html).
                Product.objects.all(),
                amount="selling_price",
                currency="currency_id",
                name="price_base",
                as_of=timezone.localdate(),
            )
            if stock:
                queryset = stock.annotate_products(queryset, store_id=store_id)
            return queryset

        return built_once(("catalog.products", stock is not None, store_id), build)

    def get_table_data(self):
        """The page's rows with only the columns the table writes: 7 of the product's 21
        (no timestamps, notes or descriptions decoded)."""
        return super().get_table_data().only(*ProductTable.ROW_FIELDS)

    @property
    def stock_store_id(self) -> int | None:
        """The store whose stock the list shows (all stores: None)."""
        return _int_or_none(self.request.GET.get("store")) or None

    def get_table_kwargs(self):
        with_stock = hooks.stock is not None
        return {
            **super().get_table_kwargs(),
            "with_stock": with_stock,
            "stock_store_id": self.stock_store_id if with_stock else None,
        }

    def export_csv(self):
        """The filtered products in the import format (plus on_hand): edit and re-import."""
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        queryset = queryset.select_related("category", "tax_rate").order_by("name", "id")
        with_stock = hooks.stock is not None
        columns = ProductImporter().columns  # the same file imports back

        def rows():
            yield columns + (("on_hand",) if with_stock else ())
            for p in queryset.iterator(chunk_size=2000):
                values = {
                    "sku": p.sku,
                    "name": p.name,
                    "cost_price": p.cost_price,
                    "selling_price": p.selling_price,
                    "category": p.category.name if p.category else "",
                    "barcode": p.barcode,
                    "currency": p.currency_id,
                    "tax_rate": p.tax_rate.name if p.tax_rate else "",
                    "low_stock_threshold": ""
                    if p.low_stock_threshold is None
                    else p.low_stock_threshold,
                    "active": "yes" if p.active else "no",
                    "description": p.description,
                }
                yield tuple(values[c] for c in columns) + ((p.on_hand,) if with_stock else ())

        return csv_response("products", rows())


class ProductDetailView(CatalogArea, BackofficeDetailView):
    template_name = "catalog/product_detail.html"

    def get_queryset(self):
        # Deleted products stay reachable: old movements and orders link here.
        return Product.all_objects.select_related("category", "currency", "tax_rate")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = self.object
        records = list(product.price_records.select_related("changed_by")[:200])
        context["price_records"] = records
        context["chart"] = {
            "labels": [r.changed_at.strftime("%Y-%m-%d") for r in reversed(records)],
            "price": [str(r.new_price) for r in reversed(records)],
            "cost": [str(r.new_cost) for r in reversed(records)],
            "currency": product.currency_id,
        }
        if hooks.stock and self.can("read", Area.STOCK):
            context["stock_rows"] = hooks.stock.product_stock(product)
            context["on_hand"] = sum(row["quantity"] for row in context["stock_rows"])
            context["movements"] = hooks.stock.recent_movements(product)
            # not this page's own product, nor the unit cost (value / quantity): the grid
            # fits a 1280 px screen without breaking its words
            context["movements_hidden"] = frozenset({"product", "unit_cost"})
            context["can_move_stock"] = self.can("write", Area.STOCK) and not product.is_deleted
        return context


def _product_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


class ProductCreateView(CatalogArea, BackofficeCreateView):
    model = Product
    form_class = ProductForm
    title = "New product"
    submit_label = "Create product"
    success_message = "Product {object} created."
    cancel_url_name = "product-list"

    def perform(self, form):
        return services.product_create(user=self.request.user, **_product_fields(form))

    def get_success_url(self):
        return self.object.get_absolute_url()


class ProductUpdateView(CatalogArea, BackofficeUpdateView):
    model = Product
    form_class = ProductForm
    success_message = "Product {object} saved."

    def perform(self, form):
        return services.product_update(
            product=self.object, user=self.request.user, **_product_fields(form)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.object.get_absolute_url()
        return context

    def get_success_url(self):
        return self.object.get_absolute_url()


class GuardedSoftDeleteView(SoftDeleteView):
    """The shared confirm-then-trash page, with the trashing done by a service that may
    refuse (its reason becomes a message on the object's page)."""

    def trash(self, obj) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            self.trash(self.object)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.cancel_url())
        messages.success(request, f"{self.object} moved to the trash; its history is kept.")
        return redirect(self.success_url_name)


class ProductDeleteView(CatalogArea, GuardedSoftDeleteView):
    model = Product
    success_url_name = "product-list"

    def trash(self, obj):
        services.product_delete(product=obj)


class ProductLookupView(CatalogArea, AreaRequiredMixin, View):
    """<option>s for a product <datalist>: type a SKU, barcode or name, pick a product."""

    def get(self, request):
        text = request.GET.get("q") or request.GET.get("product") or ""
        products = product_suggestions(text)
        return render(request, "catalog/_product_options.html", {"products": products})


class CategoryListView(CatalogArea, BackofficeListView):
    title = "Categories"
    table_class = CategoryTable
    filterset_class = CategoryFilter
    create_url_name = "category-create"
    create_label = "New category"
    empty_text = "No categories yet."

    def get_queryset(self):
        return categories_with_counts()


class CategoryCreateView(CatalogArea, BackofficeCreateView):
    model = Category
    form_class = CategoryForm
    title = "New category"
    submit_label = "Create category"
    success_message = "Category {object} created."
    cancel_url_name = "category-list"

    success_url_name = "category-list"


class CategoryUpdateView(CatalogArea, BackofficeUpdateView):
    model = Category
    form_class = CategoryForm
    template_name = "catalog/category_form.html"
    success_message = "Category {object} saved."
    cancel_url_name = "category-list"

    success_url_name = "category-list"


class CategoryDeleteView(CatalogArea, GuardedSoftDeleteView):
    model = Category
    success_url_name = "category-list"

    def trash(self, obj):
        services.category_delete(category=obj)


# --- CSV import (shared by the catalog and inventory) -------------------------------------


class ImportUploadView(BackofficeFormView):
    """Upload a CSV; it is checked and shown row by row before anything is written."""

    kind = ""
    template_name = "catalog/import_upload.html"
    form_class = ImportForm
    submit_label = "Upload and preview"
    detail_url_name = ""

    def dispatch(self, request, *args, **kwargs):
        self.importer = importer_for(self.kind)
        self.area = self.importer.area
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return self.importer.title

    def get(self, request, *args, **kwargs):
        if request.GET.get("_template") == "csv":
            return csv_response(
                f"{self.kind}-template",
                [self.importer.columns, self.importer.example],
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["importer"] = self.importer
        context["batches"] = ImportBatch.objects.filter(kind=self.kind).select_related(
            "created_by"
        )[:10]
        context["detail_url_name"] = self.detail_url_name
        return context

    def perform(self, form):
        return import_preview(
            kind=self.kind,
            upload=form.cleaned_data["file"],
            user=self.request.user,
            reference=form.cleaned_data.get("reference", ""),
        )

    def get_success_url(self):
        return reverse(self.detail_url_name, args=[self.object.pk])


class ImportBatchView(AreaRequiredMixin, PageContextMixin, HtmxPartialMixin, DetailView):
    """The preview (rows, errors) and, once applied, the outcome. POST applies it."""

    kind = ""
    need = "write"
    template_name = "catalog/import_batch.html"
    partial_name = "status"
    upload_url_name = ""
    context_object_name = "batch"

    def dispatch(self, request, *args, **kwargs):
        self.importer = importer_for(self.kind)
        self.area = self.importer.area
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return ImportBatch.objects.filter(kind=self.kind)

    def get_title(self):
        return f"Import #{self.object.pk}: {self.importer.title.lower().removeprefix('import ')}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upload_url"] = reverse(self.upload_url_name)
        batch = self.object
        failed = batch.status in (ImportStatus.INVALID, ImportStatus.FAILED) and batch.errors
        context["shown_rows"] = (batch.errors if failed else batch.preview)[:500]
        context["summary_text"] = ", ".join(
            f"{key.replace('_', ' ')} {value}"
            for key, value in batch.summary.items()
            if key != "message"
        )
        context["running"] = self.object.status == ImportStatus.RUNNING
        return context

    def post(self, request, *args, **kwargs):
        batch = self.get_object()
        if not import_start(batch=batch, user=request.user):
            messages.error(request, "This import is not ready to apply (already applied?).")
            return redirect(request.path)
        # No flash message: the status region says "applying" and then "applied" by itself
        # (a message saying "being applied" next to "Applied" contradicted it).
        return redirect(request.path)


class ProductImportView(ImportUploadView):
    kind = "products"
    detail_url_name = "product-import-detail"


class ProductImportBatchView(ImportBatchView):
    kind = "products"
    upload_url_name = "product-import"
