"""The product list by SKU: the SKUs that do not sort as their LOWER() (apps/catalog/models.py,
SKU_LIKE_LOWER), in `(sku, id)` order, on PostgreSQL.

The list reads the others in the order of the unique `LOWER(sku)` index and merges these in
(apps/catalog/tables.py, `order_sku`). A partial index takes an entry only for a row its
condition holds for: a stock move or an order confirm, which rewrites the product's row
(`on_hand_total`), adds an entry here only for such a SKU (none of the demo's 100,000), and
for the others evaluates the condition (one regular expression over the SKU). On SQLite the
list reads the same runs without this index."""

from django.db import migrations

# SKU_LIKE_LOWER as this migration wrote it (a later change of the pattern needs its own).
CREATE = (
    "CREATE INDEX IF NOT EXISTS product_sku_odd_idx ON catalog_product (sku, id)"
    " WHERE NOT (sku ~ '^[ -Z{-~]*$')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_sku_odd_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_product_price_key"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
