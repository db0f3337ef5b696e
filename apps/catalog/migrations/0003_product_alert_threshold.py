"""Product.alert_threshold (issue 14 item 3): the threshold its levels count as low at,
NULL while inactive or in the trash, filled from the product and the company default."""

from django.db import migrations, models


def fill(apps, schema_editor):
    schema_editor.execute(
        "UPDATE catalog_product SET alert_threshold = CASE WHEN active AND deleted_at IS NULL"
        " THEN COALESCE(low_stock_threshold, (SELECT default_low_stock_threshold"
        " FROM core_companysettings WHERE id = 1), 10) END"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_on_hand_total"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="alert_threshold",
            field=models.IntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
