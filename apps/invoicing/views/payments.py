"""Payment screens: list, detail with allocations and timeline, record a payment (from
scratch, from an invoice, from a customer: one screen allocating across its open invoices
with the remaining amount kept live by htmx), apply or refund credit, reverse.
Views parse a form, call one service (once per form key) and render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property

from apps.accounts.roles import Area
from apps.core.audit import events_for
from apps.core.idempotency import FORM_REPLAYED, form_once
from apps.core.models import CompanySettings
from apps.core.numbers import whole_number
from apps.core.querycache import built_once
from apps.core.views import BackofficeDetailView, BackofficeFormView, BackofficeListView
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.selectors import base_currency_code
from apps.sales.forms import CustomerCodeField

from .. import services
from ..forms_payments import CreditApplyForm, CreditRefundForm, PaymentForm, ReverseForm
from ..models import Invoice, Payment, PaymentState
from ..selectors_payments import open_invoices, payment_use, suggest_allocations, with_credit
from ..tables_payments import PaymentFilter, PaymentTable, state_badge
from .common import InvoicesArea, add_service_errors

__all__ = [
    "CreditApplyView",
    "CreditRefundView",
    "PaymentCreateView",
    "PaymentDetailView",
    "PaymentListView",
    "PaymentReverseView",
]


class PaymentListView(InvoicesArea, BackofficeListView):
    lazy_pages = True
    title = "Payments"
    template_name = "invoicing/payment_list.html"
    table_class = PaymentTable
    filterset_class = PaymentFilter
    create_url_name = "payment-create"
    create_label = "Record payment"
    export_filename = "payments"
    empty_text = "No payments yet. Record one from an invoice, from a customer or here."
    empty_filtered_text = "No payments match these filters."
    # "With credit left" is planned for its values (bound on the client): only then can
    # PostgreSQL prove the filter matches payment_credit_left_idx's condition (a generic
    # plan of `unapplied > $2` cannot, and would walk every payment by date).
    search_params = ("with_credit",)

    def get_queryset(self):  # the credit's four subqueries built once per process
        return built_once(
            ("invoicing.payment-list",),
            lambda: with_credit(Payment.objects.select_related("customer")),
        )


class PaymentDetailView(InvoicesArea, BackofficeDetailView):
    template_name = "invoicing/payment_detail.html"

    def get_queryset(self):
        return with_credit(Payment.objects.select_related("customer", "currency", "created_by"))

    def get_title(self):
        return f"Payment {self.object}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.object
        context.update(
            allocations=list(payment.allocations.select_related("invoice", "invoice__currency")),
            refunds=list(payment.refunds.all()),
            timeline=events_for(payment)[:50],
            state=state_badge(payment.status),
            base_currency=base_currency_code(),
            has_credit=payment.status == PaymentState.POSTED and payment.credit_left > 0,
            can_read_ledger=self.can("read", Area.LEDGER),
        )
        return context


class OnceFormMixin:
    """Run the service once per hidden form key; refusals become form errors."""

    def work(self, form) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            outcome = form_once(request=self.request, work=lambda: self.work(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if outcome.replayed:
            messages.info(self.request, FORM_REPLAYED)
        return redirect(outcome.location)


class PaymentCreateView(InvoicesArea, OnceFormMixin, BackofficeFormView):
    """Record money received. `?invoice=<id>` prefills that invoice's open amount;
    `?customer=<code>` lists its open invoices (oldest due first) to allocate across."""

    form_class = PaymentForm
    template_name = "invoicing/payment_form.html"
    title = "Record payment"
    submit_label = "Record payment"
    cancel_url_name = "payment-list"

    @cached_property
    def invoice(self) -> Invoice | None:
        pk = whole_number(self.request.GET.get("invoice") or self.request.POST.get("invoice"))
        if pk is None:
            return None
        return Invoice.objects.filter(pk=pk).select_related("customer", "currency").first()

    @cached_property
    def customer(self) -> Customer | None:
        if self.invoice is not None:
            return self.invoice.customer
        text = self.request.POST.get("customer") or self.request.GET.get("customer")
        if not text:
            return None
        try:
            return CustomerCodeField().clean(text)
        except ValidationError:
            return None

    @cached_property
    def open_invoices(self) -> list[Invoice]:
        return list(open_invoices(self.customer)) if self.customer else []

    def get_initial(self):
        initial = {"date": CompanySettings.load().today()}
        if self.customer is not None:
            initial["customer"] = self.customer.code
        if self.invoice is not None and self.invoice in self.open_invoices:
            invoice = next(i for i in self.open_invoices if i.pk == self.invoice.pk)
            open_amount = money.quantize(invoice.open_amount, invoice.currency.minor_units)
            initial.update(
                amount=open_amount,
                currency=invoice.currency_id,
                **{f"alloc_{invoice.pk}": open_amount},
            )
        amount = self.request.GET.get("amount")
        if amount and self.invoice is None:
            try:
                value = money.quantize(money.to_decimal(amount))
            except money.MoneyError:
                value = None
            if value and value > 0:
                initial["amount"] = value
                plan = suggest_allocations(self._same_currency(None), value)
                initial.update({f"alloc_{pk}": v for pk, v in plan.items() if v})
        return initial

    def _same_currency(self, code: str | None) -> list[Invoice]:
        code = code or base_currency_code()
        return [i for i in self.open_invoices if i.currency_id == code]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "invoices": self.open_invoices}

    def get_template_names(self):
        names = super().get_template_names()
        partial = self.request.GET.get("_partial") or self.request.POST.get("_partial")
        if getattr(self.request, "htmx", False) and partial in ("allocation", "remaining"):
            return [f"{names[0]}#{partial}"]
        return names

    def post(self, request, *args, **kwargs):
        if request.POST.get("_partial") == "remaining":
            return self.render_to_response(self.get_context_data(form=self.get_form()))
        if request.POST.get("_action") == "suggest":
            return self.suggest()
        return super().post(request, *args, **kwargs)

    def suggest(self):
        """Fill the allocations oldest due first from the amount typed (same currency)."""
        data = self.request.POST.copy()
        try:
            amount = money.quantize(money.to_decimal(data.get("amount") or "0"))
        except money.MoneyError:
            amount = Decimal("0")
        code = data.get("currency") or None
        plan = suggest_allocations(self._same_currency(code), amount)
        for invoice in self.open_invoices:
            data[f"alloc_{invoice.pk}"] = str(plan.get(invoice.pk, ""))
        form = self.form_class(data=data, invoices=self.open_invoices)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context.update(
            invoice=self.invoice,
            customer=self.customer,
            rows=form.allocation_rows(),
            remaining=self.remaining(form),
            base_currency=base_currency_code(),
        )
        if self.invoice is not None:
            context["cancel_url"] = self.invoice.get_absolute_url()
        elif self.customer is not None:
            context["cancel_url"] = self.customer.get_absolute_url()
        return context

    @staticmethod
    def remaining(form) -> dict:
        """Amount typed minus allocations typed, from the raw data (no validation)."""
        source = form.data if form.is_bound else form.initial

        def number(name):
            try:
                value = money.to_decimal(source.get(name) or "0")
            except money.MoneyError:
                return None
            return value if value.is_finite() and abs(value) <= money.MAX_AMOUNT else None

        amount = number("amount")
        parts = [number(f"alloc_{i.pk}") for i, _ in form.allocation_rows()]
        if amount is None or None in parts:
            return {"valid": False}
        allocated = money.quantize(sum(parts, Decimal("0")))
        left = money.quantize(amount) - allocated
        return {"valid": True, "allocated": allocated, "left": left, "over": left < 0}

    def work(self, form) -> str:
        data = form.cleaned_data
        payment = services.payment_record(
            customer=data["customer"],
            amount=data["amount"],
            date=data["date"],
            method=data["method"],
            currency=data["currency"],
            exchange_rate=data["exchange_rate"],
            reference=data["reference"],
            notes=data["notes"],
            allocations=form.allocations(),
            user=self.request.user,
        )
        use = payment_use(payment).credit_left
        text = f"Payment {payment.number} of {payment.amount} {payment.currency_id} recorded."
        if use:
            text += f" {use} {payment.currency_id} is kept as customer credit."
        messages.success(self.request, text)
        if self.invoice is not None:
            return self.invoice.get_absolute_url()
        return payment.get_absolute_url()


class PaymentActionMixin:
    need = "write"

    @cached_property
    def payment(self) -> Payment:
        return get_object_or_404(
            with_credit(Payment.objects.select_related("customer", "currency")),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payment"] = self.payment
        context["cancel_url"] = self.payment.get_absolute_url()
        return context


class PaymentReverseView(InvoicesArea, PaymentActionMixin, OnceFormMixin, BackofficeFormView):
    form_class = ReverseForm
    template_name = "invoicing/payment_confirm.html"
    submit_label = "Reverse payment"

    def get_title(self):
        return f"Reverse payment {self.payment}"

    def get(self, request, *args, **kwargs):
        if self.payment.is_reversed:
            messages.error(request, f"Payment {self.payment} is already reversed.")
            return redirect(self.payment)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["danger"] = True
        context["explanation"] = (
            "A payment is never deleted. Reversing it removes its allocations, so the "
            "invoices it paid are open again, and posts the mirror of its journal entries."
        )
        return context

    def work(self, form) -> str:
        services.payment_reverse(
            payment=self.payment, reason=form.cleaned_data["reason"], user=self.request.user
        )
        messages.success(self.request, f"Payment {self.payment} reversed; its invoices reopened.")
        return self.payment.get_absolute_url()


class CreditApplyView(InvoicesArea, PaymentActionMixin, OnceFormMixin, BackofficeFormView):
    form_class = CreditApplyForm
    template_name = "invoicing/payment_confirm.html"
    submit_label = "Apply credit"

    def get_title(self):
        return f"Apply credit of payment {self.payment}"

    def get_initial(self):
        return {"amount": self.payment.credit_left}

    def get_form_kwargs(self):
        invoices = list(open_invoices(self.payment.customer))
        return {**super().get_form_kwargs(), "invoices": invoices}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["explanation"] = (
            f"{self.payment.credit_left} {self.payment.currency_id} of this payment is "
            "not allocated. Apply some of it to an open invoice of the same customer."
        )
        return context

    def work(self, form) -> str:
        invoice = get_object_or_404(Invoice, pk=form.cleaned_data["invoice"])
        row = services.credit_apply(
            payment=self.payment,
            invoice=invoice,
            amount=form.cleaned_data["amount"],
            user=self.request.user,
        )
        messages.success(self.request, f"{row.amount} {invoice.currency_id} applied to {invoice}.")
        return self.payment.get_absolute_url()


class CreditRefundView(InvoicesArea, PaymentActionMixin, OnceFormMixin, BackofficeFormView):
    form_class = CreditRefundForm
    template_name = "invoicing/payment_confirm.html"
    submit_label = "Refund credit"

    def get_title(self):
        return f"Refund credit of payment {self.payment}"

    def get_initial(self):
        return {"amount": self.payment.credit_left, "date": CompanySettings.load().today()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["explanation"] = (
            f"{self.payment.credit_left} {self.payment.currency_id} of this payment is "
            "customer credit. A refund pays it back (Dr AR / Cr Bank or Cash)."
        )
        return context

    def work(self, form) -> str:
        data = form.cleaned_data
        refund = services.credit_refund(
            payment=self.payment,
            amount=data["amount"],
            date=data["date"],
            method=data["method"],
            reference=data["reference"],
            user=self.request.user,
        )
        messages.success(self.request, f"{refund.amount} {self.payment.currency_id} refunded.")
        return self.payment.get_absolute_url()
