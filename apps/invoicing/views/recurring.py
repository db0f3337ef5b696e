"""Recurring invoice screens: list, create/edit (header + lines), detail with the
periods billed, and "Create due invoices now". The services decide
(apps/invoicing/services/recurring.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View

from apps.core.permissions import AreaRequiredMixin
from apps.core.views import BackofficeDetailView, BackofficeFormView, BackofficeListView

from .. import services
from ..filters import RecurringFilter
from ..forms import RecurringForm, RecurringLineFormSet
from ..models import RecurringInvoice
from ..services.dunning import company_today
from ..services.recurring import next_date, template_dates
from ..tables import RecurringTable
from .common import InvoicesArea, add_service_errors

__all__ = [
    "RecurringCreateView",
    "RecurringDetailView",
    "RecurringListView",
    "RecurringRunView",
    "RecurringUpdateView",
]


class RecurringListView(InvoicesArea, BackofficeListView):
    title = "Recurring invoices"
    table_class = RecurringTable
    filterset_class = RecurringFilter
    create_url_name = "recurring-create"
    create_label = "New recurring invoice"
    empty_text = "No recurring invoice yet. Create one to bill a customer every month, "
    "quarter or year."

    def get_queryset(self):
        return RecurringInvoice.objects.select_related("customer").annotate(
            invoiced=Count("periods")
        )


class RecurringFormMixin(InvoicesArea):
    form_class = RecurringForm
    template_name = "invoicing/recurring_form.html"

    def template_obj(self) -> RecurringInvoice | None:
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "lines" not in context:
            context["lines"] = self.line_formset()
        obj = self.template_obj()
        context["cancel_url"] = obj.get_absolute_url() if obj else reverse("recurring-list")
        return context

    def line_formset(self):
        if self.request.method == "POST":
            return RecurringLineFormSet(self.request.POST, prefix="lines")
        obj = self.template_obj()
        initial = (
            [
                {
                    "description": line.description,
                    "quantity": line.quantity.normalize(),
                    "unit": line.unit,
                    "unit_price": line.unit_price,
                    "discount_percent": line.discount_percent or None,
                    "tax_rate": line.tax_rate,
                }
                for line in obj.lines.select_related("tax_rate")
            ]
            if obj
            else []
        )
        return RecurringLineFormSet(initial=initial, prefix="lines")

    def form_valid(self, form):
        lines = self.line_formset()
        if not lines.is_valid():
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        data = dict(form.cleaned_data)
        rows = [row for row in (f.row() for f in lines.forms) if row]
        try:
            self.object = self.save(data, rows)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "lines" in exc.error_dict:
                errors = exc.error_dict.pop("lines")
                lines._non_form_errors = lines.error_class([m for e in errors for m in e.messages])
            add_service_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        messages.success(self.request, f"Recurring invoice {self.object} saved.")
        return redirect(self.object)


class RecurringCreateView(RecurringFormMixin, BackofficeFormView):
    title = "New recurring invoice"
    submit_label = "Create recurring invoice"

    def get_initial(self):
        today = company_today()
        return {"start_date": today, "day_of_month": today.day, "interval": "monthly"}

    def save(self, data, rows):
        return services.recurring_create(lines=rows, user=self.request.user, **data)


class RecurringUpdateView(RecurringFormMixin, BackofficeFormView):
    submit_label = "Save recurring invoice"

    @cached_property
    def template(self) -> RecurringInvoice:
        return get_object_or_404(
            RecurringInvoice.objects.select_related("customer"), pk=self.kwargs["pk"]
        )

    def template_obj(self):
        return self.template

    def get_title(self):
        return f"Edit {self.template}"

    def get_initial(self):
        t = self.template
        initial = {f: getattr(t, f) for f in RecurringForm.base_fields if f != "customer"}
        initial["customer"] = t.customer.code
        return initial

    def save(self, data, rows):
        return services.recurring_update(
            template=self.template, lines=rows, user=self.request.user, **data
        )


class RecurringDetailView(InvoicesArea, BackofficeDetailView):
    template_name = "invoicing/recurring_detail.html"

    def get_queryset(self):
        return RecurringInvoice.objects.select_related("customer", "currency", "series")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.object
        today = company_today()
        upcoming = []
        after = today
        for _ in range(3):
            date = next_date(template, after=after)
            if date is None:
                break
            upcoming.append(date)
            after = date
        billed = set(template.periods.values_list("period_date", flat=True))
        context.update(
            lines=list(template.lines.select_related("tax_rate")),
            periods=list(template.periods.select_related("invoice").order_by("-period_date")),
            upcoming=upcoming,
            missed=[d for d in template_dates(template, until=today) if d not in billed],
            today=today,
        )
        return context


class RecurringRunView(InvoicesArea, AreaRequiredMixin, View):
    """Create the invoices of every period due up to today now (the job does it daily)."""

    need = "write"

    def post(self, request, pk):
        template = get_object_or_404(RecurringInvoice, pk=pk)
        try:
            made = services.recurring_run(
                template=template, today=company_today(), user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(template)
        if made:
            messages.success(
                request, f"{len(made)} invoice(s) created: {', '.join(str(i) for i in made)}."
            )
        else:
            messages.info(request, "Every period up to today is already invoiced.")
        return redirect(template)
