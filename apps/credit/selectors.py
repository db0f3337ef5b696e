"""Reads about seller credit shared by the dashboard and reports."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.finance.money import format_money
from apps.ledger.selectors import cents

from .models import CreditRequest, RequestStatus, Seller, SellerStatus, TransactionLog


def dashboard_figures() -> list[tuple[str, str]]:
    sellers = Seller.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=SellerStatus.ACTIVE)),
        credit=Sum("balance"),
    )
    today = TransactionLog.objects.filter(type="charge", created_at__date=timezone.localdate())
    charges = today.aggregate(n=Count("id"), amount=Sum("amount"))
    pending = CreditRequest.objects.filter(status=RequestStatus.PENDING).count()
    return [
        ("Active sellers", f"{sellers['active']} of {sellers['total']}"),
        ("Credit held by sellers", format_money(cents(sellers["credit"]))),
        ("Top-ups waiting", str(pending)),
        ("Charges today", f"{charges['n']} · {format_money(-cents(charges['amount']))}"),
    ]
