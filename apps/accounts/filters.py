import django_filters
from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q

from apps.core.filters import FewChoicesFilter, FilterSet

from .models import User


class UserFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "email or name"}),
    )
    role = FewChoicesFilter(
        label="Role",
        field_name="groups",
        queryset=Group.objects.order_by("name"),
        to_field_name="name",
    )
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(email__icontains=value) | Q(full_name__icontains=value))
