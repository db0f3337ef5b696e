"""Payments: list, read (with allocations and the credit left), record one (POST, with an
Idempotency-Key: a resent payment is recorded once). Applying credit, refunds and reversals
stay on the screens for now. A portal customer reads only its own payments."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status

from apps.accounts.roles import Area
from apps.core.api.idempotency import idempotent
from apps.core.api.serializers import detail_meta
from apps.core.api.viewsets import ReadOnlyAreaViewSet
from apps.customers.models import Customer
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


class PaymentDetailSerializer(PaymentSerializer):
    allocations = PaymentAllocationSerializer(many=True, read_only=True)

    Meta = detail_meta(PaymentSerializer, "allocations")


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


class PaymentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PaymentState.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["status", "customer", "method", "currency"]


class PaymentViewSet(mixins.CreateModelMixin, ReadOnlyAreaViewSet):
    """Customer payments (Dr Bank or Cash / Cr Accounts Receivable)."""

    area = Area.INVOICES
    own_actions = ("list", "retrieve")
    own_path = "customer__portal_user"
    queryset = Payment.objects.select_related("currency").prefetch_related("allocations")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    search_fields = ["number", "reference", "customer__name", "customer__code"]
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
