import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import AuditAction, AuditEvent


class _ContentTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return type_name(obj)


class ContentTypeChoice(django_filters.ModelChoiceFilter):
    """Object types named as a person says them ("Credit request"), not "credit | creditrequest"."""

    field_class = _ContentTypeField


def type_name(content_type) -> str:
    model = content_type.model_class() if content_type else None
    if model is None:
        return content_type.model if content_type else ""
    return str(model._meta.verbose_name).capitalize()


class AuditEventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "object, event, message"}),
    )
    actor = django_filters.ModelChoiceFilter(label="Who", queryset=get_user_model().objects.all())
    action = django_filters.ChoiceFilter(label="Action", choices=AuditAction.choices)
    content_type = ContentTypeChoice(
        label="Type",
        queryset=ContentType.objects.filter(
            app_label__in=[
                "accounts",
                "core",
                "finance",
                "catalog",
                "inventory",
                "customers",
                "sales",
                "ledger",
                "credit",
                "invoicing",
                "reports",
            ]
        ).order_by("app_label", "model"),
    )
    start = django_filters.DateFilter(
        label="From",
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = django_filters.DateFilter(
        label="To",
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ip_address = django_filters.CharFilter(label="IP", lookup_expr="exact")

    class Meta:
        model = AuditEvent
        fields = ["q", "actor", "action", "content_type", "start", "end", "ip_address"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(event__icontains=value)
            | Q(message__icontains=value)
        )
