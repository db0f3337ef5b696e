from decimal import Decimal

from django.db import migrations, models

# Each entry's amount from its lines, once (plain SQL: SQLite >= 3.33 and PostgreSQL both
# take UPDATE ... FROM); ROUND: SQLite sums decimals as floats.
BACKFILL = """
UPDATE ledger_journalentry SET total = s.total
FROM (
    SELECT entry_id, ROUND(SUM(base_debit), 2) AS total
    FROM ledger_journalline GROUP BY entry_id
) AS s
WHERE s.entry_id = ledger_journalentry.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_entry_currency_source_no_constraint"),
    ]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="total",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                editable=False,
                max_digits=18,
                verbose_name="amount (base)",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(fields=["total", "id"], name="ledger_entry_total_idx"),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(fields=["memo", "id"], name="ledger_entry_memo_idx"),
        ),
    ]
