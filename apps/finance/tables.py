import django_tables2 as tables

from apps.core.tables import Table

from .models import Currency, ExchangeRate, TaxRate


class CurrencyTable(Table):
    code = tables.Column(linkify=True, verbose_name="Code")

    class Meta:
        model = Currency
        fields = ("code", "name", "symbol", "minor_units", "active")
        attrs = {"class": "table table-hover align-middle"}


class ExchangeRateTable(Table):
    date = tables.DateColumn(linkify=True, format="Y-m-d")

    class Meta:
        model = ExchangeRate
        fields = ("date", "currency", "rate")
        attrs = {"class": "table table-hover align-middle"}


class TaxRateTable(Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = TaxRate
        fields = ("name", "rate", "active")
        attrs = {"class": "table table-hover align-middle"}
