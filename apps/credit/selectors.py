"""Reads about seller credit shared by the dashboard and reports."""

from __future__ import annotations

import uuid

from django.db.models import CharField, Count, Q, Sum
from django.db.models.functions import Cast, Right
from django.db.models.lookups import Exact
from django.utils import timezone

from apps.core.numbers import is_digits, whole_number
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


PHONE_CHARS = frozenset("0123456789+ -/()")


def _phone_typed(text: str) -> str:
    """The digits and + signs of `text` when it is written as a phone number (digits,
    spaces and + - / ( ) only), else "": an id or a name is not searched for in the
    phones by the digits it happens to hold."""
    if not text or not set(text) <= PHONE_CHARS:
        return ""
    return "".join(ch for ch in text if ch.isdigit() or ch == "+")


def sellers_matching(text: str):
    """The sellers a typed text names: an id (the seller page links with one), a suggestion
    ("Company · login", one seller), else every seller whose company, login email or phone
    contains it."""
    text = text.strip()
    if is_digits(text):
        number = whole_number(text)
        return Seller.objects.filter(pk=number) if number is not None else Seller.objects.none()
    company, dot, email = text.rpartition("·")
    if dot and company.strip() and "@" in email:
        return Seller.objects.filter(
            company__iexact=company.strip(), user__email__iexact=email.strip()
        )
    query = Q(company__icontains=text) | Q(user__email__icontains=text)
    digits = _phone_typed(text).replace("+", "")
    if len(digits) >= 3:
        query |= Q(phone__contains=digits)
    return Seller.objects.filter(query)


# Up to this many sellers, an idempotency key is looked up seller by seller (below).
SELLERS_LISTED = 5_000
HEX = frozenset("0123456789abcdef")
UUID_DASHES = (8, 13, 18, 23)  # where the dashes of a written UUID are
SHORT_ID = 8  # the digits of TransactionLog.short_id


def transactions_matching(text: str) -> Q:
    """The credit log's search ("phone or transaction id"), each part through an index:
    - the idempotency key, within each seller (the unique key on seller and idempotency
      key leads with the seller; one look-up per seller, a few ms for a thousand);
    - the phone containing the digits typed, when the text is written as a phone number
      (a trigram index on PostgreSQL);
    - the transaction's id, whole or its start (4 digits or more: a range of the primary
      key), or the 8-digit short id the lists show (`credit_log_short_id_idx`)."""
    text = text.strip()
    query = Q(idempotency_key=text)
    sellers = list(Seller._base_manager.values_list("pk", flat=True)[: SELLERS_LISTED + 1])
    if len(sellers) <= SELLERS_LISTED:
        query &= Q(seller__in=sellers)
    digits = _phone_typed(text)
    if digits:
        query |= Q(phone__contains=digits)
    typed = text.lower()
    if len(typed) >= 4:
        query |= _id_starting(typed)
        if len(typed) == SHORT_ID and set(typed) <= HEX:
            query |= Q(Exact(Right(Cast("id", CharField()), SHORT_ID), typed))
    return query


def _id_starting(typed: str) -> Q:
    """Ids whose written form starts with `typed` (dashes where a UUID has them), as the
    range of the primary key they fill; nothing when `typed` cannot start a UUID."""
    if len(typed) > 36 or any(
        (ch != "-") if i in UUID_DASHES else (ch not in HEX) for i, ch in enumerate(typed)
    ):
        return Q(pk__in=[])
    digits = typed.replace("-", "")
    low, high = digits.ljust(32, "0"), digits.ljust(32, "f")
    return Q(pk__gte=uuid.UUID(low), pk__lte=uuid.UUID(high))
