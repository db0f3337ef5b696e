"""The (store, product) pairs without a stock level (MissingLevel), kept with what makes
or removes one, so the product list by one store's stock reads a store's unstocked
products from an index (apps/inventory/store_order.py).

- A new product: a pair with every store, made by the database: a trigger on the product
  table (migration inventory 0015) inserts them in the inserting statement, whatever
  inserts it (the ORM, `bulk_create`, raw SQL, a COPY, an import); on PostgreSQL one
  set-based INSERT per statement over its inserted rows.
- A new store: a pair with every product, trashed ones too (`store_created`). On
  PostgreSQL the catalog table is locked in SHARE mode first: a product inserted but not
  yet committed (whose trigger did not see the new store) is waited for, and a product
  inserted after the lock waits for the store to commit, so its trigger sees it.
- A new level: its pair is deleted by the statement that inserts the level
  (`levels._create_and_lock`, `levels._ensure_levels`: `GONE_SQL`, `missing_levels_drop`).
  Levels, products and stores are never deleted (PROTECT, soft delete), and the pairs
  follow a hard delete by CASCADE.
- Bulk loaders that write levels without the services: `missing_levels_rebuild`
  (through `onhand_rebuild`); the catalog scale builder loads its products with the
  trigger off and leaves their pairs to it.

check_books (`inventory.missing_levels`) compares the pairs with the levels.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from apps.catalog.models import Product

from ..models import MissingLevel, StockLevel, Store

_MISSING = MissingLevel._meta.db_table
_PRODUCT = Product._meta.db_table
_STORE = Store._meta.db_table
_LEVEL = StockLevel._meta.db_table

# Inside `WITH new AS (INSERT INTO <levels> ... RETURNING ...)`: the new levels' pairs.
GONE_SQL = (
    f"gone AS (DELETE FROM {_MISSING} m USING new"
    " WHERE m.store_id = new.store_id AND m.product_id = new.product_id)"
)


def store_created(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save of Store: the new store has no level for any product."""
    if not created or raw:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_PRODUCT} IN SHARE MODE")
        cursor.execute(
            f"INSERT INTO {_MISSING} (store_id, product_id) SELECT %s, id FROM {_PRODUCT}"
            " ORDER BY id",
            [instance.pk],
        )


def missing_levels_drop(keys: list[tuple[int, int]]) -> None:
    """Delete the pairs of new levels `keys` (store, product): one DELETE, SQLite
    (PostgreSQL deletes them in the levels' INSERT, `GONE_SQL`)."""
    stores: dict[int, list[int]] = defaultdict(list)
    for store_id, product_id in keys:
        stores[store_id].append(product_id)
    match, params = [], []
    for store_id, products in stores.items():
        match.append(f"(store_id = %s AND product_id IN ({', '.join('%s' for _ in products)}))")
        params += [store_id, *products]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_MISSING} WHERE {' OR '.join(match)}", params)


def missing_levels_rebuild() -> None:
    """Recount every pair from the stores, products and levels, for bulk loaders; call it
    in their transaction, after the products and levels. Pairs already right stay.

    Set operations (EXCEPT: hashed or sorted whole), not NOT EXISTS: a loader runs it
    with the levels' indexes dropped and no statistics yet, where an anti join may be
    planned as a loop over the levels for each pair."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_MISSING} WHERE id IN (SELECT m.id FROM {_MISSING} m"
            f" JOIN {_LEVEL} l ON l.store_id = m.store_id AND l.product_id = m.product_id)"
        )
        cursor.execute(
            f"INSERT INTO {_MISSING} (store_id, product_id) SELECT * FROM (SELECT s.id, p.id"
            f" FROM {_STORE} s CROSS JOIN {_PRODUCT} p EXCEPT SELECT store_id, product_id"
            f" FROM {_LEVEL} EXCEPT SELECT store_id, product_id FROM {_MISSING}) todo"
            " ORDER BY 1, 2"
        )
