"""The journal's search on PostgreSQL: trigram indexes on the memo and, for the entries
that have one, the reference (ledger.selectors.entries_matching, apps/core/search.py)."""

from django.db import migrations

from apps.core.trigram import Trigram, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0008_entry_poster_index"),
    ]

    operations = [
        trigram_indexes(
            Trigram("ledger_entry_memo_trgm", "ledger_journalentry", "memo"),
            Trigram(
                "ledger_entry_reference_trgm",
                "ledger_journalentry",
                "reference",
                where="reference <> ''",
            ),
        )
    ]
