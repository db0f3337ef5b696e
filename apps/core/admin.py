"""Django admin: a maintenance window, never a way around the books.

Financial models (BOOKS_MODELS) are read-only here: they change only through the app's
own screens and services, which keep them equal to the ledger (issue 12). A system check
(core.E001) fails if one is ever registered with a writable ModelAdmin. django-q2's models
are not in the admin: schedules come from backoffice/schedules.py and the Jobs page.
"""

from django.contrib import admin
from django.core import checks

from .models import AuditEvent, BooksCheckRun, CompanySettings

# app_label or app_label.model_name (lower case).
BOOKS_MODELS = (
    "ledger",
    "credit",
    "sales",
    "invoicing",
    "inventory.stocklevel",
    "inventory.stockmovement",
)


def is_books_model(model) -> bool:
    meta = model._meta
    return meta.app_label in BOOKS_MODELS or f"{meta.app_label}.{meta.model_name}" in BOOKS_MODELS


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers and histories: look, never touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@checks.register(checks.Tags.admin)
def books_models_read_only(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"{model._meta.label} is a financial model registered in the admin with "
            f"{type(model_admin).__name__}, which can write.",
            hint="Subclass apps.core.admin.ReadOnlyAdmin or do not register it.",
            id="core.E001",
        )
        for model, model_admin in admin.site._registry.items()
        if is_books_model(model) and not isinstance(model_admin, ReadOnlyAdmin)
    ]


def _unregister_job_queue() -> None:
    from django_q import models as q_models

    for model in (q_models.Schedule, q_models.Success, q_models.Failure, q_models.OrmQ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_job_queue()


class SoftDeleteAdmin(admin.ModelAdmin):
    """Shows deleted rows too (filter "deleted"), with restore and trash actions."""

    actions = ["restore_selected", "trash_selected"]

    def get_queryset(self, request):
        return self.model.all_objects.all()

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), ("deleted_at", admin.EmptyFieldListFilter))

    @admin.action(description="Restore selected from the trash")
    def restore_selected(self, request, queryset):
        for obj in queryset:
            obj.restore()

    @admin.action(description="Move selected to the trash")
    def trash_selected(self, request, queryset):
        for obj in queryset:
            obj.soft_delete()


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    list_display = ("name", "base_currency", "tax_id")
    # changed on the company settings page, whose service moves the low/out counters
    readonly_fields = ("default_low_stock_threshold",)

    def has_add_permission(self, request):
        return not CompanySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "actor_repr", "ip_address", "action", "event", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "event", "actor_repr", "message")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BooksCheckRun)
class BooksCheckRunAdmin(AuditEventAdmin):
    list_display = ("ran_at", "ok", "duration_ms", "triggered_by")
    list_filter = ("ok",)
    search_fields = ("triggered_by",)
    date_hierarchy = "ran_at"
