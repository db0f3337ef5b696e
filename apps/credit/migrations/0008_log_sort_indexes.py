"""Indexes the transaction log's sorts walk (TransactionTable; docs/performance.md, "The
transaction log's sorts"): the type index widened by created_at (no new entry per row), phone,
amount and balance after (one entry each per charge), and the reversed rows (partial: a
charge, written completed, adds no entry to it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0007_phone_field"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="transactionlog",
            name="credit_log_type_idx",
        ),
        migrations.AddIndex(
            model_name="transactionlog",
            index=models.Index(fields=["type", "created_at"], name="credit_log_type_idx"),
        ),
        migrations.AddIndex(
            model_name="transactionlog",
            index=models.Index(fields=["phone", "created_at"], name="credit_log_phone_idx"),
        ),
        migrations.AddIndex(
            model_name="transactionlog",
            index=models.Index(fields=["amount", "created_at"], name="credit_log_amount_idx"),
        ),
        migrations.AddIndex(
            model_name="transactionlog",
            index=models.Index(
                fields=["balance_after", "created_at"], name="credit_log_balance_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="transactionlog",
            index=models.Index(
                condition=models.Q(("status", "reversed")),
                fields=["created_at"],
                name="credit_log_reversed_idx",
            ),
        ),
    ]
