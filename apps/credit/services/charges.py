"""Charges: a seller sells credit to a phone, once per idempotency key (one SQL statement
on PostgreSQL, the ORM steps on SQLite; both build the same rows)."""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import to_python as phone_to_python

from apps.core.audit import to_jsonable
from apps.core.ids import uuid7
from apps.core.models import AuditAction, AuditEvent
from apps.core.request_context import current_actor, current_user
from apps.finance import money
from apps.ledger.models import DEBIT_NORMAL, JournalEntry, JournalLine
from apps.ledger.services import (
    BASE_PLACES,
    PreparedEntry,
    accounts_resolve,
)

from ..models import (
    Seller,
    SellerStatus,
    TransactionLog,
    TransactionType,
)
from .common import (
    MAX_KEY_LENGTH,
    ONE,
    CreditError,
    _actor,
    _refusal,
    _seller_balance_add,
    credit_amount,
)
from .insert_select import DEFAULT, Table, insert_params, insert_select


@dataclass(frozen=True)
class ChargeOutcome:
    transaction: TransactionLog
    replayed: bool  # True: the idempotency key was seen before; nothing was charged now


def _phone_e164(phone) -> str | None:
    """The number in E.164, or None when it is not a valid international number."""
    number = phone_to_python(phone)
    return number.as_e164 if number is not None and number.is_valid() else None


# Parsing a number costs ~35 µs and sellers charge the same numbers again and again; the
# answer for a given text never changes, so each process remembers recent (short) texts.
_phone_e164_cached = functools.lru_cache(maxsize=1024)(_phone_e164)


def _replay(seller: Seller, key: str, amount: Decimal, phone: str) -> ChargeOutcome | None:
    first = TransactionLog.objects.filter(seller_id=seller.pk, idempotency_key=key).first()
    if first is None:
        return None
    if first.type != TransactionType.CHARGE or first.amount != -amount or first.phone != phone:
        raise CreditError(
            "This submission key was already used for a different operation; reload the form."
        )
    return ChargeOutcome(transaction=first, replayed=True)


def _refused(seller: Seller, amount: Decimal, phone: str, key: str) -> ChargeOutcome:
    """The debit did not apply: an account that takes no postings (PostingError), else
    the first result of a replayed key, else why the seller cannot pay (CreditError)."""
    accounts_resolve([seller.account_id, seller.revenue_account_id])
    replay = _replay(seller, key, amount, phone)
    if replay is None:
        raise _refusal(seller.pk, amount)
    return replay


def credit_charge(
    *, seller: Seller, amount, phone, idempotency_key: str, by=None, date: dt.date | None = None
) -> ChargeOutcome:
    """Sell a charge of `amount` to `phone`: debit the seller's credit only if it covers it,
    post Dr the seller's credit account / Cr its Charge Revenue sub-account, write the log
    row; all or nothing. Every row a charge locks belongs to its seller.

    `seller` should come with `select_related("account__currency")`. The same
    `idempotency_key` (per seller) returns the first result and charges nothing more, also
    when two identical submissions race each other. On PostgreSQL the whole charge is one
    statement (see the comment above).
    """
    amount = credit_amount(amount)
    places = seller.account.currency.minor_units
    if money.has_more_places(amount, places):  # as journal_prepare would refuse it
        raise CreditError({"amount": f"Use at most {places} decimal places."})
    short_text = isinstance(phone, str) and len(phone) <= 32
    phone = _phone_e164_cached(phone) if short_text else _phone_e164(phone)
    if phone is None:
        raise CreditError(
            {"phone": "Enter a valid international phone number, e.g. +44 7911 123456."}
        )
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise CreditError("A submission key of 1 to 64 characters is required.")
    charge = _charge_in_one_statement if connection.vendor == "postgresql" else _charge_in_steps
    try:
        return charge(seller=seller, amount=amount, phone=phone, key=key, by=by, date=date)
    except IntegrityError:
        # A simultaneous submission with the same key committed first: return its result.
        replay = _replay(seller, key, amount, phone)
        if replay is None:
            raise
        return replay


@dataclass(frozen=True)
class _ChargeRows:
    """Every row one charge writes, unsaved (see _charge_rows): the log row as a model
    instance (the caller gets it back), the others as the column values that differ from
    the fields' defaults (attname -> value), which the one statement sends as they are and
    the ORM path makes instances of."""

    log: TransactionLog
    entry: dict
    lines: tuple[dict, dict]  # Dr the seller's credit account, Cr its Charge Revenue account
    event: dict


def _charge_rows(*, seller: Seller, amount: Decimal, phone: str, key: str, by, date) -> _ChargeRows:
    """The values of every row a charge writes, the same whichever path writes them.

    The entry and lines are what journal_prepare builds for Dr seller credit / Cr Charge
    Revenue at rate 1, the event what audit_record writes (tests compare both): built here
    because the one-statement path can call neither (each queries or writes by itself).
    Left to the writer: the log row's balance_after and created_at (taken under the
    seller's row lock, so log order is the order the debits applied); on PostgreSQL the
    statement also checks that both accounts take postings. Plain values, not model
    instances, for all but the log row: building and adapting five instances was most of a
    charge's Python time (docs/performance.md).
    """
    account = seller.account
    actor = _actor(by)
    actor_id = actor.pk if actor is not None else None
    now = timezone.now()
    log_type = ContentType.objects.get_for_model(TransactionLog, for_concrete_model=False)
    entry_id = uuid7()
    log = _log_instance(
        id=uuid7(),
        seller_id=seller.pk,
        type=TransactionType.CHARGE,
        amount=-amount,
        currency_id=account.currency_id,
        idempotency_key=key,
        phone=phone,
        created_by_id=actor_id,
        entry_id=entry_id,
    )
    _LOG_SELLER.set_cached_value(log, seller)  # log.seller without a query, as seller=seller
    log_id = str(log.pk)
    entry = {
        "id": entry_id,
        "date": date or timezone.localdate(),
        "memo": f"Charge {phone}"[:255],
        "currency_id": account.currency_id,
        "rate": ONE,
        "source_type_id": log_type.pk,
        "source_id": log_id,
        "posted_by_id": actor_id,
        "posted_at": now,
    }
    base = money.to_base(amount, ONE, BASE_PLACES)
    entry["total"] = base  # JournalEntry.total: the one debit line's base amount
    lines = (
        {"entry_id": entry_id, "account_id": seller.account_id, "debit": amount, "base_debit": base},
        {"entry_id": entry_id, "account_id": seller.revenue_account_id, "credit": amount,
         "base_credit": base},
    )  # fmt: skip
    # audit_record's defaults: the acting user else the request's, and the request's IP
    event_actor = actor if actor is not None else current_user()
    event = {
        "created_at": now,
        "actor_id": event_actor.pk if event_actor is not None else None,
        "actor_repr": str(event_actor) if event_actor is not None else "system",
        "ip_address": current_actor().ip,
        "action": AuditAction.BUSINESS,
        "event": "credit.charge",
        "content_type_id": log_type.pk,
        "object_id": log_id,
        "object_repr": str(log)[:255],
        "changes": to_jsonable({"amount": amount, "phone": phone, "key": key, "entry": entry_id}),
    }
    return _ChargeRows(log=log, entry=entry, lines=lines, event=event)


@functools.cache
def _log_columns() -> tuple[dict, list, tuple]:
    """The log row's columns: {attname: position} in the model's order, each column's
    default where it is a constant (None, str, int, Decimal), and the fields whose default
    must be made for each row (a callable's, e.g. created_at's now())."""
    fields = TransactionLog._meta.concrete_fields
    position = {f.attname: i for i, f in enumerate(fields)}
    constant = (type(None), str, int, Decimal)
    made = tuple((i, f) for i, f in enumerate(fields) if not isinstance(f.get_default(), constant))
    defaults = [f.get_default() for f in fields]
    return position, defaults, made


_LOG_SELLER = TransactionLog._meta.get_field("seller")


def _log_instance(**values) -> TransactionLog:
    """TransactionLog(**values), every other column at its field's default, built the way
    rows loaded from the database are (positional values in the model's order, constant
    defaults listed once per process): 16 -> ~6 µs, the same instance
    (tests/credit/test_charge_rows.py pins every column)."""
    position, defaults, made = _log_columns()
    row = defaults.copy()
    for i, field in made:
        if field.attname not in values:
            row[i] = field.get_default()
    try:
        for attname, value in values.items():
            row[position[attname]] = value
    except KeyError as exc:
        raise TypeError(f"TransactionLog has no column {exc}") from None
    return TransactionLog(*row)


@transaction.atomic
def _charge_in_steps(
    *, seller: Seller, amount: Decimal, phone: str, key: str, by, date
) -> ChargeOutcome:
    """The charge through the ORM (SQLite): the accounts, the conditional debit (which also
    checks the key is new, so the common path needs no replay query), the entry and its
    lines, the log row, the audit event, then both balances in primary-key order."""
    accounts = accounts_resolve([seller.account_id, seller.revenue_account_id])
    balance = _seller_balance_add(seller.pk, -amount, charge_key=key)
    if balance is None:
        return _refused(seller, amount, phone, key)
    rows = _charge_rows(seller=seller, amount=amount, phone=phone, key=key, by=by, date=date)
    rows.log.balance_after = balance
    rows.log.created_at = timezone.now()  # under the seller's row lock
    entry = JournalEntry(**rows.entry)
    rows.log.entry = entry
    prepared = PreparedEntry(
        entry=entry,
        lines=[JournalLine(**line) for line in rows.lines],
        accounts={a.pk: a for a in accounts.values()},
    )
    prepared.insert()
    TransactionLog.objects.bulk_create([rows.log])
    AuditEvent.objects.bulk_create([AuditEvent(**rows.event)])
    prepared.apply_balances()
    return ChargeOutcome(transaction=rows.log, replayed=False)


# Columns each INSERT of the statement fills itself, from the rows before it or from
# parameters that already carry the same value (equal by construction in _charge_rows,
# and pinned field by field on every path by tests/credit/test_charge_rows.py): each value
# travels once, and every parameter less is less for psycopg to adapt per charge.
# DEFAULT: a column the charge leaves at the field's default (_charge_rows sets none of
# these; the tests pin every column's value on every path).
_ENTRY_COMPUTED = {
    "reference": DEFAULT,
    "reverses_id": DEFAULT,
    "total": "%(dr_base_debit)s::numeric",  # the entry's amount: its one debit line's
}
_DEBIT_LINE_COMPUTED = {
    "entry_id": "entry.id",
    "account_id": "%(account_id)s",
    "debit": "%(amount)s::numeric",
    "credit": DEFAULT,
    "base_credit": DEFAULT,
    "memo": DEFAULT,
}
_REVENUE_LINE_COMPUTED = {
    "entry_id": "line_dr.entry_id",
    "account_id": "%(revenue_id)s::bigint",
    "debit": DEFAULT,
    "credit": "%(amount)s::numeric",
    "base_debit": DEFAULT,
    "base_credit": "%(dr_base_debit)s::numeric",
    "memo": DEFAULT,
}
_LOG_COMPUTED = {
    "seller_id": "%(seller_id)s",
    "idempotency_key": "%(key)s",
    "entry_id": "%(entry_id)s::uuid",
    "balance_after": "debit.balance",
    "created_at": "debit.created_at",
    "currency_id": "%(entry_currency_id)s::varchar",
    "created_by_id": "%(entry_posted_by_id)s::bigint",
    "rate": DEFAULT,
    "status": DEFAULT,
    "credit_request_id": DEFAULT,
    "reverses_id": DEFAULT,
    "note": DEFAULT,
}
_EVENT_COMPUTED = {
    "created_at": "%(entry_posted_at)s::timestamptz",
    "content_type_id": "%(entry_source_type_id)s::integer",
    "object_id": "%(entry_source_id)s::varchar",
    "message": DEFAULT,
}


@functools.cache
def _charge_statement() -> str:
    """The one PostgreSQL statement of a charge, built once per process (see above).

    Each step reads the one before it, so PostgreSQL runs them in this order whatever
    order it would pick for independent CTEs. First what needs no lock: the entry, its
    lines and the audit event. Then the seller's lock window, kept short: the debit
    (which locks the seller row) and the seller's two accounts (credit and Charge Revenue,
    moved in primary-key order, each only while it takes postings), both in the function
    `credit_charge_apply` (migration credit 0011), and last the log row, whose
    balance_after is the debit's. A charge that does not apply (the seller cannot pay or
    is not active, the key was used, an account takes no postings) leaves that balance
    NULL, so the log row's NOT NULL constraint aborts the whole statement and nothing is
    written (_charge_in_one_statement then says why). Every row the statement locks
    belongs to the seller whose row the debit holds, so charges of different sellers
    never wait for each other.

    Why the function: a charge that waits for its seller's row (another charge of the same
    seller holds it) re-checks its debit when the row is free (EvalPlanQual), and in one
    statement that re-check starts every sub-plan of the statement again (all its CTEs),
    and again for each account update (those rows moved on too since the statement's
    snapshot), all of it while holding the seller's row. Each statement in the VOLATILE
    function takes its own snapshot: the debit re-checks its own small plan only, and the
    account updates after it see the rows' latest versions (docs/performance.md).
    """
    log, line = Table(TransactionLog), Table(JournalLine)
    # constants of the code, as literals (a list parameter cost ~13 µs of adaptation each call)
    debit_normal = ", ".join(_quoted(t) for t in sorted(DEBIT_NORMAL))
    line_returning = (
        f"RETURNING {line.entry} AS entry_id, {line.account} AS account_id,"
        f" {line.base_debit} - {line.base_credit} AS net"
    )
    # Each account the lines move, once (the lower id first: primary-key lock order), by
    # the lines' net amount in base units.
    moves = (
        "(SELECT array_agg(account_id ORDER BY account_id) FROM moved),"
        " (SELECT array_agg(net ORDER BY account_id) FROM moved)"
    )
    # One log row whatever happened: without the debit and both account moves the
    # function returns no row, balance_after is NULL and the insert fails (see above).
    applied = "(SELECT) AS one LEFT JOIN debit ON true"
    statement = f"""
WITH entry AS (
    {insert_select(JournalEntry, "entry", None, _ENTRY_COMPUTED)}
    RETURNING {Table(JournalEntry).id} AS id
), line_dr AS (
    {insert_select(JournalLine, "dr", "entry", _DEBIT_LINE_COMPUTED)}
    {line_returning}
), line_cr AS (
    {insert_select(JournalLine, "cr", "line_dr", _REVENUE_LINE_COMPUTED)}
    {line_returning}
), audited AS (
    {insert_select(AuditEvent, "event", "line_cr", _EVENT_COMPUTED)}
    RETURNING 1
), moved AS (
    SELECT account_id, sum(net) AS net FROM (TABLE line_dr UNION ALL TABLE line_cr) AS lines
    GROUP BY account_id
), debit AS MATERIALIZED (
    SELECT new_balance AS balance, charged_at AS created_at FROM credit_charge_apply(
        %(seller_id)s, %(amount)s, %(key)s, {_quoted(SellerStatus.ACTIVE.value)}, {moves},
        ARRAY[{debit_normal}]::varchar[])
    WHERE EXISTS (SELECT 1 FROM audited)
), logged AS (
    {insert_select(TransactionLog, "log", applied, _LOG_COMPUTED)}
    RETURNING {log.balance_after}, {log.created_at}
)
SELECT * FROM logged
"""
    # On one line: psycopg re-parses the placeholders on every call of a statement longer
    # than 4096 characters or with more than 50 parameters (tests/credit pin both).
    return " ".join(statement.split())


def _quoted(value: str) -> str:
    return "'{}'".format(value.replace("'", "''"))


def _server_bound_cursor(db):
    """Django's cursor (it connects, checks the connection, translates errors, logs the
    query) over a psycopg cursor that binds the parameters on the server instead of into
    the query text as Django's does. Only such a cursor can use a prepared statement:
    psycopg prepares one after `prepare_threshold` runs (our settings: 5 on PostgreSQL
    unless PG_PREPARE=off; Django leaves it off because an old transaction-pooling
    pgbouncer breaks prepared statements). Parsing and planning this statement costs
    ~0.6-1 ms of server time per charge otherwise (docs/performance.md).

    The psycopg cursor is made once per connection and kept (on the connection's wrapper,
    which belongs to one thread): what Django's `cursor()` does besides (a cursor of its
    own, closed at once, and this one) cost ~10 µs per charge. Do not close the result."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    kept = getattr(db, "_charge_cursor", None)
    if kept is None or kept.connection is not db.connection or kept.closed:
        kept = db._charge_cursor = ServerBindingCursor(db.connection)
    return db._prepare_cursor(kept)  # Django's wrapper: error translation, query logging


def _not_applied(exc: IntegrityError) -> bool:
    """Whether the statement failed because the charge did not apply: its log row's
    balance_after was NULL (see _charge_statement)."""
    cause = exc.__cause__
    return (
        getattr(cause, "sqlstate", None) == _NOT_NULL_VIOLATION
        and cause.diag.table_name == TransactionLog._meta.db_table
        and cause.diag.column_name == TransactionLog._meta.get_field("balance_after").column
    )


_NOT_NULL_VIOLATION = "23502"


def _charge_in_one_statement(
    *, seller: Seller, amount: Decimal, phone: str, key: str, by, date
) -> ChargeOutcome:
    """The charge on PostgreSQL: one statement, one round trip (see the section comment).

    Nothing is written unless the debit applies; then all of it commits together. Inside
    a caller's transaction it runs in a savepoint, so a charge that did not apply or a
    lost race on the key (the unique constraint's IntegrityError) leaves the caller's
    transaction usable.
    """
    rows = _charge_rows(seller=seller, amount=amount, phone=phone, key=key, by=by, date=date)
    log = rows.log
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-access proxy
    params = {
        "revenue_id": seller.revenue_account_id,
        "amount": amount,
        "seller_id": seller.pk,
        "key": key,
        "account_id": seller.account_id,
        **insert_params(JournalEntry, rows.entry, "entry", _ENTRY_COMPUTED, db),
        **insert_params(JournalLine, rows.lines[0], "dr", _DEBIT_LINE_COMPUTED, db),
        **insert_params(TransactionLog, vars(log), "log", _LOG_COMPUTED, db),  # attname -> value
        **insert_params(AuditEvent, rows.event, "event", _EVENT_COMPUTED, db),
    }
    savepoint = transaction.atomic(using=db.alias) if db.in_atomic_block else nullcontext()
    try:
        with savepoint:
            cursor = _server_bound_cursor(db)
            cursor.execute(_charge_statement(), params)
            log.balance_after, log.created_at = cursor.fetchone()
    except IntegrityError as exc:
        if not _not_applied(exc):
            raise  # the key's unique constraint: credit_charge returns the first result
        return _refused(seller, amount, phone, key)
    log._state.adding, log._state.db = False, db.alias
    return ChargeOutcome(transaction=log, replayed=False)


# --- reversals ------------------------------------------------------------------------
