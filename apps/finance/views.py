from django.urls import reverse_lazy

from apps.accounts.roles import Area
from apps.core.views import (
    BackofficeCreateView,
    BackofficeListView,
    BackofficeUpdateView,
    SoftDeleteView,
)

from .filters import CurrencyFilter, ExchangeRateFilter, TaxRateFilter
from .forms import CurrencyForm, ExchangeRateForm, TaxRateForm
from .models import Currency, ExchangeRate, TaxRate
from .tables import CurrencyTable, ExchangeRateTable, TaxRateTable


class FinanceArea:
    area = Area.FINANCE


class CurrencyListView(FinanceArea, BackofficeListView):
    model = Currency
    title = "Currencies"
    table_class = CurrencyTable
    filterset_class = CurrencyFilter
    create_url_name = "currency-create"
    create_label = "New currency"


class CurrencyCreateView(FinanceArea, BackofficeCreateView):
    model = Currency
    form_class = CurrencyForm
    title = "New currency"
    success_message = "Currency {object} added."
    cancel_url_name = "currency-list"
    success_url = reverse_lazy("currency-list")


class CurrencyUpdateView(FinanceArea, BackofficeUpdateView):
    model = Currency
    form_class = CurrencyForm
    success_message = "Currency {object} saved."
    cancel_url_name = "currency-list"
    success_url = reverse_lazy("currency-list")


class ExchangeRateListView(FinanceArea, BackofficeListView):
    title = "Exchange rates"
    table_class = ExchangeRateTable
    filterset_class = ExchangeRateFilter
    create_url_name = "exchangerate-create"
    create_label = "New exchange rate"

    def get_queryset(self):
        return ExchangeRate.objects.select_related("currency")


class ExchangeRateCreateView(FinanceArea, BackofficeCreateView):
    model = ExchangeRate
    form_class = ExchangeRateForm
    title = "New exchange rate"
    success_message = "Rate {object} recorded."
    cancel_url_name = "exchangerate-list"
    success_url = reverse_lazy("exchangerate-list")


class ExchangeRateUpdateView(FinanceArea, BackofficeUpdateView):
    model = ExchangeRate
    form_class = ExchangeRateForm
    success_message = "Rate {object} saved."
    cancel_url_name = "exchangerate-list"
    success_url = reverse_lazy("exchangerate-list")


class TaxRateListView(FinanceArea, BackofficeListView):
    model = TaxRate
    title = "Tax rates"
    table_class = TaxRateTable
    filterset_class = TaxRateFilter
    create_url_name = "taxrate-create"
    create_label = "New tax rate"


class TaxRateCreateView(FinanceArea, BackofficeCreateView):
    model = TaxRate
    form_class = TaxRateForm
    title = "New tax rate"
    success_message = "Tax rate {object} added."
    cancel_url_name = "taxrate-list"
    success_url = reverse_lazy("taxrate-list")


class TaxRateUpdateView(FinanceArea, BackofficeUpdateView):
    model = TaxRate
    form_class = TaxRateForm
    template_name = "finance/taxrate_form.html"
    success_message = "Tax rate {object} saved."
    cancel_url_name = "taxrate-list"
    success_url = reverse_lazy("taxrate-list")


class TaxRateDeleteView(FinanceArea, SoftDeleteView):
    model = TaxRate
    success_url_name = "taxrate-list"
