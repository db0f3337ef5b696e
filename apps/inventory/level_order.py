"""The stock list's sorts by store, category and alert level, a page at a time from runs:
`RunOrder` lives in apps/core/run_order.py (the order list and the product list read
runs too, and the catalog sits below inventory)."""

from apps.core.run_order import RunOrder

__all__ = ["RunOrder"]
