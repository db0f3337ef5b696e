"""Value the stock that existed before valuation (data migration inventory 0004).

Levels holding units but no value get the product's cost price (in the base currency at
the latest rate; a product whose currency has no rate stays at 0 and is listed), and the
total is posted once: Dr Inventory / Cr Opening Balance Equity, reference
STOCK-VALUE-OPENING. It works on the migration's historical models (`get_model`), writes
the entry's rows itself (the ledger services need the current models) and is a no-op when
the entry exists or nothing needs a value, so running it twice posts once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone

from apps.finance import money

REFERENCE = "STOCK-VALUE-OPENING"
INVENTORY, OPENING_BALANCE_EQUITY = "1200", "3000"  # apps.ledger.chart, frozen here


def _rates(get_model, base: str, today: dt.date) -> dict[str, Decimal]:
    rates = {base: Decimal(1)}
    rows = get_model("finance", "ExchangeRate").objects.filter(date__lte=today).order_by("date")
    for code, rate in rows.values_list("currency_id", "rate"):
        rates[code] = rate  # ascending dates: the latest wins
    return rates


def stock_value_open(get_model, *, today: dt.date | None = None) -> Decimal:
    """Returns the value posted (0 when nothing was done)."""
    StockLevel = get_model("inventory", "StockLevel")  # noqa: N806
    JournalEntry = get_model("ledger", "JournalEntry")  # noqa: N806
    if JournalEntry.objects.filter(reference=REFERENCE).exists():
        return Decimal(0)
    today = today or timezone.localdate()
    settings = get_model("core", "CompanySettings").objects.filter(pk=1).first()
    base = settings.base_currency if settings else "USD"
    rates = _rates(get_model, base, today)
    total = Decimal("0.00")
    levels = StockLevel.objects.filter(quantity__gt=0, value=0, unit_cost=0).select_related(
        "product"
    )
    for level in levels.iterator(chunk_size=2000):
        rate = rates.get(level.product.currency_id)
        if rate is None:
            continue
        cost = money.to_base(level.product.cost_price, rate, 4)
        value = money.quantize(level.quantity * cost, 2)
        StockLevel.objects.filter(pk=level.pk).update(value=value, unit_cost=cost)
        total += value
    if not total:
        return Decimal(0)
    Account = get_model("ledger", "Account")  # noqa: N806
    accounts = dict(
        Account.objects.filter(code__in=[INVENTORY, OPENING_BALANCE_EQUITY]).values_list(
            "code", "pk"
        )
    )
    # the entry's stored amount (ledger 0007 adds it; a state before that has no field)
    stored = {"total": total} if any(f.name == "total" for f in JournalEntry._meta.fields) else {}
    entry = JournalEntry.objects.create(
        date=today,
        memo="Opening stock value (existing stock at product cost)",
        reference=REFERENCE,
        currency_id=base,
        rate=Decimal(1),
        posted_at=timezone.now(),
        **stored,
    )
    JournalLine = get_model("ledger", "JournalLine")  # noqa: N806
    JournalLine.objects.bulk_create(
        [
            JournalLine(entry=entry, account_id=accounts[INVENTORY], debit=total, base_debit=total),
            JournalLine(
                entry=entry,
                account_id=accounts[OPENING_BALANCE_EQUITY],
                credit=total,
                base_credit=total,
            ),
        ]
    )
    # Both accounts have their normal side where the amount goes (asset Dr, equity Cr).
    for code in (INVENTORY, OPENING_BALANCE_EQUITY):
        Account.objects.filter(pk=accounts[code]).update(balance=Round(F("balance") + total, 2))
    return total
