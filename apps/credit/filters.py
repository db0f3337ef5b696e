import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy

from apps.core.filters import MAX_DB_INT

from .models import (
    CreditRequest,
    RequestStatus,
    Seller,
    SellerStatus,
    TransactionLog,
    TransactionStatus,
    TransactionType,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class SellerLookupField(forms.CharField):
    """A seller typed by company, login email or phone, with suggestions from the page's
    `<datalist id="seller-options">` (a `<select>` of every seller would not scale: 1,000
    sellers made the transaction log a 97 KB page). Cleans to the sellers the text names
    (apps.credit.selectors.sellers_matching); naming none is an error, not an empty list."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "placeholder": "company, login or phone",
                    "list": "seller-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("seller-lookup"),
                    "hx-trigger": "input changed delay:200ms",
                    "hx-target": "#seller-options",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            ),
        )
        super().__init__(max_length=250, **kwargs)

    def clean(self, value):
        from .selectors import sellers_matching

        text = super().clean(value)
        if not text:
            return None
        sellers = sellers_matching(text)
        if not sellers.values("pk")[:1]:
            raise ValidationError(f"No seller matches “{text}”.", code="no_match")
        return sellers

    def prepare_value(self, value):
        """An id from a link reads as the seller it names (its suggestion's text)."""
        from .selectors import seller_label

        if isinstance(value, str) and value.strip().isdigit():
            seller = (
                Seller.objects.filter(pk=int(value)).select_related("user").first()
                if int(value) <= MAX_DB_INT
                else None
            )
            if seller is not None:
                return seller_label(seller)
        return value


class SellerLookupFilter(django_filters.Filter):
    field_class = SellerLookupField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(seller__in=value.values("pk"))


class SellerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "company, email, phone"}),
    )
    status = django_filters.ChoiceFilter(label="Status", choices=SellerStatus.choices)

    class Meta:
        model = Seller
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(company__icontains=value)
            | Q(user__email__icontains=value)
            | Q(phone__icontains=value)
        )


class CreatedBetween(django_filters.FilterSet):
    """From/To on the creation date, shared by the credit lists."""

    start = django_filters.DateFilter(
        label="From", field_name="created_at", lookup_expr="date__gte", **DATE
    )
    end = django_filters.DateFilter(
        label="To", field_name="created_at", lookup_expr="date__lte", **DATE
    )


class CreditRequestFilter(CreatedBetween):
    status = django_filters.ChoiceFilter(label="Status", choices=RequestStatus.choices)
    seller = SellerLookupFilter(label="Seller")

    class Meta:
        model = CreditRequest
        fields = ["status", "seller", "start", "end"]


class SellerTransactionFilter(CreatedBetween):
    """Filters a seller sees on its own history (the staff log adds the seller)."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "phone or transaction id"}),
    )
    type = django_filters.ChoiceFilter(label="Type", choices=TransactionType.choices)
    status = django_filters.ChoiceFilter(label="Status", choices=TransactionStatus.choices)

    class Meta:
        model = TransactionLog
        fields = ["q", "type", "status", "start", "end"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = "".join(ch for ch in value if ch.isdigit() or ch == "+")
        query = Q(idempotency_key=value)
        if digits:
            query |= Q(phone__contains=digits)
        if len(value) >= 4 and all(ch in "0123456789abcdef-" for ch in value.lower()):
            query |= Q(id__startswith=value.lower())
        return queryset.filter(query)


class TransactionFilter(SellerTransactionFilter):
    seller = SellerLookupFilter(label="Seller")

    class Meta(SellerTransactionFilter.Meta):
        fields = ["q", "seller", "type", "status", "start", "end"]
