"""Every seller has its Charge Revenue sub-account (filled by 0002, in its own transaction:
PostgreSQL refuses to alter a table with pending foreign-key checks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("credit", "0002_seller_revenue_accounts")]

    operations = [
        migrations.AlterField(
            model_name="seller",
            name="revenue_account",
            field=models.OneToOneField(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="seller_revenue",
                to="ledger.account",
            ),
        ),
    ]
