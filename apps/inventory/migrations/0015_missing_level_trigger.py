"""A new product's (store, product) pairs without a stock level (MissingLevel) made by the
database: a trigger on the product table inserts a pair with every store for every
inserted product, whatever wrote it (the ORM, `bulk_create`, raw SQL, a COPY). It
replaces the Product post_save handler, which an insert outside `Model.save` skipped, so
the product list sorted by one store's stock (apps/inventory/store_order.py, reading a
store's unstocked products from its pairs) left such a product out until check_books
reported it. Like the on-hand totals' trigger (0014).

PostgreSQL: one statement-level trigger reading the statement's inserted rows (a
transition table): one set-based INSERT per statement, every store x every inserted
product in (store, product) order. SQLite: a row-level trigger (it has no other kind).
Both skip a pair already there, and pairs missing now (a product with no level in a
store and no pair) are added.

A new store still makes its own pairs (`missing.store_created`, unchanged), after
locking the product table in SHARE mode, which conflicts with the ROW EXCLUSIVE lock an
INSERT into the product table takes before it reads anything. So a product and a store
created concurrently (READ COMMITTED) meet one way or the other, and exactly one of them
inserts their pair:
- the product's INSERT came first and its transaction has not committed: its trigger
  did not see the uncommitted store; the store waits for the product's commit at the
  lock, and its INSERT (snapshot taken after the lock) then sees the product;
- the store locked first: the product's INSERT waits for the store's commit, and the
  trigger's INSERT (a statement of its own with a new snapshot, run after the product's
  rows) then sees the store.
Both orders are tested (tests/inventory/test_concurrency.py).
SQLite writers are serialized by its database lock."""

from django.db import migrations

from apps.core.sql import insert_trigger

MISSING = "inventory_missinglevel"
PRODUCT = "catalog_product"
STORE = "inventory_store"
# pairs missing so far (products inserted outside Model.save): no level, no pair
FILL = (
    f"INSERT INTO {MISSING} (store_id, product_id) SELECT * FROM (SELECT s.id, p.id"
    f" FROM {STORE} s CROSS JOIN {PRODUCT} p EXCEPT SELECT store_id, product_id"
    f" FROM inventory_stocklevel EXCEPT SELECT store_id, product_id FROM {MISSING}) todo"
    " ORDER BY 1, 2"
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_product_total"),
        ("inventory", "0014_product_total_trigger"),
    ]

    operations = [
        insert_trigger(
            PRODUCT,
            "catalog_product_missing_insert",
            "inventory_missing_level_insert",
            postgresql=f"INSERT INTO {MISSING} (store_id, product_id) SELECT s.id, i.id"
            f"\n        FROM {STORE} s CROSS JOIN inserted i ORDER BY s.id, i.id"
            "\n        ON CONFLICT DO NOTHING",
            sqlite=f"INSERT INTO {MISSING} (store_id, product_id) SELECT id, NEW.id FROM {STORE}"
            " WHERE TRUE ORDER BY id ON CONFLICT DO NOTHING",
            fill=FILL,
        )
    ]
