"""Every change to seller credit: sellers, top-up requests, charges, reversals (DESIGN.md §4.3).

Each service runs in one transaction and moves the seller's `balance` (a conditional
UPDATE, so it can never go below zero) together with the seller's ledger account (through
journal_write), then writes an immutable TransactionLog row and the audit event.

Lock order, the same everywhere so nothing deadlocks: the request or log row being decided,
then the seller row, then ledger accounts in primary-key order (journal_write does those).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import to_python as phone_to_python

from apps.accounts.roles import Role
from apps.accounts.services import user_roles_set
from apps.core.audit import audit_record
from apps.finance import money
from apps.ledger import chart
from apps.ledger.models import Account, AccountType
from apps.ledger.selectors import account_by_code
from apps.ledger.services import Cr, Dr, journal_prepare, journal_reverse

from .models import (
    CreditRequest,
    RequestStatus,
    Seller,
    SellerStatus,
    TransactionLog,
    TransactionType,
)

ONE = Decimal("1")
MAX_KEY_LENGTH = 64


class CreditError(ValidationError):
    """A credit operation refused by a business rule; nothing was changed."""


class InsufficientCredit(CreditError):
    pass


class SellerSuspended(CreditError):
    pass


# --- helpers --------------------------------------------------------------------------


def credit_amount(value, *, field: str = "amount") -> Decimal:
    """A positive amount of at most two decimals (the base currency's minor units)."""
    try:
        amount = money.to_decimal(value)
    except money.MoneyError as exc:
        raise CreditError({field: str(exc)}) from exc
    if amount <= 0:
        raise CreditError({field: "The amount must be greater than zero."})
    if money.has_more_places(amount, 2):
        raise CreditError({field: "Use at most 2 decimal places."})
    if amount > money.MAX_AMOUNT:
        raise CreditError({field: "The amount is too large."})
    return money.quantize(amount, 2)


def _seller_balance_add(seller_id: int, delta: Decimal, *, charge_key: str = "") -> Decimal | None:
    """UPDATE the seller's balance by `delta` and return the new balance, in one statement.

    A negative `delta` applies only if the balance covers it; a charge (`charge_key`) also
    only while the seller is active and the key is unused. None means the row did not
    qualify. ROUND keeps SQLite, which stores decimals as floats, exact to the cent.
    """
    table = connection.ops.quote_name(Seller._meta.db_table)
    sql = f"UPDATE {table} SET balance = ROUND(balance + %s, 2) WHERE id = %s"
    params: list = [delta, seller_id]
    if delta < 0:
        sql += " AND balance >= %s"
        params.append(-delta)
    if charge_key:
        log_table = connection.ops.quote_name(TransactionLog._meta.db_table)
        sql += (
            f" AND status = %s AND NOT EXISTS (SELECT 1 FROM {log_table}"
            " WHERE seller_id = %s AND idempotency_key = %s)"
        )
        params += [SellerStatus.ACTIVE, seller_id, charge_key]
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING balance", params)
        row = cursor.fetchone()
    # SQLite hands back a float: through str, as Decimal never takes floats directly.
    return None if row is None else money.quantize(str(row[0]), 2)


def _refusal(seller_id: int, amount: Decimal) -> CreditError:
    """Why a debit did not apply: a clear message for the seller."""
    status, balance = Seller.all_objects.values_list("status", "balance").get(pk=seller_id)
    if status != SellerStatus.ACTIVE:
        return SellerSuspended("This seller account is suspended: no charges can be made.")
    return InsufficientCredit(
        {
            "amount": f"Insufficient credit: the balance is {money.format_money(balance)}, "
            f"the charge needs {money.format_money(amount)}."
        }
    )


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


# --- sellers --------------------------------------------------------------------------


@transaction.atomic
def seller_create(
    *, email: str, company: str, phone="", full_name: str = "", password: str | None = None
) -> Seller:
    """A seller with its login (Seller role) and its own credit sub-account under 2100."""
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
    seller = Seller.objects.create(user=user, company=company, phone=phone or "", account=account)
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


@dataclass(frozen=True)
class ChargeOutcome:
    transaction: TransactionLog
    replayed: bool  # True: the idempotency key was seen before; nothing was charged now


def _replay(seller: Seller, key: str, amount: Decimal, phone: str) -> ChargeOutcome | None:
    first = TransactionLog.objects.filter(seller_id=seller.pk, idempotency_key=key).first()
    if first is None:
        return None
    if first.type != TransactionType.CHARGE or first.amount != -amount or first.phone != phone:
        raise CreditError(
            "This submission key was already used for a different operation; reload the form."
        )
    return ChargeOutcome(transaction=first, replayed=True)


class _Replayed(Exception):
    """Raised inside the charge transaction to roll it back and return the first result."""

    def __init__(self, outcome: ChargeOutcome):
        self.outcome = outcome


def credit_charge(
    *, seller: Seller, amount, phone, idempotency_key: str, by=None, date: dt.date | None = None
) -> ChargeOutcome:
    """Sell a charge of `amount` to `phone`: debit the seller's credit only if it covers it,
    post Dr Seller Credit / Cr Charge Revenue, write the log row; all or nothing.

    `seller` should come with `select_related("account__currency")`. The same
    `idempotency_key` (per seller) returns the first result and charges nothing more, also
    when two identical submissions race each other.
    """
    amount = credit_amount(amount)
    number = phone_to_python(phone)
    if number is None or not number.is_valid():
        raise CreditError(
            {"phone": "Enter a valid international phone number, e.g. +44 7911 123456."}
        )
    phone = number.as_e164
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise CreditError("A submission key of 1 to 64 characters is required.")
    try:
        return _charge(seller=seller, amount=amount, phone=phone, key=key, by=by, date=date)
    except _Replayed as replayed:
        return replayed.outcome
    except IntegrityError:
        # A simultaneous submission with the same key committed first: return its result.
        replay = _replay(seller, key, amount, phone)
        if replay is None:
            raise
        return replay


@transaction.atomic
def _charge(*, seller: Seller, amount: Decimal, phone: str, key: str, by, date) -> ChargeOutcome:
    """The charge itself, in as few statements as it can: the account lookup, two inserts
    for the entry, the audit event, the conditional debit (which also checks the key is
    new, so the common path needs no separate replay query), the log row, and the two
    account balances last, so the shared Charge Revenue row stays locked the shortest."""
    account = seller.account
    log = TransactionLog(
        id=uuid.uuid4(),
        seller=seller,
        type=TransactionType.CHARGE,
        amount=-amount,
        currency_id=account.currency_id,
        idempotency_key=key,
        phone=phone,
        created_by=_actor(by),
    )
    prepared = journal_prepare(
        date=date or timezone.localdate(),
        memo=f"Charge {phone}",
        lines=[Dr(account, amount), Cr(chart.CHARGE_REVENUE, amount)],
        currency=account.currency,
        rate=ONE,
        source=log,
        posted_by=log.created_by,
    )
    entry = prepared.insert()
    audit_record(
        actor=log.created_by,
        subject=log,
        event="credit.charge",
        changes={"amount": amount, "phone": phone, "key": key, "entry": entry.pk},
    )
    balance = _seller_balance_add(seller.pk, -amount, charge_key=key)
    if balance is None:
        replay = _replay(seller, key, amount, phone)
        if replay is not None:
            raise _Replayed(replay)  # rolls back this attempt's inserts
        raise _refusal(seller.pk, amount)
    log.balance_after = balance
    log.created_at = timezone.now()  # taken under the seller's row lock: log order = apply order
    log.entry = entry
    TransactionLog.objects.bulk_create([log])  # one plain INSERT, no save() machinery
    prepared.apply_balances()
    return ChargeOutcome(transaction=log, replayed=False)


# --- reversals ------------------------------------------------------------------------


@transaction.atomic
def credit_reverse(*, transaction_log: TransactionLog, reason: str, by) -> TransactionLog:
    """Undo a charge (credit comes back) or a top-up (only while the balance covers it):
    a reversing journal entry and a new log row; the original is marked reversed, once."""
    original = transaction_log
    reason = (reason or "").strip()
    if not reason:
        raise CreditError({"reason": "Say why this transaction is reversed."})
    if original.type == TransactionType.REVERSAL:
        raise CreditError("A reversal cannot be reversed; record a new transaction instead.")
    if not TransactionLog.objects.mark_reversed(original.pk):
        raise CreditError("This transaction has already been reversed.")
    delta = -original.amount
    balance = _seller_balance_add(original.seller_id, delta)
    if balance is None:
        raise InsufficientCredit(
            "The seller's balance no longer covers this top-up, so it cannot be reversed."
        )
    entry = journal_reverse(
        entry=original.entry, memo=f"Reversal: {reason}"[:255], posted_by=_actor(by), audit=False
    )
    log = TransactionLog.objects.create(
        seller_id=original.seller_id,
        type=TransactionType.REVERSAL,
        amount=delta,
        balance_after=balance,
        currency_id=original.currency_id,
        rate=original.rate,
        idempotency_key=f"reversal:{original.pk}",
        phone=original.phone,
        entry=entry,
        reverses=original,
        created_by=_actor(by),
        note=reason[:500],
    )
    audit_record(
        actor=_actor(by),
        subject=log,
        event="credit.reversal",
        changes={"reverses": original.pk, "amount": delta, "balance_after": balance},
        message=reason,
    )
    return log
