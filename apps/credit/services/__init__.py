"""Every change to seller credit: sellers, top-up requests, charges, reversals (DESIGN.md §4.3).

Each service runs in one transaction and moves the seller's `balance` (a conditional
UPDATE, so it can never go below zero) together with the seller's ledger account, then
writes an immutable TransactionLog row and the audit event. A charge, the hot path, is a
single statement on PostgreSQL (see "charges" below).

Lock order, the same everywhere so nothing deadlocks: the request or log row being decided,
then the seller row, then ledger accounts in primary-key order.
"""

from .charges import (
    _DEBIT_LINE_COMPUTED,
    _ENTRY_COMPUTED,
    _EVENT_COMPUTED,
    _LOG_COMPUTED,
    _REVENUE_LINE_COMPUTED,
    ChargeOutcome,
    _charge_in_one_statement,
    _charge_in_steps,
    _charge_rows,
    _charge_statement,
    _ChargeRows,
    _phone_e164,
    _phone_e164_cached,
    _refused,
    _replay,
    _server_bound_cursor,
    credit_charge,
)
from .common import (
    MAX_KEY_LENGTH,
    ONE,
    CreditError,
    InsufficientCredit,
    SellerSuspended,
    _actor,
    _refusal,
    _seller_balance_add,
    credit_amount,
)
from .requests import (
    _decide,
    creditrequest_approve,
    creditrequest_cancel,
    creditrequest_create,
    creditrequest_reject,
    seller_create,
    seller_set_status,
)
from .reversal import (
    credit_reverse,
)

__all__ = [
    "ONE",
    "MAX_KEY_LENGTH",
    "CreditError",
    "InsufficientCredit",
    "SellerSuspended",
    "credit_amount",
    "_seller_balance_add",
    "_refusal",
    "_actor",
    "seller_create",
    "seller_set_status",
    "creditrequest_create",
    "_decide",
    "creditrequest_approve",
    "creditrequest_reject",
    "creditrequest_cancel",
    "ChargeOutcome",
    "_phone_e164",
    "_phone_e164_cached",
    "_replay",
    "_refused",
    "credit_charge",
    "_ChargeRows",
    "_charge_rows",
    "_charge_in_steps",
    "_ENTRY_COMPUTED",
    "_DEBIT_LINE_COMPUTED",
    "_REVENUE_LINE_COMPUTED",
    "_LOG_COMPUTED",
    "_EVENT_COMPUTED",
    "_charge_statement",
    "_server_bound_cursor",
    "_charge_in_one_statement",
    "credit_reverse",
]
