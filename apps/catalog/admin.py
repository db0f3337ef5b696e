"""Django admin for the catalog. Prices change on the product screen only, where every
change writes its ProductPriceRecord; here they are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.core.admin import ReadOnlyAdmin, SoftDeleteAdmin

from .models import Category, ImportBatch, Product, ProductPriceRecord
from .services import product_delete


@admin.register(Category)
class CategoryAdmin(SoftDeleteAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(Product)
class ProductAdmin(SoftDeleteAdmin):
    list_display = ("sku", "name", "category", "selling_price", "currency", "active")
    list_filter = ("active", "category", "currency")
    search_fields = ("sku", "name", "barcode")
    # Prices, thresholds and the active flag change through the product screen's service
    # (price history, the stores' low/out counters), the trash through the actions here.
    readonly_fields = ("cost_price", "selling_price", "currency", "low_stock_threshold", "active")

    def has_add_permission(self, request):
        return False  # create on /catalog/products/new/ (writes the first price record)

    @admin.action(description="Move selected to the trash (refused while in stock)")
    def trash_selected(self, request, queryset):
        for product in queryset:
            try:
                product_delete(product=product)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)


@admin.register(ProductPriceRecord)
class ProductPriceRecordAdmin(ReadOnlyAdmin):
    list_display = ("product", "changed_at", "old_price", "new_price", "new_cost", "currency")
    search_fields = ("product__sku",)
    date_hierarchy = "changed_at"


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "file_name", "status", "row_count", "created_by", "created_at")
    list_filter = ("kind", "status")
