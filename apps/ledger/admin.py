from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Account, JournalEntry, JournalLine


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    """Read-only: accounts are managed on /ledger/ (which refuses to retype a used one)."""

    list_display = ("code", "name", "type", "currency", "parent", "balance", "active")
    list_filter = ("type", "active", "is_group")
    search_fields = ("code", "name")


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    extra = 0
    can_delete = False
    readonly_fields = ("account", "debit", "credit", "base_debit", "base_credit", "memo")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    """Read-only: posted entries are immutable; corrections are reversals."""

    list_display = ("date", "memo", "reference", "currency", "posted_by", "posted_at")
    date_hierarchy = "date"
    search_fields = ("memo", "reference")
    inlines = [JournalLineInline]
