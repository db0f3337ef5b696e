"""Credit API: sellers (+balance), top-up requests (+approve/reject/cancel), charges
(sell) and the transaction log. A seller sees only its own rows (404 otherwise).

Charges and approvals accept an Idempotency-Key; for a charge the key is also the credit
service's own submission key (per seller), so a charge is applied exactly once even when
the same key arrives through the seller's form and the API.
"""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.core.api.idempotency import HEADER, idempotent
from apps.core.api.pagination import CursorPages
from apps.core.api.viewsets import AreaViewSet, ReadOnlyAreaViewSet

from . import services
from .models import CreditRequest, Seller, TransactionLog, TransactionType


class SellerSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    currency = serializers.CharField(source="account.currency_id", read_only=True)

    class Meta:
        model = Seller
        fields = [
            "id",
            "company",
            "email",
            "phone",
            "status",
            "balance",
            "currency",
            "account",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class SellerCreateSerializer(serializers.Serializer):
    company = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    password = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=128
    )


class BalanceSerializer(serializers.Serializer):
    seller = serializers.IntegerField()
    balance = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()


class _SellerScoped(AreaViewSet):
    area = Area.CREDIT
    own_path = "seller__user"

    def own_seller(self) -> Seller:
        seller = Seller.objects.select_related("account__currency").filter(user=self.request.user)
        if not seller.exists():
            raise NotFound("No seller account belongs to this login.")
        return seller.get()


class SellerViewSet(ReadOnlyAreaViewSet, _SellerScoped):
    """Sellers with their credit balance (base currency). A seller sees itself only."""

    own_actions = ("list", "retrieve", "balance")
    own_path = "user"
    queryset = Seller.objects.select_related("user", "account")
    serializer_class = SellerSerializer
    filterset_fields = ["status"]
    search_fields = ["company", "user__email"]
    ordering_fields = ["company", "balance", "created_at"]
    ordering = ["company"]

    @extend_schema(request=SellerCreateSerializer, responses={201: SellerSerializer})
    def create(self, request):
        data = self.validated(SellerCreateSerializer)
        seller = services.seller_create(**data)
        return Response(SellerSerializer(seller).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=BalanceSerializer)
    @action(detail=True, methods=["get"])
    def balance(self, request, pk=None):
        seller = self.get_object()
        body = {
            "seller": seller.pk,
            "balance": seller.balance,
            "currency": seller.account.currency_id,
        }
        return Response(BalanceSerializer(body).data)


class CreditRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditRequest
        fields = [
            "id",
            "seller",
            "amount",
            "note",
            "status",
            "decided_by",
            "decided_at",
            "reason",
            "entry",
            "created_at",
        ]
        read_only_fields = fields


class CreditRequestCreateSerializer(serializers.Serializer):
    amount = serializers.CharField(max_length=40, help_text='A decimal string, e.g. "250.00".')
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    seller = serializers.PrimaryKeyRelatedField(
        queryset=Seller.objects.all(), required=False, help_text="Staff only: for which seller."
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class CreditRequestViewSet(ReadOnlyAreaViewSet, _SellerScoped):
    """Top-up requests. A seller asks (POST) and may cancel while pending; an Accountant
    or Admin approves (posts Dr Bank / Cr Seller Credit, exactly once) or rejects."""

    own_actions = ("list", "retrieve", "create", "cancel")
    action_needs = {"approve": "write", "reject": "write"}
    queryset = CreditRequest.objects.all()
    serializer_class = CreditRequestSerializer
    filterset_fields = ["seller", "status"]
    ordering_fields = ["created_at", "amount"]
    ordering = ["-created_at", "-id"]

    @extend_schema(request=CreditRequestCreateSerializer, responses={201: CreditRequestSerializer})
    def create(self, request):
        data = self.validated(CreditRequestCreateSerializer)
        seller = self._seller_for(data.get("seller"))
        credit_request = services.creditrequest_create(
            seller=seller,
            amount=data["amount"],
            note=data.get("note", ""),
        )
        return Response(
            CreditRequestSerializer(credit_request).data, status=status.HTTP_201_CREATED
        )

    def _seller_for(self, seller: Seller | None) -> Seller:
        if getattr(self.request, "own_scope", False):
            return self.own_seller()
        if seller is None:
            raise serializers.ValidationError({"seller": ["Choose the seller."]})
        return seller

    @extend_schema(request=None, responses=CreditRequestSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        credit_request = self.get_object()
        services.creditrequest_approve(credit_request=credit_request, by=request.user)
        credit_request.refresh_from_db()
        return Response(CreditRequestSerializer(credit_request).data)

    @extend_schema(request=RejectSerializer, responses=CreditRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        credit_request = self.get_object()
        data = self.validated(RejectSerializer)
        credit_request = services.creditrequest_reject(
            credit_request=credit_request, reason=data["reason"], by=request.user
        )
        return Response(CreditRequestSerializer(credit_request).data)

    @extend_schema(request=None, responses=CreditRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        credit_request = services.creditrequest_cancel(
            credit_request=self.get_object(), by=request.user
        )
        return Response(CreditRequestSerializer(credit_request).data)


class TransactionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransactionLog
        fields = [
            "id",
            "seller",
            "type",
            "amount",
            "balance_after",
            "currency",
            "status",
            "phone",
            "idempotency_key",
            "entry",
            "credit_request",
            "reverses",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class ChargeListSerializer(TransactionSerializer):
    """The charges (a limit/offset list, unlike the cursor-paged transaction log)."""

    class Meta(TransactionSerializer.Meta):
        ref_name = "Charge"


class ChargeCreateSerializer(serializers.Serializer):
    phone = serializers.CharField(
        max_length=64, help_text="International format, e.g. +447911123456."
    )
    amount = serializers.CharField(max_length=40, help_text='A decimal string, e.g. "10.00".')
    seller = serializers.PrimaryKeyRelatedField(
        queryset=Seller.objects.all(), required=False, help_text="Staff only: for which seller."
    )


class ChargeSerializer(TransactionSerializer):
    """A sold charge, as POST answers it."""

    replayed = serializers.BooleanField(
        read_only=True, help_text="True when this key was already used: nothing was charged now."
    )

    class Meta(TransactionSerializer.Meta):
        ref_name = "ChargeSold"
        fields = [*TransactionSerializer.Meta.fields, "replayed"]
        read_only_fields = fields


class ChargeViewSet(ReadOnlyAreaViewSet, _SellerScoped):
    """Charges sold by sellers (POST sells one: the seller's credit pays for it, all or
    nothing). Send an Idempotency-Key: a resent charge is never charged twice."""

    own_actions = ("list", "retrieve", "create")
    queryset = TransactionLog.objects.filter(type=TransactionType.CHARGE)
    serializer_class = ChargeListSerializer
    filterset_fields = ["seller", "status", "phone"]
    ordering_fields = ["created_at", "amount"]
    ordering = ["-created_at"]
    _seller_for = CreditRequestViewSet._seller_for

    @extend_schema(request=ChargeCreateSerializer, responses={201: ChargeSerializer})
    @idempotent
    def create(self, request):
        data = self.validated(ChargeCreateSerializer)
        seller = self._seller_for(data.get("seller"))
        if not getattr(self.request, "own_scope", False):
            seller = Seller.objects.select_related("account__currency").get(pk=seller.pk)
        key = (request.headers.get(HEADER) or "").strip() or uuid.uuid4().hex
        outcome = services.credit_charge(
            seller=seller,
            amount=data["amount"],
            phone=data["phone"],
            idempotency_key=key,
            by=request.user,
        )
        log = outcome.transaction
        log.replayed = outcome.replayed
        return Response(ChargeSerializer(log).data, status=status.HTTP_201_CREATED)


class TransactionLogViewSet(ReadOnlyAreaViewSet, _SellerScoped):
    """Every change of seller credit (top-ups, charges, reversals): cursor pages, newest first."""

    own_actions = ("list", "retrieve")
    queryset = TransactionLog.objects.all()
    serializer_class = TransactionSerializer
    pagination_class = CursorPages
    filterset_fields = ["seller", "type", "status"]
    ordering_fields: list = []
