"""A movement's related store is set on transfers only: its index keeps those rows alone
(partial, WHERE related_store_id IS NOT NULL), so every other movement writes one index
entry fewer (docs/performance.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_product_write_indexes"),
        ("inventory", "0007_missing_levels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="stockmovement",
            name="related_store",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="inventory.store",
            ),
        ),
        migrations.AddIndex(
            model_name="stockmovement",
            index=models.Index(
                condition=models.Q(("related_store__isnull", False)),
                fields=["related_store"],
                name="movement_related_store_idx",
            ),
        ),
    ]
