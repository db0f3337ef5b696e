"""Ledger screens (Area.LEDGER): accounts tree, account lines, journal, trial balance."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.roles import Area
from apps.core.columns import OptionalColumn
from apps.core.permissions import AreaRequiredMixin
from apps.core.querycache import built_once
from apps.core.views import (
    BackofficeCreateView,
    BackofficeDetailView,
    BackofficeListView,
    BackofficeUpdateView,
    HtmxPartialMixin,
    PageContextMixin,
    csv_response,
)

from . import selectors
from .filters import AccountLineFilter, AccountTreeFilter, JournalEntryFilter
from .forms import AccountForm, ReverseEntryForm, TrialBalanceForm
from .models import Account, JournalEntry, JournalLine
from .services import journal_reverse_manual
from .tables import (
    AccountLineTable,
    JournalEntryTable,
    account_tree_rows,
    trial_balance_rows,
)


class LedgerArea:
    area = Area.LEDGER


class AccountListView(
    LedgerArea, AreaRequiredMixin, PageContextMixin, HtmxPartialMixin, TemplateView
):
    """The chart as a tree with rolled-up balances; CSV export of the visible rows."""

    title = "Chart of accounts"
    template_name = "ledger/account_list.html"
    create_url_name = "account-create"
    create_label = "New account"

    def rows(self, form):
        rows = selectors.accounts_tree()
        if form.is_valid():
            q = form.cleaned_data["q"].strip().lower()
            if q:
                rows = [
                    r for r in rows if q in r.account.code.lower() or q in r.account.name.lower()
                ]
            if form.cleaned_data["type"]:
                rows = [r for r in rows if r.account.type == form.cleaned_data["type"]]
            if form.cleaned_data["hide_zero"]:
                rows = [r for r in rows if r.total]
        return rows

    def get(self, request, *args, **kwargs):
        form = AccountTreeFilter(request.GET or None)
        rows = self.rows(form)
        if request.GET.get("_export") == "csv":
            return csv_response(
                "chart-of-accounts",
                [("Code", "Name", "Type", "Parent", "Balance", "Balance incl. children")]
                + [
                    (
                        r.account.code,
                        r.account.name,
                        r.account.get_type_display(),
                        r.account.parent.code if r.account.parent_id else "",
                        r.account.balance,
                        r.total,
                    )
                    for r in rows
                ],
            )
        context = self.get_context_data(
            filter_form=form, rows=rows, tree_rows=account_tree_rows(rows)
        )
        return self.render_to_response(context)


class AccountCreateView(LedgerArea, BackofficeCreateView):
    model = Account
    form_class = AccountForm
    title = "New account"
    success_message = "Account {object} added."
    cancel_url_name = "account-list"
    success_url = reverse_lazy("account-list")


class AccountUpdateView(LedgerArea, BackofficeUpdateView):
    model = Account
    form_class = AccountForm
    success_message = "Account {object} saved."
    cancel_url_name = "account-list"

    def get_success_url(self):
        return self.object.get_absolute_url()


class AccountDetailView(LedgerArea, BackofficeListView):
    """One account's lines (newest first), with its stored balance and the balance check."""

    template_name = "ledger/account_detail.html"
    table_class = AccountLineTable
    filterset_class = AccountLineFilter
    empty_text = "No postings on this account yet."

    @cached_property
    def account(self) -> Account:
        return get_object_or_404(
            Account.objects.select_related("parent", "currency"), pk=self.kwargs["pk"]
        )

    def get_title(self) -> str:
        return str(self.account)

    def get_queryset(self):
        return JournalLine.objects.filter(account=self.account).select_related("entry")

    paginate_by = 50
    lazy_pages = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.account
        context["children"] = self.account.children.order_by("code")
        return context


class AccountLookupView(LedgerArea, AreaRequiredMixin, View):
    """<option>s for the account <datalist> of the journal's filter bar: a code or a name."""

    def get(self, request):
        text = (request.GET.get("q") or request.GET.get("account") or "").strip()
        accounts = (
            selectors.accounts_matching(text).only("code", "name").order_by("code")[:20]
            if text
            else []
        )
        labels = [selectors.account_label(account) for account in accounts]
        return render(request, "core/_options.html", {"labels": labels})


class JournalEntryListView(LedgerArea, BackofficeListView):
    title = "Journal"
    template_name = "ledger/journalentry_list.html"
    table_class = JournalEntryTable
    filterset_class = JournalEntryFilter
    optional_columns = (
        OptionalColumn("reference", "Reference"),
        OptionalColumn("source", "Source"),
        OptionalColumn("posted_by", "Posted by"),
        OptionalColumn("posted_at", "Posted at", default=False),
    )
    empty_text = "No journal entries match these filters."
    export_filename = "journal"

    def get_queryset(self):
        return built_once(("ledger.journal",), self.base_queryset)

    @staticmethod
    def base_queryset():
        """The entries with what the table's rows and CSV read
        (ledger.tables.JournalEntryTable), built once per process (apps.core.querycache).
        The amount is the entry's stored total (JournalEntry.total), which the sort by
        amount reads from ledger_entry_total_idx; summing each entry's lines in a subquery
        made that sort read every entry's lines (7.8 s at 1.6M entries)."""
        return JournalEntry.objects.select_related("posted_by").only(
            "date",
            "memo",
            "reference",
            "source_type",  # its name from the content-type cache (JournalEntryTable)
            "reverses",
            "total",
            "posted_by__full_name",
            "posted_by__email",
            "posted_at",
        )

    paginate_by = 50
    lazy_pages = True


class JournalEntryDetailView(LedgerArea, BackofficeDetailView):
    template_name = "ledger/journalentry_detail.html"

    def get_queryset(self):
        return JournalEntry.objects.select_related(
            "currency", "posted_by", "source_type", "reverses"
        )

    def get_title(self) -> str:
        return f"Journal entry {self.object.short_id}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        lines = list(entry.lines.select_related("account"))
        context.update(
            lines=lines,
            total_debit=sum(line.debit for line in lines),
            total_credit=sum(line.credit for line in lines),
            total_base_debit=sum(line.base_debit for line in lines),
            total_base_credit=sum(line.base_credit for line in lines),
            reversed_by=JournalEntry.objects.filter(reverses=entry).first(),
            source=entry.source,
            reverse_form=ReverseEntryForm(),
        )
        return context


class JournalEntryReverseView(LedgerArea, AreaRequiredMixin, View):
    """POST: reverse an entry that has no source document (those are reversed at the source,
    e.g. a seller transaction, so the document and the books stay in step)."""

    need = "write"
    http_method_names = ["post"]

    def post(self, request, pk):
        entry = get_object_or_404(JournalEntry, pk=pk)
        form = ReverseEntryForm(request.POST)
        memo = form.cleaned_data["memo"] if form.is_valid() else ""
        try:
            reversal = journal_reverse_manual(entry=entry, memo=memo, posted_by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Entry reversed by {reversal.short_id}.")
            return redirect(reversal)
        return redirect(entry)


class TrialBalanceView(
    LedgerArea, AreaRequiredMixin, PageContextMixin, HtmxPartialMixin, TemplateView
):
    """Every account's balance on a date, debit or credit column; the totals must agree."""

    title = "Trial balance"
    template_name = "ledger/trial_balance.html"

    def get(self, request, *args, **kwargs):
        form = TrialBalanceForm(request.GET)
        balance = None
        if form.is_valid():
            balance = selectors.trial_balance(
                form.cleaned_data["as_of"], include_zero=form.cleaned_data["include_zero"]
            )
            if request.GET.get("_export") == "csv":
                return csv_response(
                    f"trial-balance-{balance.as_of:%Y-%m-%d}",
                    [("Code", "Account", "Type", "Debit", "Credit")]
                    + [
                        (
                            r.account.code,
                            r.account.name,
                            r.account.get_type_display(),
                            r.debit,
                            r.credit,
                        )
                        for r in balance.rows
                    ]
                    + [("", "Total", "", balance.total_debit, balance.total_credit)],
                )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                balance=balance,
                trial_rows=trial_balance_rows(balance) if balance is not None else "",
            )
        )

    def get_partial_name(self):
        return "trial"
