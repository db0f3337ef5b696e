"""The log row every charge writes carries 3 fewer index entries (the seller's own index,
covered by credit_log_seller_idx; the LIKE-only twins of type and currency), and the
seller table keeps room for HOT updates of the balance (docs/performance.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from apps.core.sql import fillfactor


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0003_seller_revenue_account_required"),
        ("finance", "0002_currencies"),
        ("ledger", "0003_stock_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="transactionlog",
            name="currency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="finance.currency",
            ),
        ),
        migrations.AlterField(
            model_name="transactionlog",
            name="seller",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transactions",
                to="credit.seller",
            ),
        ),
        migrations.AlterField(
            model_name="transactionlog",
            name="type",
            field=models.CharField(
                choices=[("topup", "Top-up"), ("charge", "Charge"), ("reversal", "Reversal")],
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="transactionlog",
            index=models.Index(fields=["type"], name="credit_log_type_idx"),
        ),
        migrations.AddIndex(
            model_name="transactionlog",
            index=models.Index(fields=["currency"], name="credit_log_currency_idx"),
        ),
        fillfactor("credit_seller", 70),
    ]
