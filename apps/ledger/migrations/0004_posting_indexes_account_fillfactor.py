"""Entries and lines carry 6 fewer index entries per posting (those a composite index's
leading column covers; the LIKE-only twins of reference and currency), and the account
table keeps room for HOT updates of the balance (docs/performance.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from apps.core.sql import fillfactor


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("finance", "0002_currencies"),
        ("ledger", "0003_stock_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalentry",
            name="currency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="finance.currency",
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="date",
            field=models.DateField(),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="reference",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="source_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="ledger.account",
            ),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(fields=["reference"], name="ledger_entry_reference_idx"),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(fields=["currency"], name="ledger_entry_currency_idx"),
        ),
        fillfactor("ledger_account", 70),
    ]
