"""Recurring invoice templates through the API, on the services of the recurring screens
(apps/invoicing/services/recurring.py): list, read (lines, periods billed, the next
dates), create, change (PATCH; `lines` sent replace the stored ones) and `run/` ("Create due
invoices now": every period due up to today not billed yet, never one twice). A template
is never deleted: set `active` false. Reading as the screens (invoice readers), writing
Accountant and Admin; `run/` issues invoices, so it accepts an Idempotency-Key."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.catalog.models import Product
from apps.core.api.idempotency import idempotent
from apps.core.api.serializers import detail_meta
from apps.core.api.viewsets import ReadOnlyAreaViewSet
from apps.customers.models import Customer
from apps.finance.models import Currency, TaxRate

from .. import services
from ..models import Interval, RecurringInvoice, RecurringLine, RecurringPeriod
from ..services.dunning import company_today
from ..services.recurring import TEMPLATE_FIELDS, next_date
from .common import decimal_text
from .invoices import invoice_series

UPCOMING = 3


class RecurringLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecurringLine
        fields = [
            "position",
            "product",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "tax_rate",
        ]
        read_only_fields = fields


class RecurringPeriodSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="invoice.number", read_only=True, allow_null=True)

    class Meta:
        model = RecurringPeriod
        fields = ["period_date", "invoice", "number"]
        read_only_fields = fields


class RecurringSerializer(serializers.ModelSerializer):
    series = serializers.CharField(source="series.code", read_only=True, allow_null=True)
    invoiced = serializers.IntegerField(read_only=True, help_text="Periods billed so far.")

    class Meta:
        model = RecurringInvoice
        fields = ["id", *TEMPLATE_FIELDS, "invoiced"]
        read_only_fields = fields


class RecurringDetailSerializer(RecurringSerializer):
    lines = RecurringLineSerializer(many=True, read_only=True)
    periods = RecurringPeriodSerializer(many=True, read_only=True)
    upcoming = serializers.SerializerMethodField(help_text="The next dates to bill.")

    Meta = detail_meta(RecurringSerializer, "lines", "periods", "upcoming")

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_upcoming(self, template) -> list:
        dates, after = [], company_today()
        for _ in range(UPCOMING):
            date = next_date(template, after=after)
            if date is None:
                break
            dates.append(date)
            after = date
        return dates


class RecurringLineWriteSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    quantity = decimal_text('Units, e.g. "1".')
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    unit_price = decimal_text('In the template currency, e.g. "99.00".')
    discount_percent = decimal_text('e.g. "10"; default 0.', required=False, allow_blank=True)
    tax_rate = serializers.PrimaryKeyRelatedField(
        queryset=TaxRate.objects.all(), required=False, allow_null=True
    )


class RecurringWriteSerializer(serializers.Serializer):
    """Every field optional here: the service names what is missing (the screen's words)."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    currency = serializers.PrimaryKeyRelatedField(
        queryset=Currency.objects.all(), required=False, help_text="Default: the customer's."
    )
    series = serializers.SlugRelatedField(
        slug_field="code", queryset=invoice_series(), required=False, allow_null=True
    )
    interval = serializers.ChoiceField(choices=Interval.choices, required=False)
    day_of_month = serializers.IntegerField(
        required=False, min_value=-(2**31), max_value=2**31, help_text="1 to 31."
    )
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    payment_terms_days = serializers.IntegerField(
        required=False, min_value=-(2**31), max_value=2**31, help_text="0 to 365 days."
    )
    auto_issue = serializers.BooleanField(required=False)
    auto_email = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    lines = RecurringLineWriteSerializer(many=True, required=False)


class RunResultSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Periods due up to this (company) date.")
    invoices = serializers.ListField(child=serializers.IntegerField(), help_text="Made now.")
    numbers = serializers.ListField(child=serializers.CharField(allow_null=True))


class RecurringViewSet(mixins.CreateModelMixin, ReadOnlyAreaViewSet):
    """Templates that bill a customer every month, quarter or year."""

    area = Area.INVOICES
    queryset = RecurringInvoice.objects.select_related("series").annotate(invoiced=Count("periods"))
    serializer_class = RecurringSerializer
    filterset_fields = ["customer", "interval", "active"]
    search_fields = ["name", "customer__name", "customer__code"]
    ordering_fields = ["name", "start_date"]
    ordering = ["name", "id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.prefetch_related("lines", "periods__invoice")
        return queryset

    def get_serializer_class(self):
        return RecurringSerializer if self.action == "list" else RecurringDetailSerializer

    @extend_schema(request=RecurringWriteSerializer, responses={201: RecurringDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = dict(self.validated(RecurringWriteSerializer))
        lines = [dict(row) for row in data.pop("lines", [])]
        template = services.recurring_create(lines=lines, user=request.user, **data)
        return self.answer(template, status.HTTP_201_CREATED, Location=f"{template.pk}/")

    @extend_schema(request=RecurringWriteSerializer, responses=RecurringDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a template; invoices already made keep their lines. Once a period is
        billed, its schedule (start, interval, day) is fixed."""
        template = self.get_object()
        changes = dict(self.validated(RecurringWriteSerializer))
        lines = changes.pop("lines", None)
        lines = [dict(row) for row in lines] if lines is not None else None
        template = services.recurring_update(
            template=template, lines=lines, user=request.user, **changes
        )
        return self.answer(template)

    @extend_schema(request=None, responses=RunResultSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def run(self, request, pk=None):
        """Create the invoices of every period due up to today not billed yet (the daily
        job does the same); `invoices` is empty when all are billed already."""
        template = self.get_object()
        today = company_today()
        made = services.recurring_run(template=template, today=today, user=request.user)
        body = {
            "date": today,
            "invoices": [i.pk for i in made],
            "numbers": [i.number for i in made],
        }
        return Response(RunResultSerializer(body).data)
