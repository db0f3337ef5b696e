"""Sellers and their top-up requests (approve posts the credit once)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.accounts.roles import Role
from apps.accounts.services import user_roles_set
from apps.core.audit import audit_record
from apps.ledger import chart
from apps.ledger.models import Account, AccountType
from apps.ledger.selectors import account_by_code
from apps.ledger.services import (
    Cr,
    Dr,
    journal_prepare,
)

from ..models import (
    CreditRequest,
    RequestStatus,
    Seller,
    SellerStatus,
    TransactionLog,
    TransactionType,
)
from .common import (
    ONE,
    CreditError,
    SellerSuspended,
    _actor,
    _seller_balance_add,
    credit_amount,
)


@transaction.atomic
def seller_create(
    *, email: str, company: str, phone="", full_name: str = "", password: str | None = None
) -> Seller:
    """A seller with its login (Seller role), its own credit sub-account under 2100 and its
    own Charge Revenue sub-account under 4100."""
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if not password:
            raise CreditError({"password": "Give a first password for the new login."})
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    elif hasattr(user, "seller"):
        raise CreditError({"email": "This person is already a seller."})
    elif set(user.roles) - {Role.SELLER.value}:
        raise CreditError({"email": "This login belongs to a staff member or customer."})
    user_roles_set(user=user, roles=[Role.SELLER.value])
    parent = account_by_code(chart.SELLER_CREDIT)
    account = Account.objects.create(
        code=f"{chart.SELLER_CREDIT}-{user.pk:06d}",
        name=f"Seller credit: {company}",
        type=AccountType.LIABILITY,
        currency_id=parent.currency_id,
        parent=parent,
    )
    revenue_group = account_by_code(chart.CHARGE_REVENUE)
    revenue_account = Account.objects.create(
        code=f"{chart.CHARGE_REVENUE}-{user.pk:06d}",
        name=f"Charge revenue: {company}"[:120],
        type=AccountType.INCOME,
        currency_id=parent.currency_id,
        parent=revenue_group,
    )
    seller = Seller.objects.create(
        user=user,
        company=company,
        phone=phone or "",
        account=account,
        revenue_account=revenue_account,
    )
    audit_record(subject=seller, event="credit.seller_created", changes={"email": email})
    return seller


@transaction.atomic
def seller_set_status(*, seller: Seller, status: str, reason: str = "") -> Seller:
    if status not in SellerStatus.values:
        raise CreditError({"status": "Unknown status."})
    changed = Seller.objects.filter(pk=seller.pk).exclude(status=status).update(status=status)
    if changed:
        audit_record(
            subject=seller,
            event=f"credit.seller_{status}",
            changes={"status": [seller.status, status]},
            message=reason,
        )
    seller.status = status
    return seller


# --- top-up requests ------------------------------------------------------------------


@transaction.atomic
def creditrequest_create(*, seller: Seller, amount, note: str = "") -> CreditRequest:
    amount = credit_amount(amount)
    if not Seller.objects.filter(pk=seller.pk, status=SellerStatus.ACTIVE).exists():
        raise SellerSuspended("This seller account is suspended: top-ups cannot be requested.")
    request = CreditRequest.objects.create(seller=seller, amount=amount, note=note.strip()[:500])
    audit_record(subject=request, event="credit.request_created", changes={"amount": amount})
    return request


def _decide(request: CreditRequest, status: str, by, **extra) -> None:
    """Claim a pending request for one decision: only one caller ever wins (conditional UPDATE)."""
    claimed = CreditRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
        status=status, decided_by=_actor(by), decided_at=timezone.now(), **extra
    )
    if not claimed:
        current = CreditRequest.all_objects.filter(pk=request.pk).values_list("status", flat=True)
        label = RequestStatus(current.first() or RequestStatus.PENDING).label.lower()
        raise CreditError(f"This request is already {label}; nothing was changed.")


@transaction.atomic
def creditrequest_approve(
    *, credit_request: CreditRequest, by, date: dt.date | None = None
) -> TransactionLog:
    """Approve a top-up: Dr Bank / Cr Seller Credit, exactly once however many approve at once."""
    request = credit_request
    seller = Seller.all_objects.select_related("account__currency").get(pk=request.seller_id)
    prepared = journal_prepare(
        date=date or timezone.localdate(),
        memo=f"Credit top-up for {seller}",
        reference=f"CR-{request.pk}",
        lines=[Dr(chart.BANK, request.amount), Cr(seller.account, request.amount)],
        currency=seller.account.currency,
        rate=ONE,
        source=request,
        posted_by=_actor(by),
    )
    _decide(request, RequestStatus.APPROVED, by)
    if seller.status != SellerStatus.ACTIVE:
        raise SellerSuspended("The seller is suspended: reactivate it or reject the request.")
    balance = _seller_balance_add(seller.pk, request.amount)
    entry = prepared.insert()
    log = TransactionLog.objects.create(
        seller=seller,
        type=TransactionType.TOPUP,
        amount=request.amount,
        balance_after=balance,
        currency_id=seller.account.currency_id,
        idempotency_key=f"topup:{request.pk}",
        entry=entry,
        credit_request=request,
        created_by=_actor(by),
        note=request.note,
    )
    CreditRequest.objects.filter(pk=request.pk).update(entry=entry)
    prepared.apply_balances()
    audit_record(
        actor=_actor(by),
        subject=request,
        event="credit.request_approved",
        changes={"amount": request.amount, "balance_after": balance, "entry": entry.pk},
    )
    request.refresh_from_db()
    return log


@transaction.atomic
def creditrequest_reject(*, credit_request: CreditRequest, reason: str, by) -> CreditRequest:
    reason = (reason or "").strip()
    if not reason:
        raise CreditError({"reason": "Say why the request is rejected; the seller sees it."})
    _decide(credit_request, RequestStatus.REJECTED, by, reason=reason[:500])
    audit_record(
        actor=_actor(by), subject=credit_request, event="credit.request_rejected", message=reason
    )
    credit_request.refresh_from_db()
    return credit_request


@transaction.atomic
def creditrequest_cancel(*, credit_request: CreditRequest, by) -> CreditRequest:
    """The seller withdraws a request that nobody has decided yet."""
    _decide(credit_request, RequestStatus.CANCELLED, by)
    audit_record(actor=_actor(by), subject=credit_request, event="credit.request_cancelled")
    credit_request.refresh_from_db()
    return credit_request


# --- charges --------------------------------------------------------------------------
#
# A charge is the hot path of the credit app (sellers sell many small charges, often
# several at once on one balance), so it is written twice, with the same rows:
#
# - On PostgreSQL, `_charge_in_one_statement` sends the whole charge as ONE statement of
#   data-modifying CTEs: the conditional debit of the seller row (active, balance covers
#   it, key unused, both accounts take postings) RETURNING the new balance, then, each
#   only if the debit row exists, the journal entry, its two lines, the log row, the audit
#   event and both account balances. Outside a transaction that statement is its own
#   transaction: one round trip instead of ten (BEGIN, 8 statements, COMMIT), and no ORM
#   compilation, which cost ~0.3-0.5 ms of CPU per statement (docs/performance.md). The
#   seller row is locked first, then the two accounts in primary-key order, as everywhere.
#   Table and column names come from the models' _meta; every value is a parameter.
# - Elsewhere (SQLite, the embedded default) `_charge_in_steps` does the same with the ORM,
#   statement by statement, inside `transaction.atomic()`.
#
# Both write the rows `_charge_rows` builds; tests/credit/test_charge_rows.py pins them.
