import django_filters

from apps.core.filters import FewChoicesFilter, FilterSet

from .models import BankAccount, BankStatement, StatementFormat, StatementStatus


class BankStatementFilter(FilterSet):
    account = FewChoicesFilter(
        queryset=BankAccount.objects.all(), label="Account", empty_label="Any account"
    )
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices, label="Status")
    format = django_filters.ChoiceFilter(choices=StatementFormat.choices, label="Format")
    file_name = django_filters.CharFilter(lookup_expr="icontains", label="File")

    class Meta:
        model = BankStatement
        fields = ["account", "status", "format", "file_name"]


class BankAccountFilter(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name")

    class Meta:
        model = BankAccount
        fields = ["name", "active"]
