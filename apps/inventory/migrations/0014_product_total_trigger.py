"""Every product's on-hand total row made by the database: a trigger on the product table
inserts it (at 0, as a new product has no level) for every inserted product, whatever
wrote it (the ORM, `bulk_create`, raw SQL, a COPY). It replaces the Product post_save
handler, which an insert outside `Model.save` skipped, so the stock services' UPDATE of
the totals found no row for such a product and its movements left no total
(docs/operations.md, "Stock valuation").

PostgreSQL: one statement-level trigger reading the statement's inserted rows (a
transition table): one set-based INSERT per statement, a single-row create or a COPY of
100,000 products alike. SQLite: a row-level trigger (it has no other kind). Both skip a
row already there, and rows missing now are added from the levels' sums."""

from django.db import migrations

from apps.core.sql import insert_trigger

TOTAL = "inventory_producttotal"
PRODUCT = "catalog_product"
# products without their row so far (inserted outside Model.save): their levels' sum
FILL = (
    f"INSERT INTO {TOTAL} (id, units) SELECT p.id, COALESCE((SELECT SUM(l.quantity)"
    " FROM inventory_stocklevel l WHERE l.product_id = p.id), 0)"
    f" FROM {PRODUCT} p WHERE NOT EXISTS (SELECT 1 FROM {TOTAL} t WHERE t.id = p.id)"
    " ORDER BY p.id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_product_total"),
        ("inventory", "0013_product_total"),
    ]

    operations = [
        insert_trigger(
            PRODUCT,
            "catalog_product_total_insert",
            "inventory_product_total_insert",
            postgresql=f"INSERT INTO {TOTAL} (id, units) SELECT id, 0 FROM inserted ORDER BY id"
            "\n        ON CONFLICT DO NOTHING",
            sqlite=f"INSERT INTO {TOTAL} (id, units) VALUES (NEW.id, 0) ON CONFLICT DO NOTHING",
            fill=FILL,
        )
    ]
