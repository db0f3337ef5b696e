"""`seed_demo --scale N`: the benchmark data set in bulk (issue 14), with exact row counts
per builder, every check_books invariant holding on the result, and idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.catalog.models import Product, ProductPriceRecord
from apps.core.books import registered_checks
from apps.credit.models import CreditRequest, Seller, TransactionLog, TransactionType
from apps.customers.models import Customer
from apps.invoicing.models import Allocation, CreditNote, Invoice, InvoiceLine, Payment
from apps.ledger.models import JournalEntry, JournalLine
from apps.sales.models import Order

pytestmark = pytest.mark.django_db(transaction=False)

SCALE = 300


def violations() -> dict[str, list[str]]:
    found = {}
    for check in registered_checks():
        result = check.func()
        if result.violations:
            found[check.name] = result.violations[:3]
    return found


def counts() -> dict[str, int]:
    scale_customers = Customer.objects.filter(name__startswith="Scale customer")
    sellers = Seller.objects.filter(user__email__startswith="scale.seller")
    invoices = Invoice.objects.filter(customer__in=scale_customers)
    return {
        "products": Product.objects.filter(sku__startswith="SC-").count(),
        "price records": ProductPriceRecord.objects.filter(product__sku__startswith="SC-").count(),
        "customers": scale_customers.count(),
        "orders": Order.objects.filter(reference__startswith="SCALE-").count(),
        "ledger entries": JournalEntry.objects.filter(reference="SCALE-JE").count(),
        "ledger lines": JournalLine.objects.filter(entry__reference="SCALE-JE").count(),
        "sellers": sellers.count(),
        "credit rows": TransactionLog.objects.filter(seller__in=sellers).count(),
        "credit entries": JournalEntry.objects.filter(
            credit_transaction__seller__in=sellers
        ).count(),
        "invoices": invoices.count(),
        "credit notes": CreditNote.objects.filter(invoice__in=invoices).count(),
        "payments": Payment.objects.filter(customer__in=scale_customers).count(),
        "payment allocations": Allocation.objects.filter(
            invoice__in=invoices, payment__isnull=False
        ).count(),
    }


def test_seed_demo_scale_builds_every_app_in_bulk_and_keeps_the_books():
    out = StringIO()
    call_command("seed_demo", scale=SCALE, stdout=out)
    text = out.getvalue()
    for app in ("catalog", "inventory", "customers", "sales", "ledger", "credit", "invoicing"):
        assert f"  {app} --scale: " in text
    assert "ANALYZE" in text
    # ledger and credit first: their indexes come back while the stock history is replayed
    assert text.index("  credit --scale: ") < text.index("  catalog --scale: ")

    assert counts() == {
        "products": 300,
        "price records": 300,
        "customers": 30,  # N/20, at least 30
        "orders": 300,
        "ledger entries": 1200,  # 4 N
        "ledger lines": 3000,  # 10 N
        "sellers": 3,  # N/100, at least 3
        "credit rows": 3000,  # 1,000 per seller
        "credit entries": 3000,  # one per row
        "invoices": 300,  # N
        "credit notes": 15,  # every 20th invoice
        "payments": 240,  # 8 invoices in 10, none of the credited ones
        "payment allocations": 240,
    }
    sellers = Seller.objects.filter(user__email__startswith="scale.seller")
    logs = TransactionLog.objects.filter(seller__in=sellers)
    assert logs.filter(type=TransactionType.REVERSAL).count() == 15  # every 200th row
    assert (
        CreditRequest.objects.filter(seller__in=sellers).count()
        == logs.filter(type=TransactionType.TOPUP).count()
    )
    assert (
        get_user_model()
        .objects.filter(email__startswith="scale.seller", groups__name="Seller")
        .count()
        == 3
    )
    assert InvoiceLine.objects.filter(invoice__customer__name__startswith="Scale").count() >= 300

    assert violations() == {}

    before = counts(), JournalLine.objects.count()
    call_command("seed_demo", scale=SCALE, stdout=StringIO())  # idempotent
    assert (counts(), JournalLine.objects.count()) == before
