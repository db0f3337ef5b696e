"""The counters now live in core.NumberSequence (copied by core 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("core", "0002_numbersequence"),
    ]

    operations = [migrations.DeleteModel(name="NumberSequence")]
