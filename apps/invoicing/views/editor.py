"""The draft invoice editor, with the order entry's feel: one template with partials;
the header and each line save on change (htmx) and only the totals and the changed line's
figures come back, so what is being typed is never overwritten. Enter in a line jumps
back to the "add" box (static/js/order_entry.js)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from apps.core.permissions import AreaRequiredMixin
from apps.finance.selectors import base_currency_code

from .. import services
from ..forms import InvoiceHeaderForm, LineAddForm, LineForm
from ..models import Invoice, InvoiceLine, InvoiceStatus
from ..selectors import invoice_breakdown
from .common import InvoicesArea, add_service_errors

__all__ = ["InvoiceEditorView", "InvoiceLineAddView", "InvoiceLineDeleteView", "InvoiceLineView"]

TEMPLATE = "invoicing/invoice_editor.html"


def _invoice(pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("customer", "currency", "series", "order"), pk=pk
    )


def header_form(invoice: Invoice, data=None) -> InvoiceHeaderForm:
    return InvoiceHeaderForm(
        data,
        initial={
            "issue_date": invoice.issue_date,
            "payment_terms_days": invoice.payment_terms_days,
            "customer_reference": invoice.customer_reference,
            "discount_amount": invoice.discount_amount,
            "billing_name": invoice.billing_name,
            "billing_address": invoice.billing_address,
            "billing_tax_id": invoice.billing_tax_id,
            "terms": invoice.terms,
            "notes": invoice.notes,
        },
        prefix="header",
    )


def editor_context(invoice: Invoice, **extra) -> dict:
    lines = list(invoice.lines.select_related("tax_rate", "order_line"))
    context = {
        "invoice": invoice,
        "title": f"Draft invoice {invoice.pk}",
        "lines": lines,
        "line_forms": [
            (line, LineForm(initial=_line_initial(line), prefix=f"l{line.pk}")) for line in lines
        ],
        "breakdown": invoice_breakdown(invoice),
        "header": extra.pop("header", None) or header_form(invoice),
        "add_form": extra.pop("add_form", None) or LineAddForm(initial={"quantity": "1"}),
        "base_currency": base_currency_code(),
        "can_write": True,
    }
    context.update(extra)
    return context


def _line_initial(line: InvoiceLine) -> dict:
    return {
        "description": line.description,
        "quantity": line.quantity.normalize(),
        "unit_price": line.unit_price,
        "discount_percent": line.discount_percent.normalize(),
        "tax_rate": line.tax_rate_id,
    }


def render_editor(request, invoice: Invoice, *, partial: str | None = "editor", **extra):
    template = TEMPLATE
    if partial and request.htmx:
        template += f"#{partial}"
    return render(request, template, editor_context(invoice, **extra))


class InvoiceEditorView(InvoicesArea, AreaRequiredMixin, View):
    """GET: the editor of a draft. POST: save the header, answer the refreshed editor."""

    need = "write"

    def get(self, request, pk):
        invoice = _invoice(pk)
        if invoice.status != InvoiceStatus.DRAFT:
            messages.info(request, f"Invoice {invoice} is issued; it can no longer be edited.")
            return redirect(invoice)
        return render_editor(request, invoice, partial=None, focus_add=True)

    def post(self, request, pk):
        invoice = _invoice(pk)
        form = header_form(invoice, request.POST)
        if form.is_valid():
            try:
                services.invoice_update(invoice=invoice, user=request.user, **form.changes())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render_editor(request, _invoice(pk), saved=True)
        return render_editor(request, _invoice(pk), header=form)


class InvoiceLineAddView(InvoicesArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        invoice = _invoice(pk)
        form = LineAddForm(request.POST)
        if form.is_valid():
            try:
                services.invoice_line_add(invoice=invoice, user=request.user, **form.line_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render_editor(request, _invoice(pk), saved=True, focus_add=True)
        return render_editor(request, _invoice(pk), add_form=form, focus_add=True)


class InvoiceLineView(InvoicesArea, AreaRequiredMixin, View):
    """POST one line's fields; the answer swaps its figures and the totals (out of band)."""

    need = "write"

    def post(self, request, pk, line_pk):
        invoice = _invoice(pk)
        line = get_object_or_404(InvoiceLine, pk=line_pk, invoice=invoice)
        form = LineForm(request.POST, prefix=f"l{line.pk}")
        error = ""
        if form.is_valid():
            try:
                services.invoice_line_update(line=line, user=request.user, **form.changes())
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = " ".join(
                f"{form.fields[f].label or f.title()}: {' '.join(e)}"
                if f != "__all__"
                else " ".join(e)
                for f, e in form.errors.items()
            )
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("invoice-update", pk=pk)
        invoice = _invoice(pk)
        context = editor_context(invoice, oob=True, saved=not error)
        context["line"] = next((x for x in context["lines"] if x.pk == line.pk), line)
        context["line_error"] = error
        return render(request, f"{TEMPLATE}#line_saved", context)


class InvoiceLineDeleteView(InvoicesArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk, line_pk):
        invoice = _invoice(pk)
        line = get_object_or_404(InvoiceLine, pk=line_pk, invoice=invoice)
        try:
            services.invoice_line_remove(line=line, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if not request.htmx:
            return redirect("invoice-update", pk=pk)
        return render_editor(request, _invoice(pk), saved=True, focus_add=True)
