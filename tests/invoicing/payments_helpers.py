"""Shared set-up of the payment tests: issued invoices with exact totals, rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.finance.models import Currency, ExchangeRate
from apps.invoicing import services

D = Decimal
DAY = dt.date(2026, 3, 2)


def eur() -> Currency:
    return Currency.objects.get(code="EUR")


def set_rate(code: str, date: dt.date, rate: str) -> None:
    ExchangeRate.objects.update_or_create(
        currency_id=code, date=date, defaults={"rate": Decimal(rate)}
    )


def issued(customer, amount: str, *, currency=None, day: dt.date = DAY, terms: int = 30):
    """An issued invoice of one untaxed line worth `amount` (invoice currency)."""
    invoice = services.invoice_create(
        customer=customer,
        currency=currency,
        issue_date=day,
        payment_terms_days=terms,
        lines=[{"description": "Service", "quantity": 1, "unit_price": amount, "tax_rate": None}],
    )
    return services.invoice_issue(invoice=invoice, issue_date=day)


def balance(code: str) -> Decimal:
    from apps.ledger.models import Account

    return Account.objects.get(code=code).balance
