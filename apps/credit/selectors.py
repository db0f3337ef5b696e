"""Reads about seller credit shared by the dashboard and reports."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.core.filters import MAX_DB_INT
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


def seller_label(seller: Seller) -> str:
    """How a seller reads in a typed lookup: company and login, unique by the login."""
    return f"{seller.company} · {seller.user.email}"


def seller_label_for(pk: int) -> str | None:
    seller = Seller.objects.filter(pk=pk).select_related("user").first()
    return seller_label(seller) if seller else None


def sellers_matching(text: str):
    """The sellers a typed text names: an id (the seller page links with one), a suggestion
    ("Company · login", one seller), else every seller whose company, login email or phone
    contains it."""
    text = text.strip()
    if text.isdigit():
        number = int(text)
        return Seller.objects.filter(pk=number) if number <= MAX_DB_INT else Seller.objects.none()
    company, dot, email = text.rpartition("·")
    if dot and company.strip() and "@" in email:
        return Seller.objects.filter(
            company__iexact=company.strip(), user__email__iexact=email.strip()
        )
    query = Q(company__icontains=text) | Q(user__email__icontains=text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 3 and all(ch.isdigit() or ch in "+ -/()" for ch in text):
        query |= Q(phone__contains=digits)
    return Seller.objects.filter(query)
