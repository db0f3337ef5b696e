"""Every change of stock goes through these functions (DESIGN.md §4.1, §4.8, §6).

- A level changes only while its row is locked (SELECT ... FOR UPDATE, several rows in
  primary-key order), by F() deltas on quantity and value, an issue only WHERE enough
  units remain; the database CHECKs (quantity >= 0, an empty level has no value) are the
  last line of defence. The average unit cost is derived from the locked figures.
- Each change writes one StockMovement (append-only, with its unit cost and value) and
  one audit event in the same transaction, so every quantity is explained by the ledger.
- Value reaches the books through one journal entry per document (apps/inventory/
  valuation.py): a movement form, or a whole order (`stock_sell`) or return
  (`stock_restock`); transfers move value between stores and post nothing.
- All functions are `@transaction.atomic` and safe to call inside an outer transaction:
  a sales order locks its levels with `stock_levels_lock`, checks every line, then calls
  `stock_sell` with those locked rows. Level locks come before the ledger's account rows.
"""

from .levels import MAX_COUNTED, InsufficientStock, stock_levels_lock
from .movements import (
    REMOVAL_ACCOUNTS,
    stock_adjust,
    stock_receive,
    stock_remove,
    stock_restock,
    stock_return,
    stock_sell,
    stock_transfer,
)
from .totals import onhand_rebuild

__all__ = [
    "MAX_COUNTED",
    "REMOVAL_ACCOUNTS",
    "InsufficientStock",
    "onhand_rebuild",
    "stock_adjust",
    "stock_levels_lock",
    "stock_receive",
    "stock_remove",
    "stock_restock",
    "stock_return",
    "stock_sell",
    "stock_transfer",
]
