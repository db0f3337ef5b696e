"""Extension points for apps above customers (DESIGN.md §3: nothing imports upward).

Sales registers, from its AppConfig.ready():
- `orders`: its selectors module, so the customer screens show the customer's orders and
  open balance (functions used: customer_orders, customer_order_summary);
- a guard that refuses to delete a customer with open orders.
Without sales the customer screens simply show no orders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

orders: Any = None

# guard(customer) -> a reason to refuse, or "" / None to allow
customer_delete_guards: list[Callable[[Any], str | None]] = []
