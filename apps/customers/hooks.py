"""Extension points for apps above customers (DESIGN.md §3: nothing imports upward).

Sales registers, from its AppConfig.ready():
- `orders`: its selectors module, so the customer screens show the customer's orders and
  open orders (function used: customer_orders);
- a guard that refuses to delete a customer with open orders.
Without sales the customer screens simply show no orders.

Invoicing registers:
- `receivable`: its selectors module, the customer's receivable and credit exposure
  (functions used: customer_summary, customer_exposure); sales checks credit limits
  against customer_exposure;
- a `customer_saved` listener that posts opening balances to the books.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

orders: Any = None

# guard(customer) -> a reason to refuse, or "" / None to allow
customer_delete_guards: list[Callable[[Any], str | None]] = []

receivable: Any = None

# listener(customer) called inside customer_create/customer_update's transaction
customer_saved: list[Callable[[Any], Any]] = []
