"""Seller credit services, shared part: errors, amount checks and the one balance update."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection

from apps.finance import money

from ..models import (
    Seller,
    SellerStatus,
    TransactionLog,
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
