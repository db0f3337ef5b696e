"""The credit log's search on PostgreSQL (credit.selectors.transactions_matching): a trigram
index for the phone's contains-search, and the 8-digit short id the lists show
(`TransactionLog.short_id`, the id's last 8 characters) as an expression index."""

from django.db import migrations

from apps.core.trigram import Trigram, trigram_indexes

SHORT_ID = (
    "CREATE INDEX IF NOT EXISTS credit_log_short_id_idx"
    " ON credit_transactionlog (RIGHT((id)::varchar, 8))"
)


def short_id(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SHORT_ID)


def short_id_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS credit_log_short_id_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0009_request_sort_indexes"),
    ]

    operations = [
        trigram_indexes(
            Trigram("credit_log_phone_trgm", "credit_transactionlog", "phone", upper=False)
        ),
        migrations.RunPython(short_id, short_id_drop, elidable=False),
    ]
