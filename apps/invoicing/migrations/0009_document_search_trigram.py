"""The invoice and payment lists' searches on PostgreSQL: trigram indexes on the invoice
number and on the payment's number and reference (customers.selectors.documents_matching,
apps/core/search.py)."""

from django.db import migrations

from apps.core.trigram import Trigram, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0008_credit_note_list_indexes"),
    ]

    operations = [
        trigram_indexes(
            Trigram("invoice_number_trgm", "invoicing_invoice", "number"),
            Trigram("payment_number_trgm", "invoicing_payment", "number"),
            Trigram("payment_reference_trgm", "invoicing_payment", "reference"),
        )
    ]
