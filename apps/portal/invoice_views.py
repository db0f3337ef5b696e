"""Customer portal: its own invoices and credit notes (PDF and XML), its payments and
credit, and a statement.

Everything is filtered by the customer linked to the login before anything else; another
customer's document answers 404, exactly like one that does not exist (DESIGN.md §7).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.roles import Area
from apps.core.models import CompanySettings
from apps.invoicing.forms import StatementForm
from apps.invoicing.models import CreditNote, Invoice, Payment
from apps.invoicing.printing import statement_pdf
from apps.invoicing.selectors import (
    customer_receivable,
    customer_statement,
    statement_currencies,
    with_balances,
)
from apps.invoicing.selectors_payments import with_credit
from apps.invoicing.tables import status_badge, status_of
from apps.invoicing.views.common import file_response

from .customer_views import CustomerPortalMixin


class PortalInvoicesMixin(CustomerPortalMixin):
    area = Area.INVOICES
    need = "own"


class PortalInvoiceListView(PortalInvoicesMixin, TemplateView):
    template_name = "portal/invoices/invoice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "My invoices"
        if self.customer is not None:
            today = CompanySettings.load().today()
            invoices = list(
                with_balances(Invoice.objects.issued().filter(customer=self.customer)).order_by(
                    "-issue_date", "-id"
                )[:200]
            )
            context["invoices"] = [(i, status_badge(status_of(i, today))) for i in invoices]
            context["payments"] = list(
                with_credit(Payment.objects.filter(customer=self.customer))
                .select_related("currency")
                .prefetch_related("allocations__invoice")
                .order_by("-date", "-id")[:200]
            )
            context["credit"] = customer_receivable(self.customer).unapplied_credit
            context["base_currency"] = CompanySettings.load().base_currency
            context["credit_notes"] = list(
                CreditNote.objects.issued()
                .filter(customer=self.customer)
                .select_related("invoice")
                .order_by("-issue_date", "-id")[:200]
            )
        return context


class PortalDocumentFileView(PortalInvoicesMixin, View):
    """PDF or XML of one of the customer's own issued documents; anything else is 404."""

    model = Invoice
    fmt = "pdf"

    def get(self, request, pk):
        customer = self.require_customer()
        queryset = self.model.objects.issued().filter(customer=customer)
        document = get_object_or_404(queryset.select_related("customer", "currency"), pk=pk)
        return file_response(document, self.fmt)


def _period(request, customer) -> tuple[StatementForm, dict]:
    """The statement's period and currency from the query (default: this year, in the
    customer's own currency)."""
    today = CompanySettings.load().today()
    default = {
        "start": today.replace(month=1, day=1),
        "end": today,
        "currency": customer.currency_id,
    }
    form = StatementForm(
        {**default, **request.GET.dict()} if request.GET else default,
        currencies=statement_currencies(customer),
    )
    if form.is_valid():
        return form, form.cleaned_data
    return form, default


class PortalStatementView(PortalInvoicesMixin, TemplateView):
    """The account statement for a period, as a page or (?format=pdf) a PDF."""

    template_name = "portal/invoices/statement.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "pdf":
            customer = self.require_customer()
            _form, period = _period(request, customer)
            statement = customer_statement(customer, **period)
            start, end = statement.start, statement.end
            response = HttpResponse(
                statement_pdf(statement, customer), content_type="application/pdf"
            )
            response["Content-Disposition"] = (
                f'inline; filename="statement-{customer.code}-{start}-{end}.pdf"'
            )
            response["Cache-Control"] = "private, no-store"
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "My statement"
        if self.customer is None:
            raise Http404("This login is not linked to a customer.")
        form, period = _period(self.request, self.customer)
        context["form"] = form
        context["statement"] = customer_statement(self.customer, **period)
        return context
