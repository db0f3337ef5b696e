"""Every change of `catalog_category` moves the reference stamp (apps.core.reference)."""

from django.db import migrations

from apps.core.reference import stamp_trigger


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_reference_stamp"),
        ("catalog", "0006_product_threshold_name"),
    ]

    operations = [stamp_trigger("catalog_category")]
