"""Credit notes: list, read, a draft from an issued invoice (some units of some lines, or
everything left), issue (posts the reverse and applies it to the invoice), delete a draft,
email, the archived PDF and XML."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from apps.core.api.idempotency import idempotent
from apps.core.api.serializers import detail_meta
from apps.core.filters import FilterSet

from .. import services
from ..filters import CustomerLookupMixin
from ..models import CreditNote, CreditNoteLine, CreditNoteStatus, DocumentKind, Invoice, Series
from .common import (
    NEWEST_FIRST,
    DocumentSerializer,
    DocumentViewSet,
    IssueSerializer,
    decimal_text,
    quantities_of,
)


class CreditNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = [
            "id",
            "position",
            "invoice_line",
            "return_line",
            "description",
            "sku",
            "quantity",
            "unit",
            "unit_price",
            "tax_name",
            "tax_percent",
            "net",
            "tax",
            "total",
        ]


class CreditNoteSerializer(DocumentSerializer):
    class Meta:
        model = CreditNote
        fields = [
            *DocumentSerializer.HEAD,
            "invoice",
            "return_doc",
            "reason",
            *DocumentSerializer.MONEY,
            *DocumentSerializer.TRAIL,
        ]
        read_only_fields = fields


class CreditNoteDetailSerializer(CreditNoteSerializer):
    lines = CreditNoteLineSerializer(many=True, read_only=True)

    Meta = detail_meta(CreditNoteSerializer, *DocumentSerializer.DETAIL, "lines")


class CreditQuantitySerializer(serializers.Serializer):
    invoice_line = serializers.IntegerField(min_value=1)
    quantity = decimal_text("Units of this invoice line to credit.")


class CreditNoteCreateSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    lines = CreditQuantitySerializer(
        many=True, required=False, help_text="Default: every unit not yet credited."
    )
    series = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Series.objects.filter(kind=DocumentKind.CREDIT_NOTE),
        required=False,
        help_text="e.g. CN.",
    )


class CreditNoteFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=CreditNoteStatus.choices)
    issue_date_after = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issue_date_before = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")
    search = django_filters.CharFilter(method="by_text", help_text="Number or customer.")

    by_text = CustomerLookupMixin.search

    class Meta:
        model = CreditNote
        fields = ["status", "customer", "invoice"]


class CreditNoteViewSet(DocumentViewSet):
    """Credit notes (money back on an issued invoice; their own series). A portal customer
    reads only its own issued ones."""

    queryset = CreditNote.objects.select_related("currency", "series", "customer").prefetch_related(
        "lines"
    )
    serializer_class = CreditNoteSerializer
    detail_serializer_class = CreditNoteDetailSerializer
    filterset_class = CreditNoteFilter
    search_fields: list = []
    ordering_fields = ["issue_date", "number", "total", "created_at"]
    ordering = NEWEST_FIRST

    def delete_draft(self, document) -> None:
        services.credit_note_delete(credit_note=document, user=self.request.user)

    @extend_schema(request=CreditNoteCreateSerializer, responses={201: CreditNoteDetailSerializer})
    def create(self, request):
        """A draft credit note on an issued invoice: never more than invoiced minus
        already credited; one draft per invoice at a time."""
        data = self.validated(CreditNoteCreateSerializer)
        note = services.credit_note_create(
            invoice=data["invoice"],
            reason=data["reason"],
            quantities=quantities_of(data, "invoice_line"),
            series=data.get("series"),
            user=request.user,
        )
        return self.answer(note, status.HTTP_201_CREATED, Location=f"{note.pk}/")

    @extend_schema(request=IssueSerializer, responses=CreditNoteDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def issue(self, request, pk=None):
        """Number the draft (its own series), post Dr Sales Returns, Tax / Cr AR, and apply
        it to the invoice's open balance; the rest is the customer's credit."""
        note = self.get_object()
        data = self.validated(IssueSerializer)
        note = services.credit_note_issue(
            credit_note=note, issue_date=data.get("issue_date"), user=request.user
        )
        return self.answer(note)
