"""Bank statements through the API, on the services of the bank screens
(apps/invoicing/services/bank.py): accounts, upload (CSV, CAMT.053, OFX; multipart) with its
preview, the column mapping of a CSV, the import (queued for the worker, 202), the lines
with their suggested matches, and a line's decisions: confirm a suggestion, match it by
hand, ignore or bring it back, undo a match (reverses its payment).

Like the screens, Accountant and Admin only (reading too: the lines show customers' money).
Confirming, matching by hand and undoing move money: they accept an Idempotency-Key.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser

from apps.accounts.roles import Area
from apps.core.api.idempotency import idempotent
from apps.core.api.problems import problem_response
from apps.core.api.serializers import detail_meta
from apps.core.api.viewsets import ReadOnlyAreaViewSet, RecordViewSet
from apps.core.filters import FilterSet
from apps.customers.models import Customer

from ..forms_bank import FORMAT_CHOICES
from ..models import (
    BankAccount,
    BankLine,
    BankMatch,
    BankMatchInvoice,
    BankStatement,
    Invoice,
    LineStatus,
    MatchStatus,
    StatementStatus,
)
from ..services import bank as service

# Every bank endpoint needs write on invoices, reading too (as the screens' BankArea).
EVERY_ACTION = (
    "list",
    "retrieve",
    "create",
    "update",
    "partial_update",
    "start_import",
    "mapping",
    "ignore",
    "reopen",
    "match",
    "apply",
    "undo",
)
WRITE_ONLY = {name: "write" for name in EVERY_ACTION}
NOT_READY = "This statement is not ready to import."


class BankArea:
    area = Area.INVOICES
    action_needs = WRITE_ONLY
    lookup_value_regex = r"\d+"


# --- accounts --------------------------------------------------------------------------


class BankAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankAccount
        fields = ["id", "name", "iban", "currency", "active", "notes"]

    def validate_iban(self, value: str) -> str:
        return "".join(value.split()).upper()  # as the screen's form keeps it


class BankAccountViewSet(BankArea, RecordViewSet):
    """The company's bank accounts (statements are imported into one)."""

    queryset = BankAccount.objects.all()
    serializer_class = BankAccountSerializer
    filterset_fields = ["active", "currency"]
    search_fields = ["name", "iban"]
    ordering_fields = ["name"]
    ordering = ["name", "id"]


# --- statements ------------------------------------------------------------------------


class BankStatementSerializer(serializers.ModelSerializer):
    to_review = serializers.IntegerField(
        read_only=True, help_text="Lines suggested, or money in left unmatched."
    )

    class Meta:
        model = BankStatement
        fields = [
            "id",
            "account",
            "format",
            "file_name",
            "status",
            "progress",
            "row_count",
            "lines_added",
            "lines_duplicate",
            "matches_applied",
            "to_review",
            "error",
            "created_at",
            "imported_at",
        ]
        read_only_fields = fields


class BankStatementDetailSerializer(BankStatementSerializer):
    mapping = serializers.JSONField(read_only=True, help_text="CSV: our field -> its column.")
    preview = serializers.JSONField(read_only=True, help_text="The first rows as read.")
    errors = serializers.JSONField(read_only=True, help_text="Rows that cannot be imported.")

    Meta = detail_meta(BankStatementSerializer, "mapping", "preview", "errors")


class StatementUploadSerializer(serializers.Serializer):
    account = serializers.PrimaryKeyRelatedField(queryset=BankAccount.objects.filter(active=True))
    format = serializers.ChoiceField(
        choices=FORMAT_CHOICES, required=False, help_text="Empty: recognised from the file."
    )
    file = serializers.FileField(help_text="CAMT.053 (XML), OFX or CSV.")


class MappingSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.CharField(max_length=200),
        help_text='Our field -> the CSV column, e.g. {"date": "Booking date", "amount": '
        '"Amount", "date_format": "%d.%m.%Y", "decimal": ","}.',
    )


class StatementFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices)

    class Meta:
        model = BankStatement
        fields = ["account", "status", "format"]


TO_REVIEW = Q(lines__status=LineStatus.SUGGESTED) | Q(
    lines__status=LineStatus.UNMATCHED, lines__amount__gt=0
)


class BankStatementViewSet(BankArea, ReadOnlyAreaViewSet):
    """Uploaded statements: preview, then import (the worker inserts and matches lines)."""

    queryset = BankStatement.objects.annotate(to_review=Count("lines", filter=TO_REVIEW))
    serializer_class = BankStatementSerializer
    filterset_class = StatementFilter
    search_fields = ["file_name"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_serializer_class(self):
        return BankStatementSerializer if self.action == "list" else BankStatementDetailSerializer

    @extend_schema(
        request={"multipart/form-data": StatementUploadSerializer},
        responses={201: BankStatementDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Upload a file (multipart: `account`, `file`, optional `format`). Nothing is
        imported yet: the answer is the preview (`status` previewed, or invalid with the
        rows' errors; a CSV may need its `mapping/` first)."""
        data = self.validated(StatementUploadSerializer)
        statement = service.statement_upload(
            account=data["account"],
            upload=data["file"],
            fmt=data.get("format", ""),
            user=request.user,
        )
        return self.answer(statement, status.HTTP_201_CREATED, Location=f"{statement.pk}/")

    def get_parsers(self):
        """The upload is multipart (JSON too, which carries no file: a 400 saying so)."""
        request = getattr(self, "request", None)
        method = getattr(request, "method", "") or ""
        if getattr(self, "action_map", {}).get(method.lower()) == "create":
            return [MultiPartParser(), JSONParser()]
        return super().get_parsers()

    @extend_schema(request=MappingSerializer, responses=BankStatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def mapping(self, request, pk=None):
        """Read a CSV statement again with another column mapping (saved on the account)."""
        statement = self.get_object()
        data = self.validated(MappingSerializer)
        service.statement_remap(statement=statement, mapping=data["mapping"], user=request.user)
        return self.answer(statement)

    @extend_schema(request=None, responses={202: BankStatementDetailSerializer})
    @action(detail=True, methods=["post"], url_path="import")
    @idempotent
    def start_import(self, request, pk=None):
        """Queue the import of a previewed statement (once: a second call answers 409). Poll
        the statement until `status` is imported (or failed, with `error`)."""
        statement = self.get_object()
        if not service.statement_import_start(statement=statement, user=request.user):
            return problem_response(409, NOT_READY, slug="not-ready", instance=request.path)
        return self.answer(statement, status.HTTP_202_ACCEPTED)


# --- lines and matches -----------------------------------------------------------------


class MatchInvoiceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = BankMatchInvoice
        fields = ["invoice", "number", "amount"]
        read_only_fields = fields


class BankMatchSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    invoices = MatchInvoiceSerializer(many=True, read_only=True)

    class Meta:
        model = BankMatch
        fields = [
            "id",
            "line",
            "customer",
            "customer_name",
            "reason",
            "detail",
            "exact",
            "status",
            "automatic",
            "payment",
            "invoices",
            "decided_at",
        ]
        read_only_fields = fields


class BankLineSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="account.currency_id", read_only=True)
    matches = BankMatchSerializer(many=True, read_only=True, help_text="Not dismissed ones.")

    class Meta:
        model = BankLine
        fields = [
            "id",
            "statement",
            "account",
            "date",
            "amount",
            "currency",
            "bank_reference",
            "payer_name",
            "payer_iban",
            "reference",
            "text",
            "status",
            "matches",
        ]
        read_only_fields = fields


class AllocationSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)


class LineMatchSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    allocations = AllocationSerializer(
        many=True, required=False, help_text="The customer's invoices; the rest is its credit."
    )


class UndoSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="The payment is reversed with it; its invoices reopen."
    )


class LineFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=LineStatus.choices)
    review = django_filters.BooleanFilter(
        method="to_review", help_text="true: suggested, or money in left unmatched."
    )

    class Meta:
        model = BankLine
        fields = ["statement", "account", "status"]

    def to_review(self, queryset, name, value):
        wanted = Q(status=LineStatus.SUGGESTED) | Q(status=LineStatus.UNMATCHED, amount__gt=0)
        return queryset.filter(wanted) if value else queryset.exclude(wanted)


OPEN_MATCHES = BankMatch.objects.exclude(status=MatchStatus.DISMISSED).select_related("customer")


class BankLineViewSet(BankArea, ReadOnlyAreaViewSet):
    """Imported lines with their (not dismissed) matches; decide each one."""

    queryset = BankLine.objects.select_related("account").prefetch_related(
        Prefetch("matches", queryset=OPEN_MATCHES.prefetch_related("invoices__invoice"))
    )
    serializer_class = BankLineSerializer
    filterset_class = LineFilter
    search_fields = ["payer_name", "reference", "text", "bank_reference"]
    ordering_fields = ["date", "amount"]
    ordering = ["date", "id"]

    @extend_schema(request=LineMatchSerializer, responses=BankLineSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def match(self, request, pk=None):
        """Match the line by hand: the customer who paid and how much goes to which of its
        invoices (none: all of it is customer credit). Records the payment."""
        line = self.get_object()
        data = self.validated(LineMatchSerializer)
        allocations = [(row["invoice"], row["amount"]) for row in data.get("allocations", [])]
        service.bank_match_correct(
            line=line, customer=data["customer"], allocations=allocations, user=request.user
        )
        return self.answer(line)

    @extend_schema(request=None, responses=BankLineSerializer)
    @action(detail=True, methods=["post"])
    def ignore(self, request, pk=None):
        """Not a customer payment (a fee, a transfer between own accounts): set it aside."""
        line = self.get_object()
        service.bank_line_ignore(line=line, user=request.user)
        return self.answer(line)

    @extend_schema(request=None, responses=BankLineSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Bring an ignored line back (matches are proposed again)."""
        line = self.get_object()
        service.bank_line_reopen(line=line, user=request.user)
        return self.answer(line)


class BankMatchViewSet(BankArea, ReadOnlyAreaViewSet):
    """Matches of lines: confirm a suggestion, undo an applied one."""

    queryset = BankMatch.objects.select_related("customer").prefetch_related("invoices__invoice")
    serializer_class = BankMatchSerializer
    filterset_fields = ["line", "status", "customer"]
    ordering_fields = ["id"]
    ordering = ["line", "id"]

    @extend_schema(request=None, responses=BankMatchSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def apply(self, request, pk=None):
        """Confirm the suggestion: the line's amount is recorded as a payment of the
        match's customer, allocated to its invoices; the line's other suggestions are
        dismissed."""
        match = service.bank_match_apply(match=self.get_object(), user=request.user)
        return self.answer(match)

    @extend_schema(request=UndoSerializer, responses=BankMatchSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def undo(self, request, pk=None):
        """Undo an applied match: its payment is reversed (the invoices reopen) and the
        line is open again, with fresh suggestions."""
        match = self.get_object()
        data = self.validated(UndoSerializer)
        service.bank_match_undo(match=match, reason=data["reason"], user=request.user)
        return self.answer(match)
