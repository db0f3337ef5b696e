"""The order list's search on PostgreSQL: trigram indexes on the number and the customer
reference (customers.selectors.documents_matching, apps/core/search.py)."""

from django.db import migrations

from apps.core.trigram import Trigram, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_order_list_sort_indexes"),
    ]

    operations = [
        trigram_indexes(
            Trigram("order_number_trgm", "sales_order", "number"),
            Trigram("order_reference_trgm", "sales_order", "reference"),
        )
    ]
