"""Credit note screens: list, detail, from an invoice (choose lines and quantities), from
a return, issue, delete a draft, email, PDF and XML."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View

from apps.core.audit import events_for
from apps.core.permissions import AreaRequiredMixin
from apps.core.views import BackofficeDetailView, BackofficeFormView, BackofficeListView
from apps.sales.models import Return

from .. import services
from ..filters import CreditNoteFilter
from ..forms import CreditNoteForm
from ..models import CreditNote, InvoiceStatus
from ..services import credited_quantities
from ..tables import CreditNoteTable
from .common import InvoicesArea, file_response
from .invoices import DocumentEmailMixin, InvoiceActionMixin

__all__ = [
    "CreditNoteCreateView",
    "CreditNoteDeleteView",
    "CreditNoteDetailView",
    "CreditNoteEmailView",
    "CreditNoteFileView",
    "CreditNoteFromReturnView",
    "CreditNoteIssueView",
    "CreditNoteListView",
]


def note_queryset():
    return CreditNote.objects.select_related(
        "customer", "currency", "series", "invoice", "return_doc"
    )


class CreditNoteListView(InvoicesArea, BackofficeListView):
    lazy_pages = True
    title = "Credit notes"
    table_class = CreditNoteTable
    filterset_class = CreditNoteFilter
    empty_text = "No credit notes match these filters. Credit notes are made from an issued invoice or a return."

    def get_queryset(self):
        return CreditNote.objects.select_related("customer", "invoice")


class CreditNoteDetailView(InvoicesArea, BackofficeDetailView):
    template_name = "invoicing/credit_note_detail.html"

    def get_queryset(self):
        return note_queryset()

    def get_title(self):
        return f"Credit note {self.object}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        note = self.object
        context.update(
            lines=list(note.lines.all()),
            allocations=list(note.allocations.select_related("invoice")),
            timeline=events_for(note)[:50],
        )
        return context


class CreditNoteCreateView(InvoicesArea, InvoiceActionMixin, BackofficeFormView):
    """From an invoice: choose the lines and quantities to credit."""

    form_class = CreditNoteForm
    template_name = "invoicing/credit_note_form.html"
    submit_label = "Create draft credit note"

    def get_form_kwargs(self):
        credited = credited_quantities(self.invoice)
        lines = [
            (line, line.quantity - credited[line.pk])
            for line in self.invoice.lines.all()
            if line.quantity - credited[line.pk] > 0
        ]
        return {**super().get_form_kwargs(), "lines": lines}

    def get(self, request, *args, **kwargs):
        if self.invoice.status != InvoiceStatus.ISSUED:
            messages.error(request, f"Invoice {self.invoice} is not issued; nothing to credit.")
            return redirect(self.invoice)
        return super().get(request, *args, **kwargs)

    def get_title(self):
        return f"Credit note for invoice {self.invoice}"

    def perform(self, form):
        return services.credit_note_create(
            invoice=self.invoice,
            reason=form.cleaned_data["reason"],
            quantities=form.quantities(),
            user=self.request.user,
        )

    def get_success_url(self):
        messages.success(self.request, "Draft credit note created; check it and issue it.")
        return self.object.get_absolute_url()


class CreditNoteFromReturnView(InvoicesArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        return_doc = get_object_or_404(Return, pk=pk)
        try:
            notes = services.credit_note_create_from_return(
                return_doc=return_doc, user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(return_doc)
        notes = notes if isinstance(notes, list | tuple) else [notes]
        messages.success(request, f"{len(notes)} draft credit note(s) created from {return_doc}.")
        return redirect(notes[0] if len(notes) == 1 else reverse("credit-note-list"))


class NoteMixin:
    @cached_property
    def note(self) -> CreditNote:
        return get_object_or_404(note_queryset(), pk=self.kwargs["pk"])


class CreditNoteIssueView(InvoicesArea, NoteMixin, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        try:
            note = services.credit_note_issue(credit_note=self.note, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.note)
        messages.success(request, f"Credit note {note.number} issued and applied.")
        return redirect(note)


class CreditNoteDeleteView(InvoicesArea, NoteMixin, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        invoice = self.note.invoice
        try:
            services.credit_note_delete(credit_note=self.note, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.note)
        messages.success(request, "Draft credit note deleted.")
        return redirect(invoice)


class CreditNoteEmailView(InvoicesArea, NoteMixin, DocumentEmailMixin, BackofficeFormView):
    def document(self):
        return self.note


class CreditNoteFileView(InvoicesArea, AreaRequiredMixin, View):
    fmt = "pdf"

    def get(self, request, pk):
        note = get_object_or_404(note_queryset(), pk=pk)
        return file_response(note, self.fmt, archived=request.GET.get("archived") == "1")
