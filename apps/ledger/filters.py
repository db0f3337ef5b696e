import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.urls import reverse_lazy

from apps.core.filters import FewChoicesFilter, FilterSet, TypedLookupFilter
from apps.core.search import latest_only

from .models import AccountType, JournalEntry, JournalLine
from .selectors import account_label_for, accounts_matching, entries_matching

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class JournalEntryFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "memo, reference, entry id"}),
    )
    start = django_filters.DateFilter(label="From", field_name="date", lookup_expr="gte", **DATE)
    end = django_filters.DateFilter(label="To", field_name="date", lookup_expr="lte", **DATE)
    account = TypedLookupFilter(
        label="Account",
        method="with_account",
        matching=accounts_matching,
        label_for=account_label_for,
        noun="account",
        datalist="account-options",
        lookup_url=reverse_lazy("account-lookup"),
        placeholder="code or name",
    )
    source_type = FewChoicesFilter(
        label="Source",
        queryset=ContentType.objects.filter(app_label__in=["credit", "sales", "invoicing"]),
        empty_label="Any source",
        reference="ledger.posting_sources",
    )

    class Meta:
        model = JournalEntry
        fields = ["q", "start", "end", "account", "source_type"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        queryset = queryset.filter(entries_matching(value))
        return latest_only(self, queryset, value, ("date", "posted_at"), "entries")

    def with_account(self, queryset, name, value):
        lines = JournalLine.objects.filter(entry=OuterRef("pk"), account__in=value.values("pk"))
        return queryset.filter(Exists(lines))


class AccountLineFilter(FilterSet):
    start = django_filters.DateFilter(
        label="From", field_name="entry__date", lookup_expr="gte", **DATE
    )
    end = django_filters.DateFilter(label="To", field_name="entry__date", lookup_expr="lte", **DATE)

    class Meta:
        model = JournalLine
        fields = ["start", "end"]


class AccountTreeFilter(forms.Form):
    q = forms.CharField(label="Search", required=False)
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *AccountType.choices]
    )
    hide_zero = forms.BooleanField(label="Hide zero balances", required=False)
