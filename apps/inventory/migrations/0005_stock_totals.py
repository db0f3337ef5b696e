"""Stored stock totals (issue 14 item 3): StoreTotal, each product's on_hand_total filled
from its levels, an index for the low/out counts and one for the movement reference
filter."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


def fill(apps, schema_editor):
    """What apps.inventory.services.totals.onhand_rebuild does, in SQL fixed at this
    migration (a migration must not import code that changes later)."""
    execute = schema_editor.execute
    execute(
        "UPDATE catalog_product SET on_hand_total = COALESCE((SELECT SUM(l.quantity)"
        " FROM inventory_stocklevel l WHERE l.product_id = catalog_product.id), 0)"
        " WHERE id IN (SELECT DISTINCT product_id FROM inventory_stocklevel)"
    )
    execute("DELETE FROM inventory_storetotal")
    execute(
        "INSERT INTO inventory_storetotal (store_id, units, value, held)"
        " SELECT store_id, SUM(quantity), ROUND(SUM(value), 2),"
        " SUM(CASE WHEN quantity > 0 THEN 1 ELSE 0 END)"
        " FROM inventory_stocklevel GROUP BY store_id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_on_hand_total"),
        ("inventory", "0004_value_existing_stock"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoreTotal",
            fields=[
                (
                    "store",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stock_total",
                        serialize=False,
                        to="inventory.store",
                    ),
                ),
                ("units", models.BigIntegerField(default=0)),
                ("value", models.DecimalField(decimal_places=2, default=0, max_digits=18)),
                ("held", models.IntegerField(default=0, verbose_name="products held")),
            ],
        ),
        migrations.AddIndex(
            model_name="stocklevel",
            index=models.Index(fields=["quantity", "store"], name="stock_level_quantity_idx"),
        ),
        migrations.AddIndex(
            model_name="stockmovement",
            index=models.Index(
                django.db.models.functions.text.Upper("reference"),
                models.OrderBy(models.F("id"), descending=True),
                name="movement_reference_idx",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
