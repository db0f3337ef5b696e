"""The live inactive products' keys: the product list sorted by active reads them as a run
(apps/catalog/tables.py, `order_active`). Partial: a product row rewrite (every stock move
and order confirm, `on_hand_total`) adds an entry here only for an inactive product."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_product_sku_odd_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("active", False), ("deleted_at__isnull", True)),
                fields=["id"],
                name="product_inactive_idx",
            ),
        ),
    ]
