import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import AuditAction, AuditEvent

# The range of a database integer key (64-bit); larger ids overflow the driver (a 500).
MAX_DB_INT = 2**63 - 1
NOT_A_CHOICE = "invalid"


def bounded_filter_data(filterset_class, data):
    """The query with ids no database column can hold replaced by a value the filter form
    rejects ("Select a valid choice"), instead of an OverflowError/DataError (issue 12).

    Applies to every ModelChoice/ModelMultipleChoice filter of the filterset."""
    if not data or filterset_class is None:
        return data
    choice_filters = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)
    names = [
        name
        for name, f in filterset_class.base_filters.items()
        if isinstance(f, choice_filters) and name in data
    ]
    if not names:
        return data
    data = data.copy()
    for name in names:
        values = [
            value
            if not value.lstrip("-").isdigit() or abs(int(value)) <= MAX_DB_INT
            else NOT_A_CHOICE
            for value in data.getlist(name)
        ]
        data.setlist(name, values)
    return data


class IPAddressFilter(django_filters.CharFilter):
    """Checks the address in the form: PostgreSQL refuses to compare inet with "abc" (a 500)."""

    field_class = forms.GenericIPAddressField


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
    ip_address = IPAddressFilter(label="IP", lookup_expr="exact")

    class Meta:
        model = AuditEvent
        fields = ["q", "actor", "action", "content_type", "start", "end", "ip_address"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(event__icontains=value)
            | Q(message__icontains=value)
        )
