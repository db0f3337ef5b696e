"""The transaction log's currency without an index: no list, filter or API reads the log by
its currency (one currency per seller; the only look-up is Django's PROTECT check when a
currency is deleted, a scan of the log then), and every charge wrote an entry into it inside
the seller's lock window (docs/performance.md, "Seller credit")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0011_charge_apply_function"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="transactionlog",
            name="credit_log_currency_idx",
        ),
    ]
