"""Demo invoices: the demo orders invoiced over the last months, through the real services
(numbers, postings, hash chain and timeline are what the app itself writes).

Two series (INV for the base currency, EXP for customers billed in another currency), a
few free service invoices, some voided, and credit notes for the demo returns. Then
payments: most invoices paid, some partly, one overpaid (customer credit), one in the
invoice's foreign currency at a later rate (FX difference), one reversed (cheque bounced).
Idempotent: opening balances are posted only where they differ, invoices and payments
only once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Sum

from apps.core.models import CompanySettings
from apps.core.request_context import acting_as
from apps.customers.models import Customer
from apps.finance.models import TaxRate
from apps.sales.models import OPEN_STATUSES, Order, Return

from . import services
from .models import DocumentKind, Invoice, OpeningBalance, Payment, PaymentMethod, Series
from .selectors import with_balances

EXPORT = ("EXP", "Export invoices")
SERVICES = [
    ("Installation and set-up", "h", "4", "85.00"),
    ("On-site training", "h", "6", "70.00"),
    ("Annual maintenance contract", "pcs", "1", "480.00"),
]


def _opening_balances(stdout) -> None:
    posted = dict(
        OpeningBalance.objects.values("customer_id")
        .annotate(t=Sum("amount"))
        .values_list("customer_id", "t")
    )
    count = 0
    for customer in Customer.all_objects.exclude(opening_balance=0):
        if customer.opening_balance != (posted.get(customer.pk) or 0):
            services.opening_balance_post(customer=customer)
            count += 1
    if count:
        stdout.write(f"  opening balances posted: {count}")


def _export_series() -> Series:
    code, name = EXPORT
    series, _ = Series.objects.get_or_create(
        code=code, defaults={"name": name, "kind": DocumentKind.INVOICE}
    )
    return series


def seed(*, stdout) -> None:
    _opening_balances(stdout)
    if not Invoice.all_objects.exists():
        _invoices(stdout)
    if not Payment.objects.exists():
        _payments(stdout)


def _invoices(stdout) -> None:
    company = CompanySettings.load()
    today = company.today()
    export = _export_series()
    accountant = get_user_model().objects.filter(email="accountant@demo.test").first()
    rng = random.Random(8)
    outcome: dict[str, int] = defaultdict(int)
    orders = list(
        Order.objects.filter(status__in=OPEN_STATUSES)
        .select_related("customer", "currency")
        .order_by("order_date", "pk")
    )
    with acting_as(accountant):
        for n, order in enumerate(orders):
            if rng.random() < 0.2:
                continue  # left to invoice: the "uninvoiced orders" of the receivable
            issue_date = min(order.order_date + dt.timedelta(days=rng.randint(0, 4)), today)
            series = export if order.currency_id != company.base_currency else None
            try:
                draft = services.invoice_create_from_order(
                    order=order, series=series, issue_date=issue_date
                )
                invoice = services.invoice_issue(invoice=draft)
            except services.InvoicingError:
                outcome["skipped"] += 1
                continue
            outcome["issued"] += 1
            if n % 17 == 5:
                services.invoice_void(invoice=invoice, reason="Billed to the wrong entity.")
                outcome["voided"] += 1
        _service_invoices(rng, today, outcome)
        for ret in Return.objects.order_by("return_date", "pk"):
            try:
                notes = services.credit_note_create_from_return(return_doc=ret)
            except services.InvoicingError:
                continue  # returned before it was invoiced, or the invoice was voided
            for note in notes:
                services.credit_note_issue(credit_note=note, issue_date=min(ret.return_date, today))
                outcome["credit notes"] += 1
    stdout.write("  invoices: " + ", ".join(f"{n} {what}" for what, n in sorted(outcome.items())))


def _service_invoices(rng: random.Random, today: dt.date, outcome: dict) -> None:
    """A few free invoices (services), one of them a draft still being prepared."""
    customers = list(Customer.objects.filter(active=True).order_by("pk")[:6])
    standard = TaxRate.objects.filter(active=True).order_by("-rate").first()
    for i, customer in enumerate(customers):
        description, unit, quantity, price = SERVICES[i % len(SERVICES)]
        try:
            draft = services.invoice_create(
                customer=customer,
                issue_date=today - dt.timedelta(days=10 * (len(customers) - i)),
                lines=[
                    {
                        "description": description,
                        "unit": unit,
                        "quantity": quantity,
                        "unit_price": price,
                        "tax_rate": standard,
                    }
                ],
                discount_amount=Decimal("20.00") if i % 3 == 1 else Decimal("0"),
            )
        except services.InvoicingError:
            continue
        if i == len(customers) - 1:
            outcome["draft"] += 1
            continue
        services.invoice_issue(invoice=draft)
        outcome["issued"] += 1


METHODS = [PaymentMethod.BANK_TRANSFER] * 5 + [PaymentMethod.CARD, PaymentMethod.CHEQUE]


def _payments(stdout) -> None:
    company = CompanySettings.load()
    today = company.today()
    accountant = get_user_model().objects.filter(email="accountant@demo.test").first()
    rng = random.Random(11)
    outcome: dict[str, int] = defaultdict(int)
    invoices = list(
        with_balances(Invoice.objects.issued().filter(status="issued"))
        .filter(open_amount__gt=0)
        .select_related("customer", "currency")
        .order_by("issue_date", "pk")
    )
    overpaid = foreign = reversed_ = False
    with acting_as(accountant):
        for n, invoice in enumerate(invoices):
            if rng.random() < 0.25:
                continue  # left open (some of them overdue)
            date = min(invoice.issue_date + dt.timedelta(days=rng.randint(3, 40)), today)
            amount = invoice.open_amount
            is_foreign = invoice.currency_id != company.base_currency
            if is_foreign and foreign:
                continue
            kind = "paid"
            if not is_foreign and n % 5 == 2:
                amount = (amount / 2).quantize(Decimal("0.01"))
                kind = "partially paid"
            received = amount
            if not is_foreign and not overpaid and kind == "paid":
                received, overpaid, kind = amount + Decimal("50.00"), True, "overpaid"
            try:
                payment = services.payment_record(
                    customer=invoice.customer,
                    amount=received,
                    currency=invoice.currency,
                    date=date,
                    method=rng.choice(METHODS),
                    reference=f"Invoice {invoice.number}",
                    allocations={invoice: amount},
                    idempotency_key=f"demo-payment-{invoice.pk}",
                )
            except services.InvoicingError:
                outcome["skipped"] += 1
                continue
            foreign = foreign or is_foreign
            outcome["foreign currency" if is_foreign else kind] += 1
            if not reversed_ and kind == "paid" and not is_foreign and n % 7 == 3:
                services.payment_reverse(payment=payment, reason="Cheque bounced.", date=date)
                reversed_ = True
                outcome["reversed"] += 1
    stdout.write("  payments: " + ", ".join(f"{n} {what}" for what, n in sorted(outcome.items())))
