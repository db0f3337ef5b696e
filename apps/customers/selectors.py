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
