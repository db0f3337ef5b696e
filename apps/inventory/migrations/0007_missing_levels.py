"""The (store, product) pairs without a stock level (MissingLevel), filled from the
stores, products and levels."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """What apps.inventory.services.missing.missing_levels_rebuild does, in SQL fixed at
    this migration."""
    schema_editor.execute(
        "INSERT INTO inventory_missinglevel (store_id, product_id) SELECT s.id, p.id"
        " FROM inventory_store s CROSS JOIN catalog_product p WHERE NOT EXISTS"
        " (SELECT 1 FROM inventory_stocklevel l WHERE l.store_id = s.id"
        " AND l.product_id = p.id) ORDER BY s.id, p.id"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE inventory_missinglevel")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_product_alert_threshold"),
        ("inventory", "0006_store_alert_counters"),
    ]

    operations = [
        migrations.CreateModel(
            name="MissingLevel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.product",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="inventory.store",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "product"), name="missing_level_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
