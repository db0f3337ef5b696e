"""Bank statement screens (/payments/bank/): accounts, statements, upload with column mapping
and preview, the import's progress, and each line's suggestions to confirm, correct or
ignore. Accountant and Admin only (write on invoices): the lines show customers' money."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views import View
from django.views.generic import DetailView, TemplateView

from apps.core.permissions import AreaRequiredMixin
from apps.core.views import (
    BackofficeCreateView,
    BackofficeFormView,
    BackofficeListView,
    BackofficeUpdateView,
    HtmxPartialMixin,
    PageContextMixin,
)
from apps.customers.models import Customer
from apps.finance import money

from ..bank import csv_headers
from ..filters_bank import BankAccountFilter, BankStatementFilter
from ..forms_bank import (
    BankAccountForm,
    CustomerChoiceForm,
    MappingForm,
    StatementUploadForm,
    UndoForm,
)
from ..models import (
    BankAccount,
    BankLine,
    BankMatch,
    BankMatchInvoice,
    BankStatement,
    Invoice,
    InvoiceStatus,
    LineStatus,
    MatchStatus,
    StatementFormat,
    StatementStatus,
)
from ..selectors import with_balances
from ..services import bank as service
from ..tables_bank import BankAccountTable, BankStatementTable
from .common import InvoicesArea, add_service_errors


class BankArea(InvoicesArea):
    need = "write"


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- accounts --------------------------------------------------------------------------


class BankAccountListView(BankArea, BackofficeListView):
    title = "Bank accounts"
    table_class = BankAccountTable
    filterset_class = BankAccountFilter
    create_url_name = "bank-account-create"
    create_label = "New bank account"
    empty_text = "No bank account yet. Add the account your customers pay into."

    def get_queryset(self):
        return BankAccount.objects.all()


class BankAccountCreateView(BankArea, BackofficeCreateView):
    title = "New bank account"
    form_class = BankAccountForm
    submit_label = "Save bank account"
    cancel_url_name = "bank-account-list"
    success_message = "Bank account {object} saved."

    success_url_name = "bank-account-list"


class BankAccountUpdateView(BankArea, BackofficeUpdateView):
    model = BankAccount
    form_class = BankAccountForm
    cancel_url_name = "bank-account-list"
    success_message = "Bank account {object} saved."

    success_url_name = "bank-account-list"


# --- statements ------------------------------------------------------------------------


class BankStatementListView(BankArea, BackofficeListView):
    title = "Bank statements"
    template_name = "invoicing/bank/statement_list.html"
    table_class = BankStatementTable
    filterset_class = BankStatementFilter
    export_filename = "bank-statements"
    empty_text = (
        "No statement imported yet. Import a CAMT.053, OFX or CSV file from your bank: "
        "its lines are matched to open invoices."
    )

    def get_queryset(self):
        return BankStatement.objects.select_related("account").annotate(
            to_review=Count(
                "lines",
                filter=Q(lines__status=LineStatus.SUGGESTED)
                | Q(lines__status=LineStatus.UNMATCHED, lines__amount__gt=0),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_accounts"] = BankAccount.objects.exists()
        return context


class StatementUploadView(BankArea, BackofficeFormView):
    title = "Import a bank statement"
    template_name = "invoicing/bank/statement_upload.html"
    form_class = StatementUploadForm
    submit_label = "Upload and preview"
    cancel_url_name = "bank-statement-list"

    def get_initial(self):
        account = BankAccount.objects.filter(active=True).first()
        return {"account": self.request.GET.get("account") or (account and account.pk)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_accounts"] = BankAccount.objects.filter(active=True).exists()
        return context

    def perform(self, form):
        return service.statement_upload(
            account=form.cleaned_data["account"],
            upload=form.cleaned_data["file"],
            fmt=form.cleaned_data["format"],
            user=self.request.user,
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


LINES_PER_PAGE = 50
LINE_FILTERS = [
    ("", "All lines"),
    ("review", "To review"),
    (LineStatus.SUGGESTED, "Suggested"),
    (LineStatus.UNMATCHED, "Unmatched"),
    (LineStatus.MATCHED, "Matched"),
    (LineStatus.IGNORED, "Ignored"),
]


class StatementDetailView(
    BankArea, AreaRequiredMixin, PageContextMixin, HtmxPartialMixin, DetailView
):
    """Preview (with the CSV mapping) before the import, its progress bar while the worker
    runs (#progress polls itself), then the lines with their suggestions (#lines)."""

    model = BankStatement
    template_name = "invoicing/bank/statement_detail.html"
    context_object_name = "statement"
    partial_name = None

    def get_queryset(self):
        return BankStatement.objects.select_related("account", "created_by")

    def get_title(self) -> str:
        return f"Statement #{self.object.pk} · {self.object.account}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = self.object
        if statement.format == StatementFormat.CSV and statement.status in (
            StatementStatus.PREVIEWED,
            StatementStatus.INVALID,
        ):
            context["mapping_form"] = kwargs.get("mapping_form") or MappingForm(
                initial=statement.mapping, headers=csv_headers(statement.content)
            )
        if statement.status == StatementStatus.IMPORTED:
            shown = self.request.GET.get("show", "")
            lines = statement.lines.all()
            if shown == "review":
                lines = lines.filter(
                    Q(status=LineStatus.SUGGESTED) | Q(status=LineStatus.UNMATCHED, amount__gt=0)
                )
            elif shown in LineStatus.values:
                lines = lines.filter(status=shown)
            matches = BankMatch.objects.select_related(
                "customer", "payment", "decided_by"
            ).prefetch_related(
                Prefetch("invoices", queryset=BankMatchInvoice.objects.select_related("invoice"))
            )
            lines = lines.order_by("date", "pk").prefetch_related(
                Prefetch("matches", queryset=matches.exclude(status=MatchStatus.DISMISSED))
            )
            page = Paginator(lines, LINES_PER_PAGE).get_page(self.request.GET.get("page"))
            context["lines"] = page.object_list
            context["page_obj"] = page
            context["show"] = shown
            context["payment_pages"] = _payment_pages()
            context["line_filters"] = LINE_FILTERS
            counts = dict(
                statement.lines.values_list("status")
                .annotate(n=Count("id"))
                .values_list("status", "n")
            )
            context["counts"] = {s: counts.get(s, 0) for s in LineStatus.values}
        return context

    def get(self, request, *args, **kwargs):
        if getattr(request, "htmx", False) and request.GET.get("_partial") == "progress":
            statement = self.get_object()
            if not statement.running:  # done: the whole page changes (lines, summary)
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = statement = self.get_object()
        action = request.POST.get("action")
        if action == "remap":
            form = MappingForm(request.POST, headers=csv_headers(statement.content))
            if form.is_valid():
                try:
                    service.statement_remap(
                        statement=statement, mapping=form.mapping(), user=request.user
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, "Column mapping saved for this account.")
                    return redirect(statement)
            return self.render_to_response(self.get_context_data(mapping_form=form))
        if action == "import":
            if service.statement_import_start(statement=statement, user=request.user):
                messages.success(request, "Import started; this page follows its progress.")
            else:
                messages.error(request, "This statement is not ready to import.")
        return redirect(statement)


# --- line actions ----------------------------------------------------------------------


def _payment_pages() -> bool:
    """Do payment pages exist to link to? (They land with the payments screens.)"""
    try:
        reverse("payment-detail", args=[1])
    except NoReverseMatch:
        return False
    return True


def _back(line: BankLine) -> str:
    return f"{line.statement.get_absolute_url()}#line-{line.pk}"


class BankMatchApplyView(BankArea, AreaRequiredMixin, View):
    def post(self, request, pk: int):
        match = get_object_or_404(BankMatch.objects.select_related("line__statement"), pk=pk)
        try:
            match = service.bank_match_apply(match=match, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request, f"Payment {match.payment} recorded from {match.customer.name}."
            )
        return redirect(_back(match.line))


class BankLineIgnoreView(BankArea, AreaRequiredMixin, View):
    def post(self, request, pk: int):
        line = get_object_or_404(BankLine.objects.select_related("statement"), pk=pk)
        try:
            if request.POST.get("action") == "reopen":
                service.bank_line_reopen(line=line, user=request.user)
                messages.success(request, "Line brought back.")
            else:
                service.bank_line_ignore(line=line, user=request.user)
                messages.success(request, "Line ignored.")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect(_back(line))


class BankMatchUndoView(BankArea, BackofficeFormView):
    form_class = UndoForm
    submit_label = "Undo match and reverse the payment"

    def dispatch(self, request, *args, **kwargs):
        self.match = get_object_or_404(
            BankMatch.objects.select_related("line__statement", "payment", "customer"),
            pk=kwargs["pk"],
            status=MatchStatus.APPLIED,
        )
        return super().dispatch(request, *args, **kwargs)

    def get_title(self) -> str:
        return f"Undo the match of payment {self.match.payment}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = _back(self.match.line)
        return context

    def perform(self, form):
        return service.bank_match_undo(
            match=self.match, reason=form.cleaned_data["reason"], user=self.request.user
        )

    def get_success_url(self):
        messages.success(self.request, "Match undone; the payment is reversed.")
        return _back(self.match.line)


class BankLineMatchView(BankArea, AreaRequiredMixin, PageContextMixin, TemplateView):
    """Correct a suggestion: pick the customer, then how much goes to which open invoice
    (prefilled oldest due first); what is left becomes the customer's credit."""

    template_name = "invoicing/bank/line_match.html"

    def dispatch(self, request, *args, **kwargs):
        self.line = get_object_or_404(
            BankLine.objects.select_related("statement", "account"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_title(self) -> str:
        return f"Match {self.line.amount} {self.line.account.currency_id} of {self.line.date}"

    def _customer(self):
        form = CustomerChoiceForm(self.request.GET or self.request.POST or None)
        if not form.is_bound:
            suggested = self.line.matches.order_by("-id").first()
            form = CustomerChoiceForm(initial={"customer": suggested and suggested.customer_id})
            return form, suggested.customer if suggested else None
        return form, form.cleaned_data["customer"] if form.is_valid() else None

    def _invoices(self, customer):
        if customer is None:
            return []
        invoices = list(
            with_balances(
                Invoice.objects.filter(
                    customer=customer,
                    status=InvoiceStatus.ISSUED,
                    currency_id=self.line.account.currency_id,
                )
            )
            .filter(open_amount__gt=0)
            .order_by("due_date", "pk")
        )
        rest = self.line.amount
        for invoice in invoices:
            invoice.open_amount = money.quantize(invoice.open_amount)
            invoice.proposed = min(rest, invoice.open_amount) if rest > 0 else Decimal("0")
            rest -= invoice.proposed
        return invoices

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, customer = self._customer()
        context.update(
            line=self.line,
            customer_form=form,
            customer=customer,
            invoices=kwargs.get("invoices") or self._invoices(customer),
            back_url=_back(self.line),
        )
        return context

    def post(self, request, *args, **kwargs):
        customer = get_object_or_404(Customer, pk=request.POST.get("customer") or 0)
        invoices = self._invoices(customer)
        allocations, errors = [], []
        for invoice in invoices:
            raw = (request.POST.get(f"amount-{invoice.pk}") or "").strip()
            try:
                amount = Decimal(raw) if raw else Decimal("0")
            except InvalidOperation:
                errors.append(f"{invoice.number}: {raw!r} is not an amount.")
                continue
            invoice.proposed = amount
            allocations.append((invoice, amount))
        if not errors:
            try:
                match = service.bank_match_correct(
                    line=self.line, customer=customer, allocations=allocations, user=request.user
                )
            except ValidationError as exc:
                errors.append(_error_text(exc))
            else:
                messages.success(request, f"Payment {match.payment} recorded from {customer.name}.")
                return redirect(_back(self.line))
        context = self.get_context_data(invoices=invoices)
        context["errors"] = errors
        return self.render_to_response(context)
