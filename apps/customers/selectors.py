"""Reads about customers shared by the dashboard and the screens."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .models import Customer


def dashboard_figures() -> list[tuple[str, str]]:
    """The Customers card on the dashboard."""
    month_start = timezone.localdate().replace(day=1)
    counts = Customer.objects.aggregate(
        active=Count("pk", filter=Q(active=True)),
        portal=Count("pk", filter=Q(portal_user__isnull=False)),
        new=Count("pk", filter=Q(created_at__date__gte=month_start)),
    )
    return [
        ("Active customers", f"{counts['active']:,}"),
        ("With a portal login", f"{counts['portal']:,}"),
        ("New this month", f"{counts['new']:,}"),
    ]


def filter_by_customer(queryset, value: str):
    """Rows of one customer given as typed in a filter: an id (links from the customer
    page), a code ("C-0001 · Acme" from the suggestions), or part of a name. An id larger
    than any key matches nobody (never an OverflowError)."""
    from django.db.models import Q

    from apps.core.filters import MAX_DB_INT

    value = value.strip()
    if value.isdigit():
        number = int(value)
        return queryset.filter(customer_id=number) if number <= MAX_DB_INT else queryset.none()
    code = value.split("·")[0].strip()
    return queryset.filter(Q(customer__code__iexact=code) | Q(customer__name__icontains=value))
