"""Customers' opening balances in the books: Dr AR / Cr Opening Balance Equity."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.customers.models import Customer
from apps.finance import money
from apps.ledger import chart
from apps.ledger.services import Cr, Dr, journal_post

from ..models import OpeningBalance
from .common import ZERO


@transaction.atomic
def opening_balance_post(
    *, customer: Customer, date: dt.date | None = None
) -> OpeningBalance | None:
    """Post the difference between the customer's opening balance and what is already
    posted for it (idempotent: nothing when they agree). Called whenever a customer is
    saved (customers.hooks.customer_saved)."""
    customer = Customer.all_objects.select_for_update().get(pk=customer.pk)
    posted = OpeningBalance.objects.filter(customer=customer).aggregate(t=Sum("amount"))["t"]
    diff = money.quantize((customer.opening_balance or ZERO) - (posted or ZERO))
    if not diff:
        return None
    date = date or CompanySettings.load().today()
    amount = abs(diff)
    lines = (
        [Dr(chart.AR, amount), Cr(chart.OPENING_BALANCE_EQUITY, amount)]
        if diff > 0
        else [Dr(chart.OPENING_BALANCE_EQUITY, amount), Cr(chart.AR, amount)]
    )
    doc = OpeningBalance(customer=customer, date=date, amount=diff)
    doc.journal_entry = journal_post(
        date=date,
        memo=f"Opening balance · {customer.code} {customer.name}",
        lines=lines,
        reference=customer.code,
        source=customer,
        audit=False,
    )
    doc.save()
    audit_record(
        subject=customer, event="customer.opening_balance_posted", changes={"amount": diff}
    )
    return doc


def customer_opening_balance(customer: Customer) -> None:
    """The customers.hooks.customer_saved listener."""
    opening_balance_post(customer=customer)
