"""Every change of `finance_currency` moves the reference stamp (apps.core.reference)."""

from django.db import migrations

from apps.core.reference import stamp_trigger


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_reference_stamp"),
        ("finance", "0002_currencies"),
    ]

    operations = [stamp_trigger("finance_currency")]
