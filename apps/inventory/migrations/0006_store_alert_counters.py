"""Low/out-of-stock counters and the count of levels per store (issue 14 item 3), filled
from the levels and the products' alert thresholds."""

from django.db import migrations, models


def fill(apps, schema_editor):
    """What apps.inventory.services.totals.onhand_rebuild does for these columns, in SQL
    fixed at this migration."""
    schema_editor.execute(
        "UPDATE inventory_storetotal SET levels = c.levels, low = c.low, out = c.out FROM"
        " (SELECT l.store_id, COUNT(*) AS levels,"
        " SUM(CASE WHEN l.quantity > 0 AND l.quantity <= p.alert_threshold THEN 1 ELSE 0 END)"
        " AS low, SUM(CASE WHEN l.quantity = 0 AND p.alert_threshold IS NOT NULL THEN 1"
        " ELSE 0 END) AS out FROM inventory_stocklevel l JOIN catalog_product p"
        " ON p.id = l.product_id GROUP BY l.store_id) AS c"
        " WHERE inventory_storetotal.store_id = c.store_id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_product_alert_threshold"),
        ("inventory", "0005_stock_totals"),
    ]

    operations = [
        migrations.AddField(
            model_name="storetotal", name="levels", field=models.IntegerField(default=0)
        ),
        migrations.AddField(
            model_name="storetotal", name="low", field=models.IntegerField(default=0)
        ),
        migrations.AddField(
            model_name="storetotal", name="out", field=models.IntegerField(default=0)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
