"""The seeded chart of accounts and the codes other apps post to.

Other apps never hard-code primary keys: they name accounts by code through these
constants and `selectors.account_by_code`, e.g. an invoice posts

    journal_post(date=..., memo=..., source=invoice, lines=[
        Dr(AR, total), Cr(SALES_REVENUE, net), Cr(TAX_PAYABLE, tax)])
"""

from __future__ import annotations

from .models import AccountType

# Group headings (no postings): the roots of the accounts tree.
ASSETS, LIABILITIES, EQUITY, INCOME, EXPENSES = "1", "2", "3", "4", "5"

CASH = "1000"
BANK = "1010"
AR = "1100"  # Accounts Receivable
INVENTORY = "1200"
SELLER_CREDIT = "2100"  # group: one sub-account per seller, 2100-<user id>
TAX_PAYABLE = "2200"
STOCK_RECEIVED_NOT_BILLED = "2400"  # goods received, supplier bill not yet booked
OPENING_BALANCE_EQUITY = "3000"
SALES_REVENUE = "4000"
SALES_RETURNS = "4010"
CHARGE_REVENUE = "4100"  # group: one sub-account per seller, 4100-<user id>
COGS = "5000"  # Cost of Goods Sold
STOCK_ADJUSTMENTS = "5200"  # removals, count differences and valuation rounding
FX_GAIN_LOSS = "7000"

# Groups with one sub-account per party (a seller): statements show each as one line.
PER_PARTY_GROUPS = (SELLER_CREDIT, CHARGE_REVENUE)

# (code, name, type, parent code, is_group)
CHART: tuple[tuple[str, str, str, str | None, bool], ...] = (
    (ASSETS, "Assets", AccountType.ASSET, None, True),
    (LIABILITIES, "Liabilities", AccountType.LIABILITY, None, True),
    (EQUITY, "Equity", AccountType.EQUITY, None, True),
    (INCOME, "Income", AccountType.INCOME, None, True),
    (EXPENSES, "Expenses", AccountType.EXPENSE, None, True),
    (CASH, "Cash", AccountType.ASSET, ASSETS, False),
    (BANK, "Bank", AccountType.ASSET, ASSETS, False),
    (AR, "Accounts Receivable", AccountType.ASSET, ASSETS, False),
    (INVENTORY, "Inventory", AccountType.ASSET, ASSETS, False),
    (SELLER_CREDIT, "Seller Credit", AccountType.LIABILITY, LIABILITIES, True),
    (TAX_PAYABLE, "Tax Payable", AccountType.LIABILITY, LIABILITIES, False),
    (
        STOCK_RECEIVED_NOT_BILLED,
        "Stock Received Not Billed",
        AccountType.LIABILITY,
        LIABILITIES,
        False,
    ),
    (OPENING_BALANCE_EQUITY, "Opening Balance Equity", AccountType.EQUITY, EQUITY, False),
    (SALES_REVENUE, "Sales Revenue", AccountType.INCOME, INCOME, False),
    (SALES_RETURNS, "Sales Returns", AccountType.INCOME, INCOME, False),
    (CHARGE_REVENUE, "Charge Revenue", AccountType.INCOME, INCOME, True),
    (COGS, "Cost of Goods Sold", AccountType.EXPENSE, EXPENSES, False),
    (STOCK_ADJUSTMENTS, "Stock Adjustments", AccountType.EXPENSE, EXPENSES, False),
    (FX_GAIN_LOSS, "FX Gain/Loss", AccountType.EXPENSE, EXPENSES, False),
)


def chart_ensure(account_model=None, currency: str | None = None) -> int:
    """Create the missing accounts of CHART (idempotent); returns how many were created.

    Used by the data migration (with the historical model) and by tests whose database
    was flushed.
    """
    if account_model is None:
        from .models import Account as account_model
    if currency is None:
        from apps.finance.selectors import base_currency_code

        currency = base_currency_code()
    existing = dict(account_model.objects.values_list("code", "pk"))
    created = 0
    for code, name, type_, parent, is_group in CHART:
        if code in existing:
            continue
        account = account_model.objects.create(
            code=code,
            name=name,
            type=str(type_),
            currency_id=currency,
            parent_id=existing.get(parent) if parent else None,
            is_group=is_group,
        )
        existing[code] = account.pk
        created += 1
    return created
