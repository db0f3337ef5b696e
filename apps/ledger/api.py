"""Ledger API: chart of accounts, journal entries (+reverse), journal lines, trial balance."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.core.api.idempotency import idempotent
from apps.core.api.pagination import CursorPages
from apps.core.api.viewsets import AreaViewSet, ReadOnlyAreaViewSet
from apps.core.filters import FilterSet

from . import selectors, services
from .models import Account, JournalEntry, JournalLine


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = [
            "id",
            "code",
            "name",
            "type",
            "currency",
            "parent",
            "balance",
            "is_group",
            "active",
        ]


class AccountViewSet(ReadOnlyAreaViewSet):
    """The chart of accounts with stored balances (account currency)."""

    area = Area.LEDGER
    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_fields = ["type", "is_group", "active", "parent", "currency"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "balance"]
    ordering = ["code"]


class LineSerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code", read_only=True)
    date = serializers.DateField(source="entry.date", read_only=True)

    class Meta:
        model = JournalLine
        fields = [
            "id",
            "entry",
            "date",
            "account",
            "account_code",
            "debit",
            "credit",
            "base_debit",
            "base_credit",
            "memo",
        ]


class EntrySerializer(serializers.ModelSerializer):
    lines = LineSerializer(many=True, read_only=True)
    source_type = serializers.CharField(source="source_type.model", read_only=True, default="")

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "date",
            "memo",
            "reference",
            "currency",
            "rate",
            "source_type",
            "source_id",
            "reverses",
            "posted_by",
            "posted_at",
            "lines",
        ]


class ReverseSerializer(serializers.Serializer):
    memo = serializers.CharField(max_length=200, allow_blank=True)


class EntryFilter(FilterSet):
    search = django_filters.CharFilter(
        method="by_text",
        help_text="Memo or reference containing it, or a source document's key.",
    )

    class Meta:
        model = JournalEntry
        fields = {"date": ["exact", "gte", "lte"], "reference": ["exact"], "currency": ["exact"]}

    def by_text(self, queryset, name, value):
        """The journal screen's search, every entry (no short-search cut)."""
        value = value.strip()
        return queryset.filter(selectors.entries_matching(value)) if value else queryset


class JournalEntryViewSet(ReadOnlyAreaViewSet):
    """Posted journal entries (immutable). `reverse/` posts the mirror entry; entries with a
    source document are reversed at the source (same rule as the ledger screen)."""

    area = Area.LEDGER
    queryset = JournalEntry.objects.select_related("source_type").prefetch_related("lines__account")
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    search_fields: list = []  # `search` is the journal screen's search (EntryFilter.by_text)
    ordering_fields = ["date", "posted_at"]
    ordering = ["-posted_at"]

    @extend_schema(request=ReverseSerializer, responses={201: EntrySerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def reverse(self, request, pk=None):
        entry = self.get_object()
        data = self.validated(ReverseSerializer)
        reversal = services.journal_reverse_manual(
            entry=entry, memo=data["memo"], posted_by=request.user
        )
        return Response(EntrySerializer(self.get_queryset().get(pk=reversal.pk)).data, status=201)


class LinePages(CursorPages):
    ordering = ("-id",)


class JournalLineViewSet(ReadOnlyAreaViewSet):
    """Every journal line (cursor pages, newest first): an account's ledger with ?account=."""

    area = Area.LEDGER
    queryset = JournalLine.objects.select_related("account", "entry")
    serializer_class = LineSerializer
    pagination_class = LinePages
    filterset_fields = {"account": ["exact"], "entry": ["exact"], "entry__date": ["gte", "lte"]}
    ordering_fields: list = []


class TrialBalanceRowSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="account.pk")
    code = serializers.CharField(source="account.code")
    name = serializers.CharField(source="account.name")
    debit = serializers.DecimalField(max_digits=18, decimal_places=2)
    credit = serializers.DecimalField(max_digits=18, decimal_places=2)


class TrialBalanceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rows = TrialBalanceRowSerializer(many=True)
    total_debit = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_credit = serializers.DecimalField(max_digits=18, decimal_places=2)
    balanced = serializers.BooleanField()


class TrialBalanceQuery(serializers.Serializer):
    as_of = serializers.DateField(required=False)
    include_zero = serializers.BooleanField(required=False, default=False)


class TrialBalanceViewSet(AreaViewSet):
    """Every account's balance on a date (base currency); the two totals must agree."""

    single_object = True  # `list` answers one object

    area = Area.LEDGER
    serializer_class = TrialBalanceSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", dt.date, description="Default: today."),
            OpenApiParameter("include_zero", bool),
        ]
    )
    def list(self, request):
        query = self.validated(TrialBalanceQuery, request.query_params)
        as_of = query.get("as_of") or timezone.localdate()
        balance = selectors.trial_balance(as_of, include_zero=query["include_zero"])
        return Response(TrialBalanceSerializer(balance).data)
