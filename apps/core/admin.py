from django.contrib import admin

from .models import AuditEvent, BooksCheckRun, CompanySettings


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
