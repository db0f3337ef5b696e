"""The customer receivable (base currency, the figures posted to Accounts Receivable) and
the account statement of a period. A portal customer reads only its own."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.core.api.viewsets import ReadOnlyAreaViewSet
from apps.core.models import CompanySettings
from apps.customers.models import Customer

from ..forms import StatementForm
from ..selectors import (
    ZERO,
    customer_statement,
    customer_summary,
    receivables_by_customer,
    statement_currencies,
)
from .common import amount_field


class ReceivableSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField(help_text="The base currency.")
    opening = amount_field(help_text="Opening balances posted for the customer.")
    invoices_open = amount_field(help_text="Issued invoices not yet paid or credited.")
    unapplied_credit = amount_field(help_text="Credit not yet applied to an invoice.")
    balance = amount_field(help_text="opening + invoices_open - unapplied_credit.")


class ReceivableDetailSerializer(ReceivableSerializer):
    uninvoiced_orders = amount_field(help_text="Confirmed orders' units not yet invoiced.")
    exposure = amount_field(help_text="balance + uninvoiced_orders: the credit check.")
    credit_limit = amount_field(allow_null=True)
    available_credit = amount_field(allow_null=True)


class StatementRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=["invoice", "credit_note", "opening", "payment", "reversal", "refund", "fx"]
    )
    number = serializers.CharField()
    document = serializers.IntegerField(source="document.pk", default=None, allow_null=True)
    amount = amount_field(help_text="Credit notes are negative.")
    balance = amount_field()


class StatementSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    opening = amount_field()
    rows = StatementRowSerializer(many=True)
    closing = amount_field()


def _figures(customer: Customer, receivable, currency: str) -> dict:
    return {
        "customer": customer.pk,
        "code": customer.code,
        "name": customer.name,
        "currency": currency,
        "opening": receivable.opening if receivable else ZERO,
        "invoices_open": receivable.invoices_open if receivable else ZERO,
        "unapplied_credit": receivable.unapplied_credit if receivable else ZERO,
        "balance": receivable.balance if receivable else ZERO,
    }


class ReceivableViewSet(ReadOnlyAreaViewSet):
    """What each customer owes (`{id}` is the customer's id) and its statement."""

    area = Area.INVOICES
    own_actions = ("list", "retrieve", "statement")
    own_path = "portal_user"
    queryset = Customer.objects.all()
    serializer_class = ReceivableSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["active"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        figures = receivables_by_customer()
        currency = CompanySettings.load().base_currency
        rows = [_figures(c, figures.get(c.pk), currency) for c in page]
        return self.get_paginated_response(ReceivableSerializer(rows, many=True).data)

    @extend_schema(responses=ReceivableDetailSerializer)
    def retrieve(self, request, pk=None):
        customer = self.get_object()
        summary = customer_summary(customer)
        body = _figures(customer, summary.receivable, CompanySettings.load().base_currency)
        body.update(
            uninvoiced_orders=summary.uninvoiced_orders,
            exposure=summary.exposure,
            credit_limit=summary.credit_limit,
            available_credit=summary.available_credit,
        )
        return Response(ReceivableDetailSerializer(body).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="Default: 1 January of this year."
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Default: today."),
            OpenApiParameter(
                "currency",
                OpenApiTypes.STR,
                description="A currency of the customer's documents (their own amounts), or the"
                " base currency (the figures posted to the books). Default: the base currency.",
            ),
        ],
        responses=StatementSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def statement(self, request, pk=None):
        """Opening balance at `start`, every issued document of the period with the running
        balance, and the closing balance (same figures as the portal's statement)."""
        customer = self.get_object()
        today = CompanySettings.load().today()
        period = {"start": today.replace(month=1, day=1), "end": today}
        form = StatementForm(
            {**period, **request.query_params.dict()}, currencies=statement_currencies(customer)
        )
        if not form.is_valid():
            raise serializers.ValidationError(_errors(form))
        statement = customer_statement(customer, **form.cleaned_data)
        body = {
            "customer": customer.pk,
            "start": statement.start,
            "end": statement.end,
            "currency": statement.currency,
            "opening": statement.opening,
            "rows": statement.rows,
            "closing": statement.closing,
        }
        return Response(StatementSerializer(body).data)


def _errors(form) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}
