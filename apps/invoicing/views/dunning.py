"""Dunning screens: reminders sent (with the levels above), level forms, tomorrow's run,
and "Send reminder now" on an invoice. The services decide (apps/invoicing/services/dunning.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from apps.core.permissions import AreaRequiredMixin
from apps.core.views import BackofficeFormView, BackofficeListView, PageContextMixin

from .. import services
from ..filters import ReminderFilter
from ..forms import DunningLevelForm
from ..models import DunningLevel, Invoice, Reminder
from ..services.dunning import company_today, next_level
from ..tables import ReminderTable
from .common import InvoicesArea

__all__ = [
    "DunningLevelCreateView",
    "DunningLevelUpdateView",
    "DunningListView",
    "DunningPreviewView",
    "InvoiceRemindView",
]


class DunningListView(InvoicesArea, BackofficeListView):
    title = "Dunning"
    template_name = "invoicing/dunning_list.html"
    table_class = ReminderTable
    filterset_class = ReminderFilter
    create_url_name = "dunning-level-create"
    create_label = "New level"
    export_filename = "reminders"
    empty_text = "No reminder sent yet. The daily job sends each level once it is due."

    def get_queryset(self):
        return Reminder.objects.select_related(
            "invoice__customer", "invoice__currency", "level", "fee_invoice"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["levels"] = list(DunningLevel.objects.order_by("days_after_due"))
        return context


class DunningLevelFormMixin(InvoicesArea):
    form_class = DunningLevelForm
    cancel_url_name = "dunning-list"

    def get_success_url(self):
        messages.success(self.request, f"Dunning level {self.object.name} saved.")
        return reverse("dunning-list")


class DunningLevelCreateView(DunningLevelFormMixin, BackofficeFormView):
    title = "New dunning level"
    submit_label = "Create level"

    def get_initial(self):
        return {
            "subject": "Reminder: invoice {number} is {days_overdue} days overdue",
            "body": "Dear {customer},\n\nour invoice {number} of {issue_date} was due on "
            "{due_date}; {open_amount} {currency} is still open. Please pay it at your "
            "earliest convenience. The invoice is attached.\n\nKind regards,\n{company}",
        }

    def perform(self, form):
        data = form.cleaned_data
        return services.dunning_level_create(
            name=data["name"],
            days_after_due=data["days_after_due"],
            fee=data["fee"],
            subject=data["subject"],
            body=data["body"],
            active=data["active"],
            user=self.request.user,
        )


class DunningLevelUpdateView(DunningLevelFormMixin, BackofficeFormView):
    submit_label = "Save level"

    @cached_property
    def level(self) -> DunningLevel:
        return get_object_or_404(DunningLevel, pk=self.kwargs["pk"])

    def get_title(self):
        return f"Edit {self.level.name}"

    def get_initial(self):
        return {f: getattr(self.level, f) for f in DunningLevelForm.base_fields}

    def perform(self, form):
        return services.dunning_level_update(
            level=self.level, user=self.request.user, **form.cleaned_data
        )


class DunningPreviewView(InvoicesArea, AreaRequiredMixin, PageContextMixin, TemplateView):
    """What tomorrow's run will send (the same plan the job computes)."""

    template_name = "invoicing/dunning_preview.html"

    def get_title(self):
        return "Tomorrow's reminders"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tomorrow = company_today() + dt.timedelta(days=1)
        context.update(day=tomorrow, plan=services.dunning_plan(today=tomorrow))
        return context


class InvoiceRemindView(InvoicesArea, AreaRequiredMixin, View):
    """GET asks for confirmation (without JavaScript); POST sends the next level now."""

    need = "write"

    @cached_property
    def invoice(self) -> Invoice:
        return get_object_or_404(
            Invoice.objects.select_related("customer", "currency"), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        level = next_level(self.invoice)
        return render(
            request,
            "invoicing/invoice_confirm.html",
            {
                "title": f"Send a reminder for invoice {self.invoice}",
                "document": self.invoice,
                "explanation": (
                    f"Sends {level.name} now to {self.invoice.customer.email or 'nobody (no address)'}"
                    f"{f', with a fee invoice of {level.fee}' if level and level.fee else ''}."
                    if level
                    else "Every dunning level has been sent for this invoice."
                ),
                "submit_label": "Send reminder now",
                "cancel_url": self.invoice.get_absolute_url(),
            },
        )

    def post(self, request, pk):
        try:
            reminder = services.reminder_send(invoice=self.invoice, manual=True, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.invoice)
        text = f"{reminder.level.name} sent"
        if reminder.to:
            text += f" to {reminder.to}"
        if reminder.fee_invoice:
            text += f"; fee invoice {reminder.fee_invoice} issued"
        messages.success(request, text + ".")
        return redirect(self.invoice)
