import django_filters
from django import forms

from apps.core.filters import FilterSet

from .models import ReportRun, RunStatus
from .registry import REPORTS

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class ReportRunFilter(FilterSet):
    type = django_filters.ChoiceFilter(
        label="Report", choices=[(code, spec.title) for code, spec in REPORTS.items()]
    )
    status = django_filters.ChoiceFilter(label="Status", choices=RunStatus.choices)
    start = django_filters.DateFilter(
        label="Requested from", field_name="created_at", lookup_expr="date__gte", **DATE
    )
    end = django_filters.DateFilter(
        label="Requested to", field_name="created_at", lookup_expr="date__lte", **DATE
    )

    class Meta:
        model = ReportRun
        fields = ["type", "status", "start", "end"]
