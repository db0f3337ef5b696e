"""Dunning through the API, on the services of the dunning screens
(apps/invoicing/services/dunning.py): levels (list, read, create, change), reminders sent
(list, read; POST = "Send reminder now" for one invoice), what a run sends on a day
(`plan/`) and the run itself (`run/`, what the daily job does). Reading as the screens
(invoice readers), writing Accountant and Admin. Sending moves money (a level's fee is its
own issued invoice): those POSTs accept an Idempotency-Key."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import AreaViewSet, ReadOnlyAreaViewSet
from apps.core.filters import FilterSet

from .. import services
from ..models import DunningLevel, Invoice, Reminder, ReminderTrigger
from ..services.dunning import company_today
from .common import amount_field, decimal_text


class DunningLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = DunningLevel
        fields = ["id", "name", "days_after_due", "fee", "subject", "body", "active"]
        read_only_fields = fields


class DunningLevelWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    days_after_due = serializers.IntegerField(
        required=False, min_value=-(2**31), max_value=2**31, help_text="1 to 3650 days."
    )
    fee = decimal_text('Charged as its own invoice, e.g. "5.00"; 0 for none.', required=False)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class DunningLevelViewSet(mixins.CreateModelMixin, ReadOnlyAreaViewSet):
    """Reminder levels: days after the due date, fee, email subject and text."""

    area = Area.INVOICES
    queryset = DunningLevel.objects.all()
    serializer_class = DunningLevelSerializer
    filterset_fields = ["active"]
    ordering_fields = ["days_after_due", "name"]
    ordering = ["days_after_due", "id"]
    lookup_value_regex = r"\d+"

    @extend_schema(request=DunningLevelWriteSerializer, responses={201: DunningLevelSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(DunningLevelWriteSerializer)
        level = services.dunning_level_create(
            name=data.get("name", ""),
            days_after_due=data.get("days_after_due"),
            fee=data.get("fee", "0"),
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            active=data.get("active", True),
            user=request.user,
        )
        return self.answer(level, status.HTTP_201_CREATED, Location=f"{level.pk}/")

    @extend_schema(request=DunningLevelWriteSerializer, responses=DunningLevelSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a level; reminders already sent keep what they were sent with."""
        level = self.get_object()
        changes = self.validated(DunningLevelWriteSerializer)
        level = services.dunning_level_update(level=level, user=request.user, **changes)
        return self.answer(level)


class ReminderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="invoice.number", read_only=True)
    customer = serializers.IntegerField(source="invoice.customer_id", read_only=True)
    currency = serializers.CharField(source="invoice.currency_id", read_only=True)
    level_name = serializers.CharField(source="level.name", read_only=True)

    class Meta:
        model = Reminder
        fields = [
            "id",
            "invoice",
            "number",
            "customer",
            "level",
            "level_name",
            "sent_on",
            "days_overdue",
            "open_amount",
            "currency",
            "fee_invoice",
            "to",
            "trigger",
            "emailed_at",
            "created_at",
        ]
        read_only_fields = fields


class ReminderSendSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())


class ReminderFilter(FilterSet):
    trigger = django_filters.ChoiceFilter(choices=ReminderTrigger.choices)
    sent_after = django_filters.DateFilter(field_name="sent_on", lookup_expr="gte")
    sent_before = django_filters.DateFilter(field_name="sent_on", lookup_expr="lte")
    customer = django_filters.NumberFilter(field_name="invoice__customer")

    class Meta:
        model = Reminder
        fields = ["invoice", "level", "trigger"]


class ReminderViewSet(mixins.CreateModelMixin, ReadOnlyAreaViewSet):
    """Reminders sent (by the daily job or by hand); POST sends one now."""

    area = Area.INVOICES
    queryset = Reminder.objects.select_related("invoice", "level")
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter
    search_fields = ["invoice__number", "invoice__customer__name"]
    ordering_fields = ["sent_on", "days_overdue"]
    ordering = ["-sent_on", "-id"]
    lookup_value_regex = r"\d+"

    @extend_schema(request=ReminderSendSerializer, responses={201: ReminderSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """ "Send reminder now": the invoice's next active level after the last one sent,
        with its fee invoice, emailed by the worker (refused when the invoice is paid,
        void, not overdue yet, or every level was sent)."""
        data = self.validated(ReminderSendSerializer)
        reminder = services.reminder_send(invoice=data["invoice"], manual=True, user=request.user)
        return self.answer(reminder, status.HTTP_201_CREATED, Location=f"{reminder.pk}/")


class PlannedSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(source="invoice.pk")
    number = serializers.CharField(source="invoice.number")
    customer = serializers.IntegerField(source="invoice.customer_id")
    level = serializers.IntegerField(source="level.pk")
    level_name = serializers.CharField(source="level.name")
    days_overdue = serializers.IntegerField()
    open_amount = amount_field()
    currency = serializers.CharField(source="invoice.currency_id")
    fee = amount_field(source="level.fee")


class PlanSerializer(serializers.Serializer):
    date = serializers.DateField()
    reminders = PlannedSerializer(many=True)


class RunSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The company's date the run counted from.")
    sent = ReminderSerializer(many=True)
    refused = serializers.ListField(child=serializers.CharField())


class PlanQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False)

    def validate_date(self, value):
        if not 1900 <= value.year <= 9000:
            raise serializers.ValidationError("Enter a date between the years 1900 and 9000.")
        return value


class DunningViewSet(AreaViewSet):
    """What a run sends (`plan/`) and the run now (`run/`)."""

    area = Area.INVOICES
    queryset = Reminder.objects.none()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="Default: today.")],
        responses=PlanSerializer,
        filters=False,
    )
    @action(detail=False, methods=["get"])
    def plan(self, request):
        """The reminders a run on `date` (the company's date) would send: one level per
        overdue open invoice, the highest due (lower ones missed are passed over)."""
        query = self.validated(PlanQuerySerializer, data=request.query_params)
        day = query.get("date") or company_today()
        plan = services.dunning_plan(today=day)
        return Response(PlanSerializer({"date": day, "reminders": plan}).data)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=False, methods=["post"])
    @idempotent
    def run(self, request):
        """Run the dunning now, as the daily job does: every level due today is sent once
        (a level already sent is never sent again, however often this runs)."""
        outcome = services.dunning_run()
        body = {"date": outcome.today, "sent": outcome.sent, "refused": outcome.refused}
        return Response(RunSerializer(body).data)
