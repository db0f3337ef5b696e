"""Extension points for apps above the catalog (DESIGN.md §3: nothing imports upward).

Inventory registers, from its AppConfig.ready():
- `stock`: its selectors module, so product screens show stock by store, sort by one
  store's stock, filter by stock status and list recent movements (functions used:
  annotate_products, order_by_store_stock, filter_status, store_choices, product_stock,
  recent_movements, StockStatus);
- a guard that refuses to delete a product with stock on hand;
- the "opening stock" CSV importer next to the catalog's product importer.
- `alerts`: its stock-alert writers (`alerts_lock`, `alerts_sync`), run by
  `stock_alerts_change` around every change of a product's threshold, active flag or
  trash state, so the stores' low/out counters move with it.
Without inventory the product screens simply show no stock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

stock: Any = None
alerts: Any = None


@contextmanager
def stock_alerts_change(*, product_ids: list[int] | None = None) -> Iterator[None]:
    """Wrap a write of what decides whether a level counts as low or out: the products'
    threshold, active flag or trash state (`product_ids`), or, with None, the company
    default (products without a threshold of their own). In one transaction: the
    company settings row, their levels, then the products are locked (the stock
    services' order after the settings row), the write runs, then their stored alert
    threshold and the stores' counters follow."""
    with transaction.atomic():
        default = alerts.alerts_lock(product_ids=product_ids) if alerts is not None else None
        yield
        if alerts is not None:
            alerts.alerts_sync(product_ids=product_ids, default=default)


# guard(product) -> a reason to refuse, or "" / None to allow
product_delete_guards: list[Callable[[Any], str | None]] = []

# kind -> importer class (see apps.catalog.imports.Importer)
importers: dict[str, type] = {}


def register_importer(kind: str) -> Callable[[type], type]:
    def decorator(cls: type) -> type:
        importers[kind] = cls
        return cls

    return decorator
