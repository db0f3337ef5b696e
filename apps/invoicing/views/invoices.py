"""Invoice screens: list, detail with timeline, free invoice, invoice an order, issue,
void, delete a draft, email, PDF and XML (DESIGN.md §8, §11). Views parse a form, call
one service and render; the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View

from apps.core.audit import events_for
from apps.core.models import CompanySettings
from apps.core.permissions import AreaRequiredMixin
from apps.core.querycache import built_once
from apps.core.views import BackofficeDetailView, BackofficeFormView, BackofficeListView
from apps.finance.selectors import base_currency_code
from apps.sales.models import Order

from .. import services
from ..filters import InvoiceFilter
from ..forms import EmailForm, FromOrderForm, InvoiceCreateForm, VoidForm
from ..models import Invoice, InvoiceStatus
from ..selectors import invoice_breakdown, invoiceable_quantities, with_balances
from ..services.dunning import next_level
from ..tables import InvoiceTable, status_badge, status_of
from .common import InvoicesArea, file_response

__all__ = [
    "InvoiceCreateView",
    "InvoiceDeleteView",
    "InvoiceDetailView",
    "InvoiceEmailView",
    "InvoiceFileView",
    "InvoiceFromOrderView",
    "InvoiceIssueView",
    "InvoiceListView",
    "InvoiceVoidView",
]


class InvoiceListView(InvoicesArea, BackofficeListView):
    lazy_pages = True
    title = "Invoices"
    template_name = "invoicing/invoice_list.html"
    table_class = InvoiceTable
    filterset_class = InvoiceFilter
    create_url_name = "invoice-create"
    create_label = "New invoice"
    empty_text = (
        "No invoices match these filters. Invoice a confirmed order or start a free invoice."
    )

    def get_queryset(self):  # the balances' subqueries built once per process
        return built_once(
            ("invoicing.invoice-list",),
            lambda: with_balances(Invoice.objects.select_related("customer", "series")),
        )


def invoice_queryset():
    return Invoice.objects.select_related("customer", "currency", "series", "order", "issued_by")


class InvoiceDetailView(InvoicesArea, BackofficeDetailView):
    template_name = "invoicing/invoice_detail.html"

    def get_queryset(self):
        return with_balances(invoice_queryset())

    def get_title(self):
        return f"Invoice {self.object}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        context.update(
            lines=list(invoice.lines.all()),
            breakdown=invoice_breakdown(invoice),
            credit_notes=list(invoice.credit_notes.all()),
            allocations=list(invoice.allocations.select_related("credit_note", "payment")),
            timeline=events_for(invoice)[:50],
            reminders=list(invoice.reminders.select_related("level", "fee_invoice")),
            next_reminder=next_level(invoice) if status_of(invoice) == "overdue" else None,
            status=status_of(invoice),
            status_badge=status_badge(status_of(invoice)),
            company=CompanySettings.load(),
            base_currency=base_currency_code(),
        )
        return context


class InvoiceCreateView(InvoicesArea, BackofficeFormView):
    """A free invoice (services, fees): pick the customer, then add lines in the editor."""

    form_class = InvoiceCreateForm
    title = "New invoice"
    submit_label = "Create draft invoice"
    cancel_url_name = "invoice-list"

    def get_initial(self):
        initial = {}
        code = self.request.GET.get("customer")
        if code:
            initial["customer"] = code
        return initial

    def perform(self, form):
        data = form.cleaned_data
        return services.invoice_create(
            customer=data["customer"],
            currency=data["currency"],
            series=data["series"],
            issue_date=data["issue_date"],
            user=self.request.user,
        )

    def get_success_url(self):
        return reverse("invoice-update", args=[self.object.pk])


class InvoiceFromOrderView(InvoicesArea, BackofficeFormView):
    """'Invoice this order': the confirmed order's uninvoiced units, editable per line."""

    form_class = FromOrderForm
    template_name = "invoicing/invoice_from_order.html"
    submit_label = "Create draft invoice"

    @cached_property
    def order(self) -> Order:
        return get_object_or_404(
            Order.objects.select_related("customer", "currency"), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        lines = list(self.order.lines.all())
        left = invoiceable_quantities(lines)
        return {
            **super().get_form_kwargs(),
            "lines": [(line, left[line.pk]) for line in lines if left[line.pk] > 0],
        }

    def get_title(self):
        return f"Invoice order {self.order.number}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["order"] = self.order
        context["cancel_url"] = self.order.get_absolute_url()
        return context

    def perform(self, form):
        return services.invoice_create_from_order(
            order=self.order,
            quantities=form.quantities(),
            series=form.cleaned_data["series"],
            user=self.request.user,
        )

    def get_success_url(self):
        messages.success(self.request, f"Draft invoice of order {self.order.number} created.")
        return reverse("invoice-update", args=[self.object.pk])


class InvoiceActionMixin:
    @cached_property
    def invoice(self) -> Invoice:
        return get_object_or_404(invoice_queryset(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invoice"] = context["document"] = self.invoice
        context["cancel_url"] = self.invoice.get_absolute_url()
        return context


class InvoiceIssueView(InvoicesArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        invoice = get_object_or_404(Invoice, pk=pk)
        try:
            invoice = services.invoice_issue(invoice=invoice, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            if invoice.status == InvoiceStatus.DRAFT:
                return redirect("invoice-update", pk=pk)
            return redirect(invoice)
        messages.success(
            request,
            f"Invoice {invoice.number} issued: {invoice.total} {invoice.currency_id} posted "
            "to the books; its PDF is archived.",
        )
        return redirect(invoice)


class InvoiceVoidView(InvoicesArea, InvoiceActionMixin, BackofficeFormView):
    """Ask for the reason first: voiding issues a credit note for the whole invoice."""

    form_class = VoidForm
    template_name = "invoicing/invoice_confirm.html"
    submit_label = "Void invoice"
    danger = True

    def get_title(self):
        return f"Void invoice {self.invoice}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["explanation"] = (
            "An issued invoice is never deleted. Voiding issues a credit note for everything "
            "not yet credited, applied to the invoice's open balance, and marks it void."
        )
        context["danger"] = True
        return context

    def perform(self, form):
        return services.invoice_void(
            invoice=self.invoice, reason=form.cleaned_data["reason"], user=self.request.user
        )

    def get_success_url(self):
        messages.success(self.request, f"Invoice {self.invoice} voided.")
        return self.invoice.get_absolute_url()


class InvoiceDeleteView(InvoicesArea, InvoiceActionMixin, AreaRequiredMixin, View):
    """GET asks for confirmation; POST deletes the draft (issued invoices are voided)."""

    need = "write"

    def get(self, request, pk):
        return render(
            request,
            "invoicing/invoice_confirm.html",
            {
                "title": f"Delete draft invoice {self.invoice}",
                "invoice": self.invoice,
                "document": self.invoice,
                "explanation": "The draft and its lines are deleted. It has no number yet, so "
                "no gap is left in the numbering.",
                "submit_label": "Delete draft",
                "danger": True,
                "cancel_url": self.invoice.get_absolute_url(),
            },
        )

    def post(self, request, pk):
        try:
            services.invoice_delete(invoice=self.invoice, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.invoice)
        messages.success(request, f"Draft invoice {self.invoice} deleted.")
        return redirect("invoice-list")


class DocumentEmailMixin:
    form_class = EmailForm
    template_name = "invoicing/invoice_confirm.html"
    submit_label = "Send email"

    def document(self):
        raise NotImplementedError

    def get_initial(self):
        doc = self.document()
        return {"to": doc.sent_to or doc.customer.email}

    def get_title(self):
        return f"Email {self.document()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["explanation"] = (
            "The PDF is attached. The sent date and the recipient are kept on the timeline."
        )
        context["cancel_url"] = self.document().get_absolute_url()
        context["document"] = self.document()
        return context

    def perform(self, form):
        services.document_email_send(
            document=self.document(),
            to=form.cleaned_data["to"],
            message=form.cleaned_data["message"],
            user=self.request.user,
        )
        return self.document()

    def get_success_url(self):
        messages.success(
            self.request, f"{self.document()} is on its way to {self.request.POST.get('to')}."
        )
        return self.document().get_absolute_url()


class InvoiceEmailView(InvoicesArea, InvoiceActionMixin, DocumentEmailMixin, BackofficeFormView):
    def document(self):
        return self.invoice


class InvoiceFileView(InvoicesArea, AreaRequiredMixin, View):
    """PDF (as it stands: stamped when draft, void or paid; ?archived=1 for the stored
    copy) or the bare Factur-X XML. Readers of invoices only; never a /media/ URL."""

    fmt = "pdf"

    def get(self, request, pk):
        invoice = get_object_or_404(invoice_queryset(), pk=pk)
        return file_response(invoice, self.fmt, archived=request.GET.get("archived") == "1")
