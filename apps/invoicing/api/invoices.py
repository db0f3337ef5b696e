"""Invoices: list (status incl. the derived payment status, customer, series, dates,
amounts, search), read with lines and tax breakdown, drafts (free or from an order's
uninvoiced units), their lines, issue / void / email, the archived PDF and XML."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Case, F, Value, When
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404

from apps.catalog.models import Product
from apps.core.api.idempotency import idempotent
from apps.core.api.serializers import detail_meta
from apps.core.filters import FilterSet
from apps.customers.models import Customer
from apps.finance.models import Currency, TaxRate
from apps.sales.models import Order

from .. import services
from ..filters import STATUS_CHOICES, CustomerLookupMixin, InvoiceFilter
from ..models import DocumentKind, Invoice, InvoiceLine, InvoiceStatus, Series
from ..selectors import (
    AMOUNT,
    ZERO,
    PaymentStatus,
    invoice_breakdown,
    payment_status,
    with_balances,
)
from ..services.invoices import LINE_FIELDS
from .common import (
    NEWEST_FIRST,
    DocumentSerializer,
    DocumentViewSet,
    IssueSerializer,
    TaxGroupSerializer,
    amount_field,
    decimal_text,
    quantities_of,
)


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["id", "position", "order_line", *LINE_FIELDS, "tax_name", "tax_percent"]
        fields += ["gross", "discount", "document_discount", "net", "tax", "total"]


class InvoiceSerializer(DocumentSerializer):
    payment_status = serializers.SerializerMethodField(
        help_text="Issued invoices: derived from allocations and the due date; else null."
    )
    allocated = amount_field(help_text="Paid or credited so far (invoice currency).")
    open_amount = amount_field(source="open_balance", help_text="Left to pay; 0 on drafts.")

    class Meta:
        model = Invoice
        fields = [
            *DocumentSerializer.HEAD,
            "payment_status",
            "order",
            "due_date",
            *DocumentSerializer.MONEY,
            "subtotal",
            "discount_total",
            "allocated",
            "open_amount",
            "voided_at",
            "void_reason",
            *DocumentSerializer.TRAIL,
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=PaymentStatus.choices, allow_null=True, read_only=True)
    )
    def get_payment_status(self, invoice) -> str | None:
        return payment_status(invoice, today=self.context.get("today"))


class AllocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    credit_note = serializers.IntegerField(source="credit_note_id", allow_null=True)
    payment = serializers.IntegerField(source="payment_id", allow_null=True)
    date = serializers.DateField()
    amount = amount_field()


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    tax_breakdown = serializers.SerializerMethodField()
    credit_notes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    Meta = detail_meta(
        InvoiceSerializer,
        *DocumentSerializer.DETAIL,
        "customer_reference",
        "payment_terms_days",
        "terms",
        "notes",
        "discount_amount",
        "lines",
        "tax_breakdown",
        "credit_notes",
        "allocations",
    )

    @extend_schema_field(TaxGroupSerializer(many=True))
    def get_tax_breakdown(self, invoice) -> list[dict]:
        return TaxGroupSerializer(invoice_breakdown(invoice), many=True).data


class InvoiceLineWriteSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Default: the product's name."
    )
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    quantity = decimal_text('Units, e.g. "2" or "1.5".')
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    unit_price = decimal_text('In the invoice currency, e.g. "12.50".')
    discount_percent = decimal_text('e.g. "10"; default 0.', required=False, allow_blank=True)
    tax_rate = serializers.PrimaryKeyRelatedField(
        queryset=TaxRate.objects.all(), required=False, allow_null=True
    )


class InvoiceLineUpdateSerializer(InvoiceLineWriteSerializer):
    quantity = decimal_text("Units.", required=False)
    unit_price = decimal_text("In the invoice currency.", required=False)


class HeaderSerializer(serializers.Serializer):
    """The draft's header fields (all optional)."""

    issue_date = serializers.DateField(required=False, allow_null=True)
    payment_terms_days = serializers.IntegerField(
        required=False, min_value=-(2**31), max_value=2**31, help_text="0 to 365 days."
    )
    customer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    terms = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    discount_amount = decimal_text("Off the whole invoice, spread over the lines.", required=False)


class InvoiceUpdateSerializer(HeaderSerializer):
    billing_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    billing_address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    billing_tax_id = serializers.CharField(max_length=50, required=False, allow_blank=True)


def invoice_series():
    return Series.objects.filter(kind=DocumentKind.INVOICE)


class InvoiceCreateSerializer(HeaderSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    currency = serializers.PrimaryKeyRelatedField(
        queryset=Currency.objects.all(), required=False, help_text="Default: the customer's."
    )
    series = serializers.SlugRelatedField(
        slug_field="code", queryset=invoice_series(), required=False, help_text="e.g. INV."
    )
    lines = InvoiceLineWriteSerializer(many=True, required=False)


class OrderQuantitySerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    quantity = decimal_text("Units of this order line to invoice.")


class FromOrderSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all())
    lines = OrderQuantitySerializer(
        many=True, required=False, help_text="Default: every unit not yet invoiced."
    )
    series = serializers.SlugRelatedField(
        slug_field="code", queryset=invoice_series(), required=False
    )
    issue_date = serializers.DateField(required=False)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class InvoiceAPIFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="by_status",
        help_text="draft, issued, void, or the payment status of issued invoices.",
    )
    series = django_filters.CharFilter(field_name="series__code", lookup_expr="iexact")
    issue_date_after = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issue_date_before = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")
    due_date_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    min_total = django_filters.NumberFilter(field_name="total", lookup_expr="gte")
    max_total = django_filters.NumberFilter(field_name="total", lookup_expr="lte")
    search = django_filters.CharFilter(method="by_text", help_text="Number or customer.")

    # the screens' own filters: the same statuses and the same search
    by_status = InvoiceFilter.by_status
    by_text = CustomerLookupMixin.search

    class Meta:
        model = Invoice
        fields = ["status", "customer", "order", "currency"]


class InvoiceViewSet(DocumentViewSet):
    """Invoices. Drafts are created (free lines, or `from-order/`), edited (PATCH, lines)
    and deleted; `issue/` numbers, posts and archives one; `void/` credits an issued one in
    full. A portal customer reads only its own issued invoices."""

    queryset = Invoice.objects.select_related("currency", "series", "customer").prefetch_related(
        "lines", "credit_notes", "allocations"
    )
    serializer_class = InvoiceSerializer
    detail_serializer_class = InvoiceDetailSerializer
    filterset_class = InvoiceAPIFilter
    search_fields: list = []  # `search` is the screens' search
    ordering_fields = ["issue_date", "due_date", "number", "total", "created_at"]
    ordering = NEWEST_FIRST

    def get_queryset(self):
        return with_balances(super().get_queryset()).annotate(
            open_balance=Case(
                When(status=InvoiceStatus.DRAFT, then=Value(ZERO)),
                default=F("open_amount"),
                output_field=AMOUNT,
            )
        )

    def delete_draft(self, document) -> None:
        services.invoice_delete(invoice=document, user=self.request.user)

    def _created(self, invoice):
        return self.answer(
            invoice, status.HTTP_201_CREATED, InvoiceDetailSerializer, Location=f"{invoice.pk}/"
        )

    @extend_schema(request=InvoiceCreateSerializer, responses={201: InvoiceDetailSerializer})
    def create(self, request):
        """A draft invoice with free lines (services, fees); nothing is numbered or posted
        until `issue/`."""
        data = dict(self.validated(InvoiceCreateSerializer))
        lines = data.pop("lines", [])
        invoice = services.invoice_create(lines=lines, user=request.user, **data)
        return self._created(invoice)

    @extend_schema(request=FromOrderSerializer, responses={201: InvoiceDetailSerializer})
    @action(detail=False, methods=["post"], url_path="from-order")
    def from_order(self, request):
        """A draft invoice of a confirmed order's units not yet invoiced (all, or the
        quantities sent per order line)."""
        data = self.validated(FromOrderSerializer)
        invoice = services.invoice_create_from_order(
            order=data["order"],
            quantities=quantities_of(data, "order_line"),
            series=data.get("series"),
            issue_date=data.get("issue_date"),
            user=request.user,
        )
        return self._created(invoice)

    @extend_schema(request=InvoiceUpdateSerializer, responses=InvoiceDetailSerializer)
    def partial_update(self, request, pk=None):
        """Change a draft's header (dates, terms, texts, invoice discount, billing)."""
        invoice = self.get_object()
        changes = self.validated(InvoiceUpdateSerializer)
        if changes:
            invoice = services.invoice_update(invoice=invoice, user=request.user, **changes)
        return self.answer(invoice)

    @extend_schema(
        request=InvoiceLineWriteSerializer(many=True),
        responses={201: InvoiceDetailSerializer},
        description="Add lines to a draft, one or many at once (all or nothing).",
    )
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        invoice = self.get_object()
        many = isinstance(request.data, list)
        rows = self.validated(InvoiceLineWriteSerializer, many=many)
        with transaction.atomic():
            for row in rows if many else [rows]:
                services.invoice_line_add(invoice=invoice, user=request.user, **row)
        return self.answer(invoice, status.HTTP_201_CREATED)

    def _line(self, line_id) -> InvoiceLine:
        return get_object_or_404(InvoiceLine, pk=line_id, invoice=self.get_object())

    @extend_schema(request=InvoiceLineUpdateSerializer, responses=InvoiceDetailSerializer)
    @action(detail=True, methods=["patch"], url_path=r"lines/(?P<line_id>\d+)")
    def line(self, request, pk=None, line_id=None):
        line = self._line(line_id)
        changes = self.validated(InvoiceLineUpdateSerializer)
        services.invoice_line_update(line=line, user=request.user, **changes)
        return self.answer(line.invoice)

    @extend_schema(responses=InvoiceDetailSerializer)
    @line.mapping.delete
    def line_delete(self, request, pk=None, line_id=None):
        line = self._line(line_id)
        return self.answer(services.invoice_line_remove(line=line, user=request.user))

    @extend_schema(request=IssueSerializer, responses=InvoiceDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def issue(self, request, pk=None):
        """Number, freeze, post (Dr AR / Cr Sales, Tax) and chain the draft; its PDF is
        archived once. Issuing an issued invoice is refused and changes nothing."""
        invoice = self.get_object()
        data = self.validated(IssueSerializer)
        invoice = services.invoice_issue(
            invoice=invoice, issue_date=data.get("issue_date"), user=request.user
        )
        return self.answer(invoice)

    @extend_schema(request=VoidSerializer, responses=InvoiceDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def void(self, request, pk=None):
        """Void an issued invoice: a credit note for everything not yet credited is issued
        and applied to its open balance."""
        invoice = self.get_object()
        data = self.validated(VoidSerializer)
        invoice = services.invoice_void(invoice=invoice, reason=data["reason"], user=request.user)
        return self.answer(invoice)
