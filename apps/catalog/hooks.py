"""Extension points for apps above the catalog (DESIGN.md §3: nothing imports upward).

Inventory registers, from its AppConfig.ready():
- `stock`: its selectors module, so product screens show stock by store, filter by stock
  status and list recent movements (functions used: annotate_products, filter_status, store_choices,
  product_stock, recent_movements, StockStatus);
- a guard that refuses to delete a product with stock on hand;
- the "opening stock" CSV importer next to the catalog's product importer.
Without inventory the product screens simply show no stock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

stock: Any = None

# guard(product) -> a reason to refuse, or "" / None to allow
product_delete_guards: list[Callable[[Any], str | None]] = []

# kind -> importer class (see apps.catalog.imports.Importer)
importers: dict[str, type] = {}


def register_importer(kind: str) -> Callable[[type], type]:
    def decorator(cls: type) -> type:
        importers[kind] = cls
        return cls

    return decorator
