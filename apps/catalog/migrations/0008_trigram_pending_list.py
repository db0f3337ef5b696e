"""The trigram indexes' pending lists held to 64 kB, on PostgreSQL.

A GIN index (fastupdate, the default) appends new entries to a pending list that every
search reads in full until VACUUM, or until it passes `gin_pending_list_limit` (4 MB),
merges it into the index. Every stock change updates its products' row (`on_hand_total`,
an indexed column, so the update adds an entry to every index of the table, these two
too). After ~10,000 product updates since the last VACUUM the name and SKU searches read
715 pages instead of 15: 5.4 ms instead of 0.1 ms for one statement of the product and
stock searches (docs/performance.md). At 64 kB (the smallest limit) a search reads at most
~8 pending pages per index, and the insert that passes the limit merges the list into the
index, ~100 product updates' worth at a time."""

from django.db import migrations

INDEXES = ("product_name_trgm", "product_sku_trgm")


def limit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (gin_pending_list_limit = 64)")


def unlimit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_category_reference_stamp"),
    ]

    operations = [migrations.RunPython(limit, unlimit, elidable=False)]
