"""Product.on_hand_total (filled from the levels by inventory 0005) and, on PostgreSQL,
trigram indexes for the name / SKU contains-search (issue 14 item 3)."""

from django.db import migrations, models

# The expressions Django writes for `name__icontains` on PostgreSQL, so the planner can
# match them: UPPER("name"::text) LIKE UPPER('%text%').
TRIGRAM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS product_name_trgm ON catalog_product"
    " USING gin (UPPER(name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS product_sku_trgm ON catalog_product"
    " USING gin (UPPER(sku::text) gin_trgm_ops)",
]
TRIGRAM_DROP = ["DROP INDEX IF EXISTS product_name_trgm", "DROP INDEX IF EXISTS product_sku_trgm"]


def trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in TRIGRAM:
            schema_editor.execute(sql)


def trigram_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in TRIGRAM_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="on_hand_total",
            field=models.BigIntegerField(
                default=0, editable=False, verbose_name="on hand (all stores)"
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["on_hand_total", "id"], name="product_on_hand_idx"),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["low_stock_threshold"], name="product_threshold_idx"),
        ),
        migrations.RunPython(trigram, trigram_drop, elidable=False),
    ]
