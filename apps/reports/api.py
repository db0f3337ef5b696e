"""Reports API: dashboard insights (the cards the role may see, and seed 002's three
headline figures where the role may read them), the report types the role may run, and
report runs: create one (queued to django-q2 like the screen), poll its status and
progress, read its result, download its CSV or PDF."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.core.api.files import CSV, PDF, file_action_options, file_responses
from apps.core.api.viewsets import AreaViewSet, ReadOnlyAreaViewSet
from apps.core.permissions import has_access
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.selectors import base_currency_code
from apps.inventory.selectors import low_stock_levels
from apps.sales.models import OPEN_STATUSES, Order

from .dashboard import dashboard_for
from .models import ReportRun, RunStatus
from .registry import REPORTS, allowed_types, report_spec, specs_for
from .services import report_run_request


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class CardSerializer(serializers.Serializer):
    title = serializers.CharField()
    area = serializers.CharField()
    figures = FigureSerializer(many=True)


class TodaySalesSerializer(serializers.Serializer):
    orders = serializers.IntegerField(help_text="Confirmed or fulfilled orders dated today.")
    total = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()


class InsightsSerializer(serializers.Serializer):
    total_customers = serializers.IntegerField(allow_null=True)
    today_sales = TodaySalesSerializer(allow_null=True)
    low_stock = serializers.IntegerField(allow_null=True, help_text="Levels low or out.")
    cards = CardSerializer(many=True)


def _today_sales() -> dict:
    sums = Order.objects.filter(order_date=timezone.localdate()).aggregate(
        orders=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        total=Sum("total_base", filter=Q(status__in=OPEN_STATUSES)),
    )
    total = money.quantize(sums["total"] or Decimal("0"))
    return {"orders": sums["orders"], "total": total, "currency": base_currency_code()}


class DashboardViewSet(AreaViewSet):
    """The dashboard's figures; null where the role may not read the area."""

    single_object = True  # `list` answers one object

    area = Area.LEDGER
    action_needs = {"list": "figures"}
    serializer_class = InsightsSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=InsightsSerializer)
    def list(self, request):
        user = request.user

        def can(area):
            return has_access(user, area, "read")

        body = {
            "total_customers": Customer.objects.count() if can(Area.CUSTOMERS) else None,
            "today_sales": _today_sales() if can(Area.ORDERS) else None,
            "low_stock": low_stock_levels().count() if can(Area.STOCK) else None,
            "cards": [
                {
                    "title": card.title,
                    "area": str(card.area),
                    "figures": [{"label": k, "value": v} for k, v in card.figures],
                }
                for card in dashboard_for(user).cards
            ],
        }
        return Response(InsightsSerializer(body).data)


# --- report types and runs --------------------------------------------------------------

FIGURES = {"list": "figures", "retrieve": "figures", "create": "figures"}
FIGURES.update(csv="figures", pdf="figures")


class ParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=["date", "choice", "id", "text"])
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    help_text = serializers.CharField(required=False)


class ReportTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    parameters = ParameterSerializer(many=True)


def _parameter(name: str, field) -> dict:
    from django import forms

    kind = "text"
    extra: dict = {}
    if isinstance(field, forms.DateField):
        kind = "date"
    elif isinstance(field, forms.ModelChoiceField):
        kind = "id"
    elif isinstance(field, forms.ChoiceField):
        kind, extra = "choice", {"choices": [str(value) for value, _ in field.choices]}
    if field.help_text:
        extra["help_text"] = str(field.help_text)
    return {
        "name": name,
        "label": str(field.label or name),
        "type": kind,
        "required": field.required,
        **extra,
    }


def type_body(spec) -> dict:
    fields = spec.form_class.base_fields
    return {
        "code": spec.code,
        "title": spec.title,
        "description": spec.description,
        "parameters": [_parameter(name, field) for name, field in fields.items()],
    }


class ReportTypeViewSet(AreaViewSet):
    """The reports this role may run and the parameters each takes."""

    area = Area.LEDGER
    action_needs = FIGURES
    serializer_class = ReportTypeSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=ReportTypeSerializer(many=True))
    def list(self, request):
        specs = specs_for(request.user)
        return Response(ReportTypeSerializer([type_body(s) for s in specs], many=True).data)


class ReportRunSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    result = serializers.SerializerMethodField(
        help_text="Tables, charts and figures once done; null before."
    )
    files = serializers.SerializerMethodField(help_text="Download paths once done.")

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "type",
            "title",
            "parameters",
            "status",
            "progress",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "result",
            "files",
        ]
        read_only_fields = fields

    def get_result(self, run) -> dict | None:
        return run.result if run.status == RunStatus.DONE else None

    def get_files(self, run) -> dict[str, str]:
        if run.status != RunStatus.DONE:
            return {}
        return {fmt: f"/api/v1/reports/runs/{run.pk}/{fmt}/" for fmt in ("csv", "pdf")}


class ReportRunCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=sorted(REPORTS))
    parameters = serializers.DictField(
        required=False,
        help_text="The report type's parameters (GET /reports/types/), e.g. "
        '{"start": "2026-01-01", "end": "2026-03-31", "group_by": "month"}.',
    )


class ReportRunViewSet(ReadOnlyAreaViewSet):
    """Report runs of the types this role may run: POST queues one for the worker (the
    same service as the screen); poll it until `status` is done (or failed), then read
    `result` or download the CSV or PDF."""

    area = Area.LEDGER
    action_needs = FIGURES
    queryset = ReportRun.objects.all()
    serializer_class = ReportRunSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["type", "status"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return super().get_queryset().filter(type__in=allowed_types(self.request.user))

    @extend_schema(request=ReportRunCreateSerializer, responses={201: ReportRunSerializer})
    def create(self, request):
        data = self.validated(ReportRunCreateSerializer)
        spec = report_spec(data["type"])
        if not spec.allowed(request.user):
            raise PermissionDenied
        form = spec.form_class(data=data.get("parameters") or {})
        if not form.is_valid():
            errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            raise serializers.ValidationError({"parameters": errors})
        run = report_run_request(type=spec.code, parameters=form.parameters(), user=request.user)
        return self.answer(run, status.HTTP_201_CREATED, Location=f"{run.pk}/")

    def _file(self, fmt: str, content_type: str):
        run = self.get_object()
        field = {"csv": run.csv_file, "pdf": run.pdf_file}[fmt]
        if run.status != RunStatus.DONE or not field:
            raise NotFound("The report has no file yet; poll the run until it is done.")
        name = f"{run.type.replace('_', '-')}-{run.pk}.{fmt}"
        response = FileResponse(
            field.open("rb"), as_attachment=True, filename=name, content_type=content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(responses=file_responses(CSV, "The report as CSV (every row)."))
    @action(detail=True, **file_action_options(CSV))
    def csv(self, request, pk=None):
        return self._file("csv", "text/csv; charset=utf-8")

    @extend_schema(responses=file_responses(PDF, "The report as PDF."))
    @action(detail=True, **file_action_options(PDF))
    def pdf(self, request, pk=None):
        return self._file("pdf", "application/pdf")
