"""Each product's on-hand total in a narrow row of its own (ProductTotal), moved out of
the product's row (catalog 0012 drops `Product.on_hand_total` after this copies it): a
stock movement no longer rewrites the product's row, with an entry in every one of its
indexes (docs/performance.md, "Order confirm in a constant number of statements")."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = (
    "INSERT INTO inventory_producttotal (id, units) SELECT id, on_hand_total FROM catalog_product"
)
# catalog 0012's reverse adds the column back (at 0) before this runs backwards
BACKWARD = (
    "UPDATE catalog_product SET on_hand_total = t.units FROM inventory_producttotal t"
    " WHERE t.id = catalog_product.id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_product_inactive_idx"),
        ("inventory", "0012_movement_user_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductTotal",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        db_column="id",
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stock_total",
                        serialize=False,
                        to="catalog.product",
                    ),
                ),
                ("units", models.BigIntegerField(default=0, verbose_name="on hand (all stores)")),
            ],
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        # after the rows: one sorted build instead of 100,000 insertions
        migrations.AddIndex(
            model_name="producttotal",
            index=models.Index(fields=["units", "product"], name="product_total_units_idx"),
        ),
    ]
