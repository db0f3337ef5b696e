"""Background jobs (django-q2) of the inventory: the daily low-stock digest."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role

from .selectors import low_stock_levels

DIGEST_ROWS = 200


def digest_recipients() -> list[str]:
    """Active Admin and Warehouse users (superusers count as Admins)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[Role.ADMIN, Role.WAREHOUSE]) | Q(is_superuser=True))
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def low_stock_digest_task() -> dict:
    """Email every Admin and Warehouse user the low and out-of-stock list (none if all fine)."""
    levels = low_stock_levels()
    total = levels.count()
    recipients = digest_recipients()
    if not total or not recipients:
        return {"low": total, "sent": 0}
    context = {
        "rows": list(levels[:DIGEST_ROWS]),
        "total": total,
        "more": max(total - DIGEST_ROWS, 0),
        "date": timezone.localdate(),
        "url": getattr(settings, "SITE_URL", "").rstrip("/") + reverse("stock-low"),
    }
    subject = f"Low stock: {total} item{'s' if total != 1 else ''} at or below alert level"
    text = render_to_string("inventory/email/low_stock_digest.txt", context)
    html = render_to_string("inventory/email/low_stock_digest.html", context)
    messages = []
    for email in recipients:  # one message each: recipients do not see each other
        message = EmailMultiAlternatives(subject, text, to=[email])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    sent = get_connection().send_messages(messages)
    return {"low": total, "sent": sent}
