"""`Product.on_hand_total` moves to inventory's ProductTotal (inventory 0013 copies it
first): the product's row is no longer written by stock movements."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_product_inactive_idx"),
        ("inventory", "0013_product_total"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="product", name="product_on_hand_idx"),
        migrations.RemoveField(model_name="product", name="on_hand_total"),
    ]
