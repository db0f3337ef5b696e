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

from apps.core.sql import by_vendor

TOTAL = "inventory_producttotal"
PRODUCT = "catalog_product"
NAME = "catalog_product_total_insert"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION inventory_product_total_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TOTAL} (id, units) SELECT id, 0 FROM inserted ORDER BY id
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
"""
PG_TRIGGER = (
    f"CREATE TRIGGER {NAME} AFTER INSERT ON {PRODUCT} REFERENCING NEW TABLE AS inserted"
    " FOR EACH STATEMENT EXECUTE FUNCTION inventory_product_total_insert()"
)
PG_DROP = [
    f"DROP TRIGGER IF EXISTS {NAME} ON {PRODUCT}",
    "DROP FUNCTION IF EXISTS inventory_product_total_insert()",
]
SQLITE_TRIGGER = (
    f"CREATE TRIGGER {NAME} AFTER INSERT ON {PRODUCT} FOR EACH ROW BEGIN"
    f" INSERT INTO {TOTAL} (id, units) VALUES (NEW.id, 0) ON CONFLICT DO NOTHING; END"
)
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {NAME}"]
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
        by_vendor(
            {"postgresql": [PG_FUNCTION, PG_TRIGGER, FILL], "sqlite": [SQLITE_TRIGGER, FILL]},
            {"postgresql": PG_DROP, "sqlite": SQLITE_DROP},
        )
    ]
