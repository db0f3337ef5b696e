"""Django admin for stores; levels and movements are read-only (they change only through
apps.inventory.services, which keep them equal to the ledger)."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin, SoftDeleteAdmin

from .models import StockLevel, StockMovement, Store


@admin.register(Store)
class StoreAdmin(SoftDeleteAdmin):
    list_display = ("name", "code", "contact_name", "phone", "active")
    list_filter = ("active",)
    search_fields = ("name", "code")


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("store", "product", "quantity", "unit_cost", "value", "updated_at")
    list_filter = ("store",)
    search_fields = ("product__sku", "product__name")
    list_select_related = ("store", "product")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "movement_type",
        "store",
        "product_sku",
        "quantity",
        "new_quantity",
        "unit_cost",
        "value",
        "reason",
        "reference",
        "user",
    )
    list_filter = ("movement_type", "store", "reason")
    search_fields = ("product_sku", "reference")
    list_select_related = ("store", "user")
    show_full_result_count = False  # no COUNT(*) over the whole ledger
