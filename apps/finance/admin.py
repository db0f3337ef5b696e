from django.contrib import admin

from apps.core.admin import SoftDeleteAdmin

from .models import Currency, ExchangeRate, TaxRate


@admin.register(Currency)
class CurrencyAdmin(SoftDeleteAdmin):
    list_display = ("code", "name", "symbol", "minor_units", "active")
    search_fields = ("code", "name")
    list_filter = ("active",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SoftDeleteAdmin):
    list_display = ("date", "currency", "rate")
    list_filter = ("currency",)
    date_hierarchy = "date"


@admin.register(TaxRate)
class TaxRateAdmin(SoftDeleteAdmin):
    list_display = ("name", "rate", "active")
