from django.contrib import admin

from .models import Account, JournalEntry, JournalLine


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "type", "currency", "parent", "balance", "active")
    list_filter = ("type", "active", "is_group")
    search_fields = ("code", "name")
    readonly_fields = ("balance",)

    def has_delete_permission(self, request, obj=None):
        return False


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    extra = 0
    can_delete = False
    readonly_fields = ("account", "debit", "credit", "base_debit", "base_credit", "memo")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    """Read-only: posted entries are immutable; corrections are reversals."""

    list_display = ("date", "memo", "reference", "currency", "posted_by", "posted_at")
    date_hierarchy = "date"
    search_fields = ("memo", "reference")
    inlines = [JournalLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
