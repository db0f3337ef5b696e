import django_filters
from django import forms
from django.db.models import Q

from apps.core import search
from apps.core.filters import FewChoicesFilter, FilterSet
from apps.core.models import CompanySettings
from apps.customers import filters as customer_filters
from apps.customers.selectors import documents_matching

from .models import (
    CreditNote,
    CreditNoteStatus,
    DocumentKind,
    DunningLevel,
    Interval,
    Invoice,
    InvoiceStatus,
    RecurringInvoice,
    Reminder,
    ReminderTrigger,
    Series,
)

DATE = forms.DateInput(attrs={"type": "date"})
STATUS_CHOICES = [
    ("draft", "Draft"),
    ("issued", "Issued (any payment status)"),
    ("unpaid", "Unpaid"),
    ("partially_paid", "Partially paid"),
    ("paid", "Paid"),
    ("overdue", "Overdue"),
    ("void", "Void"),
]


class CustomerLookupMixin(customer_filters.CustomerLookupMixin):
    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(documents_matching(value, "number"))


class InvoiceFilter(CustomerLookupMixin, FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "number or customer"}),
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, empty_label="Any status", method="by_status"
    )
    customer = django_filters.CharFilter(
        label="Customer", method="by_customer", widget=customer_filters.customer_widget()
    )
    series = FewChoicesFilter(
        label="Series",
        queryset=Series.objects.filter(kind=DocumentKind.INVOICE),
        empty_label="Any series",
    )
    start = django_filters.DateFilter(
        label="From", field_name="issue_date", lookup_expr="gte", widget=DATE
    )
    end = django_filters.DateFilter(
        label="To", field_name="issue_date", lookup_expr="lte", widget=DATE
    )
    min_total = django_filters.NumberFilter(
        label="Total from", field_name="total", lookup_expr="gte"
    )
    max_total = django_filters.NumberFilter(label="Total to", field_name="total", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["q", "status", "customer", "series", "start", "end", "min_total", "max_total"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_customer_lookup()

    def search(self, queryset, name, value):
        """Number or customer, as the other document lists. A short text's number part
        looks at the latest SHORT_SEARCH_ROWS invoices of the list's order only (as the
        orders' and payments' whole search: apps/core/search.py), a range of the issue date
        index: an invoice without an issue date is a draft (a database check), and a draft
        has no number, so the range leaves out no invoice whose number could match. The
        customer part is served by the invoices' customer index, over all invoices."""
        value = value.strip()
        bound = search.latest_bound(Invoice, value, ("issue_date", "id")) if value else None
        if bound is None:
            return super().search(queryset, name, value)
        condition, day = bound
        self.search_note = search.short_search_note(
            f"the numbers of the latest {search.SHORT_SEARCH_ROWS:,} invoices",
            day,
            "invoice numbers",
        )
        return queryset.filter(documents_matching(value, "number", within=condition))

    def by_status(self, queryset, name, value):
        """Stored lifecycle or the derived payment status (the queryset has open_amount)."""
        if value in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED, InvoiceStatus.VOID):
            return queryset.filter(status=value)
        issued = queryset.filter(status=InvoiceStatus.ISSUED)
        today = CompanySettings.load().today()
        if value == "paid":
            return issued.filter(open_amount__lte=0)
        open_ = issued.filter(open_amount__gt=0)
        if value == "overdue":
            return open_.filter(due_date__lt=today)
        open_ = open_.filter(due_date__gte=today)
        if value == "partially_paid":
            return open_.filter(allocated__gt=0)
        return open_.filter(allocated__lte=0)


class CreditNoteFilter(CustomerLookupMixin, FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "number or customer"}),
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=CreditNoteStatus.choices, empty_label="Any status"
    )
    customer = django_filters.CharFilter(
        label="Customer", method="by_customer", widget=customer_filters.customer_widget()
    )
    start = django_filters.DateFilter(
        label="From", field_name="issue_date", lookup_expr="gte", widget=DATE
    )
    end = django_filters.DateFilter(
        label="To", field_name="issue_date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = CreditNote
        fields = ["q", "status", "customer", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_customer_lookup()


class ReminderFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "invoice number or customer"}),
    )
    level = FewChoicesFilter(
        label="Level", queryset=DunningLevel.all_objects.all(), empty_label="Any level"
    )
    trigger = django_filters.ChoiceFilter(
        label="How", choices=ReminderTrigger.choices, empty_label="Any way"
    )
    start = django_filters.DateFilter(
        label="From", field_name="sent_on", lookup_expr="gte", widget=DATE
    )
    end = django_filters.DateFilter(
        label="To", field_name="sent_on", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = Reminder
        fields = ["q", "level", "trigger", "start", "end"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(invoice__number__icontains=value)
            | Q(invoice__customer__name__icontains=value)
            | Q(invoice__customer__code__iexact=value)
        )


class RecurringFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "name or customer"}),
    )
    interval = django_filters.ChoiceFilter(
        label="Interval", choices=Interval.choices, empty_label="Any interval"
    )
    active = django_filters.ChoiceFilter(
        label="State",
        choices=[("active", "Active"), ("inactive", "Inactive")],
        empty_label="Any state",
        method="by_state",
    )

    class Meta:
        model = RecurringInvoice
        fields = ["q", "interval", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(customer__code__iexact=value)
        )

    def by_state(self, queryset, name, value):
        return queryset.filter(active=value == "active")
