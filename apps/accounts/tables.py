import django_tables2 as tables

from apps.core.tables import Table

from .models import User


class UserTable(Table):
    email = tables.Column(linkify=lambda record: record.get_absolute_url(), verbose_name="Email")
    full_name = tables.Column(verbose_name="Name")
    roles = tables.Column(verbose_name="Roles", accessor="pk", orderable=False)
    is_active = tables.BooleanColumn(verbose_name="Active")
    last_login = tables.DateTimeColumn(verbose_name="Last login", format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ("email", "full_name", "roles", "is_active", "last_login")
        attrs = {"class": "table table-hover align-middle"}

    def render_roles(self, record):
        return ", ".join(g.name for g in record.groups.all()) or "—"

    def value_roles(self, record):
        return self.render_roles(record)
