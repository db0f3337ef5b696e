"""Every change of `inventory_store` moves the reference stamp (apps.core.reference)."""

from django.db import migrations

from apps.core.reference import stamp_trigger


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_reference_stamp"),
        ("inventory", "0009_stock_level_quantity_key"),
    ]

    operations = [stamp_trigger("inventory_store")]
