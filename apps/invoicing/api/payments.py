"""Payments: list, read (with allocations, refunds and the credit left), record one, apply
its credit to an invoice, refund its credit, reverse it: every POST with an Idempotency-Key
(a resent one acts once), on the services of the payment screens. A portal customer reads
only its own payments."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from apps.accounts.roles import Area
from apps.core.api.idempotency import idempotent
from apps.core.api.serializers import detail_meta
from apps.core.api.viewsets import ReadOnlyAreaViewSet
from apps.core.filters import FilterSet
from apps.customers.models import Customer
from apps.customers.selectors import documents_matching
from apps.finance.models import Currency

from .. import services
from ..models import Invoice, Payment, PaymentMethod, PaymentState
from ..selectors_payments import with_credit
from .common import amount_field, decimal_text


class PaymentAllocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    date = serializers.DateField()
    amount = amount_field(help_text="Settled on the invoice (invoice currency).")
    source_amount = amount_field(help_text="Taken from the payment (payment currency).")


class PaymentSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="currency_id", read_only=True)
    allocated = amount_field(help_text="Applied to invoices (payment currency).")
    refunded = amount_field()
    credit_left = amount_field(help_text="The customer's credit from this payment.")

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "customer",
            "date",
            "method",
            "currency",
            "exchange_rate",
            "amount",
            "amount_base",
            "allocated",
            "refunded",
            "credit_left",
            "reference",
            "notes",
            "status",
            "reversal_reason",
            "reversal_date",
            "journal_entry",
            "created_at",
        ]
        read_only_fields = fields


class CreditRefundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    method = serializers.CharField()
    amount = amount_field(help_text="Paid back (payment currency).")
    exchange_rate = serializers.DecimalField(max_digits=18, decimal_places=8, read_only=True)
    reference = serializers.CharField()
    journal_entry = serializers.IntegerField(source="journal_entry_id")


class PaymentDetailSerializer(PaymentSerializer):
    allocations = PaymentAllocationSerializer(many=True, read_only=True)
    refunds = CreditRefundSerializer(many=True, read_only=True)

    Meta = detail_meta(PaymentSerializer, "allocations", "refunds")


class AllocationWriteSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())
    amount = decimal_text("In the payment's currency.")


class PaymentCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    amount = decimal_text('In the payment currency, e.g. "120.00".')
    date = serializers.DateField(required=False, help_text="Default: today.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    currency = serializers.PrimaryKeyRelatedField(
        queryset=Currency.objects.all(), required=False, help_text="Default: the base currency."
    )
    exchange_rate = decimal_text("Default: the rate on the date.", required=False)
    reference = serializers.CharField(max_length=140, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    allocations = AllocationWriteSerializer(
        many=True, required=False, help_text="Invoices this pays; the rest is customer credit."
    )


class CreditApplySerializer(serializers.Serializer):
    invoice = serializers.IntegerField(help_text="An open invoice of the payment's customer.")
    amount = decimal_text('Credit to apply, in the payment currency, e.g. "40.00".')
    date = serializers.DateField(required=False, help_text="Default: today.")


class CreditRefundWriteSerializer(serializers.Serializer):
    amount = decimal_text('Credit to pay back, in the payment currency, e.g. "40.00".')
    date = serializers.DateField(required=False, help_text="Default: today.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    exchange_rate = decimal_text("Default: the rate on the date.", required=False)
    reference = serializers.CharField(max_length=140, required=False, allow_blank=True)


class PaymentReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, allow_blank=True, help_text='Kept on the payment, e.g. "cheque bounced".'
    )
    date = serializers.DateField(required=False, help_text="Default: today.")


class PaymentFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=PaymentState.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    search = django_filters.CharFilter(
        method="by_text", help_text="Number or reference containing it, or customer."
    )

    class Meta:
        model = Payment
        fields = ["status", "customer", "method", "currency"]

    def by_text(self, queryset, name, value):
        """The payment screen's search, every payment (no short-search cut)."""
        value = value.strip()
        return (
            queryset.filter(documents_matching(value, "number", "reference")) if value else queryset
        )


class PaymentViewSet(mixins.CreateModelMixin, ReadOnlyAreaViewSet):
    """Customer payments (Dr Bank or Cash / Cr Accounts Receivable)."""

    area = Area.INVOICES
    own_actions = ("list", "retrieve")
    own_path = "customer__portal_user"
    queryset = Payment.objects.select_related("currency").prefetch_related("allocations", "refunds")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    search_fields: list = []  # `search` is the screens' search (PaymentFilter.by_text)
    ordering_fields = ["date", "number", "amount", "created_at"]
    ordering = ["-date", "-id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return with_credit(super().get_queryset())

    def get_serializer_class(self):
        return PaymentSerializer if self.action == "list" else PaymentDetailSerializer

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentDetailSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Record a payment and allocate it to the customer's open invoices (locked in
        primary-key order); what is not allocated stays as the customer's credit."""
        data = dict(self.validated(PaymentCreateSerializer))
        allocations = [(row["invoice"], row["amount"]) for row in data.pop("allocations", [])]
        payment = services.payment_record(allocations=allocations, user=request.user, **data)
        return self.answer(payment, status.HTTP_201_CREATED, Location=f"{payment.pk}/")

    @extend_schema(request=CreditApplySerializer, responses=PaymentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="apply-credit")
    @idempotent
    def apply_credit(self, request, pk=None):
        """Apply some of the credit left on the payment to an open invoice of its customer
        (an allocation dated today, or the payment's date if later)."""
        payment = self.get_object()
        data = self.validated(CreditApplySerializer)
        services.credit_apply(
            payment=payment,
            invoice=Invoice(pk=data["invoice"]),  # the service locks it (or says it is missing)
            amount=data["amount"],
            date=data.get("date"),
            user=request.user,
        )
        return self.answer(payment)

    @extend_schema(request=CreditRefundWriteSerializer, responses=PaymentDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def refund(self, request, pk=None):
        """Pay back some of the credit left on the payment (Dr AR / Cr Bank or Cash)."""
        payment = self.get_object()
        data = self.validated(CreditRefundWriteSerializer)
        services.credit_refund(payment=payment, user=request.user, **data)
        return self.answer(payment)

    @extend_schema(request=PaymentReverseSerializer, responses=PaymentDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def reverse(self, request, pk=None):
        """Reverse the payment (a bounced cheque, the wrong customer): its allocations are
        removed, so its invoices reopen, and its journal entries are reversed."""
        payment = self.get_object()
        data = self.validated(PaymentReverseSerializer)
        services.payment_reverse(payment=payment, user=request.user, **data)
        return self.answer(payment)
