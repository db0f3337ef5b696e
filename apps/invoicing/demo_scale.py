"""Benchmark invoicing (`seed_demo --scale N`): N issued invoices to the scale customers
(N=100,000: 100,000 invoices, about 300,000 lines), a credit note on every 20th, and
payments (demo_scale_payments.py): 70 % paid in full, 10 % half paid, the rest open.

Each invoice is what `invoice_issue` writes: lines priced by `invoice_figures` (products
of the scale catalog at their price in the customer's currency, at the rate of the issue
day), a number gapless per series and fiscal year (INV for the base currency, EXP for
others), its entry (Dr AR / Cr Sales Revenue / Cr Tax Payable, base amounts balanced as
`journal_prepare` does) and its place in the hash chain. A credit note gives back the
invoice's first line in full (Dr Sales Returns / Dr Tax Payable / Cr AR) and is applied
to the invoice. Dates: the last 300 days. Invoices are not linked to orders. Written with
COPY on PostgreSQL, no audit events or PDFs, like a data migration; idempotent (a second
run adds nothing once the scale customers have their invoices).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from apps.catalog.demo import SCALE_PREFIX as PRODUCT_PREFIX
from apps.catalog.models import Product
from apps.core.bulkload import (
    UuidMaker,
    ids_reserve,
    instance_maker,
    objects_insert,
    rows_insert,
)
from apps.core.bulkload_indexes import load_deferred, restore_meanwhile
from apps.core.models import CompanySettings
from apps.core.sequences import sequence_reserve
from apps.customers.demo_scale import SCALE_PREFIX as CUSTOMER_PREFIX
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.models import Currency
from apps.finance.selectors import MissingExchangeRate
from apps.ledger import chart
from apps.ledger.models import JournalEntry, JournalLine
from apps.sales.demo_scale import RateBook
from apps.sales.pricing import LineInput

from .demo import EXPORT
from .demo_scale_payments import (
    Books,
    Line,
    entry_rows,
    payments_insert,
    payments_make,
    payments_reserve,
)
from .models import (
    Allocation,
    AllocationKind,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    Series,
)
from .services.common import CHAIN, GENESIS, chain_document, default_series, document_hash
from .totals import invoice_figures

DAYS = 300
CREDITED_EVERY = 20  # invoice n with n % 20 == 9 gets a credit note (it is left unpaid)
ZERO = Decimal("0")
ONE = Decimal("1")
# what the builder writes after computing its rows (`restore_meanwhile` leaves them alone;
# seed_demo: so do the builders before it)
WRITTEN = (
    Invoice, InvoiceLine, CreditNote, CreditNoteLine, Allocation, Payment, JournalEntry,
    JournalLine,
)  # fmt: skip

LINE_COLUMNS = [
    "id", "invoice_id", "position", "product_id", "description", "sku", "quantity", "unit",
    "unit_price", "discount_percent", "tax_rate_id", "tax_name", "tax_percent", "gross",
    "discount", "document_discount", "net", "tax", "total",
]  # fmt: skip
NOTE_LINE_COLUMNS = [
    "credit_note_id", "position", "invoice_line_id", "description", "sku", "quantity", "unit",
    "unit_price", "tax_name", "tax_percent", "net", "tax", "total",
]  # fmt: skip


class _InvoiceLine:
    """The figures of one invoice line (what document_content reads), before it is written."""

    __slots__ = (
        "id", "invoice_id", "position", "product_id", "description", "sku", "quantity", "unit",
        "unit_price", "discount_percent", "tax_rate_id", "tax_name", "tax_percent", "gross",
        "discount", "document_discount", "net", "tax", "total",
    )  # fmt: skip

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)

    def row(self, columns) -> tuple:
        return tuple(getattr(self, c) for c in columns)


def seed_scale(*, scale: int, stdout) -> None:
    customers = list(
        Customer.objects.filter(name__startswith=CUSTOMER_PREFIX)
        .order_by("pk")
        .values_list("pk", "name", "currency_id", "tax_id")
    )
    done = Invoice.all_objects.filter(customer_id__in=[c[0] for c in customers]).exists()
    products = list(
        Product.objects.filter(active=True, sku__startswith=PRODUCT_PREFIX)
        .select_related("tax_rate")
        .order_by("pk")[:20000]
    )
    if done or not (customers and products):
        return
    with (
        transaction.atomic(),
        load_deferred(Invoice, InvoiceLine, CreditNote, Allocation, JournalEntry, JournalLine),
    ):
        made = _build(scale, customers, products)
    stdout.write("  scale invoicing: " + ", ".join(f"{n} {what}" for what, n in made.items()))


def _build(scale, customers, products) -> dict[str, int]:
    company = CompanySettings.load()
    base = company.base_currency
    today = company.today()
    minor = dict(Currency.all_objects.values_list("code", "minor_units"))
    series = {
        "INV": default_series(DocumentKind.INVOICE),
        "EXP": Series.objects.get_or_create(
            code=EXPORT[0], defaults={"name": EXPORT[1], "kind": DocumentKind.INVOICE}
        )[0],
        "CN": default_series(DocumentKind.CREDIT_NOTE),
    }
    rates = RateBook()
    # the rows are computed without the database (the keys and numbers are taken in
    # between): meanwhile it adds back the indexes and keys of the tables loaded before
    with restore_meanwhile(*WRITTEN, finish=False):  # the longer block below goes on
        plans = _plans(scale, customers, products, minor, base, today, rates)

    books = Books(base=base, uuid=UuidMaker())
    invoice_type = ContentType.objects.get_for_model(Invoice).pk
    note_type = ContentType.objects.get_for_model(CreditNote).pk
    # every key and number, and the chain's start, before the rows
    invoice_ids = ids_reserve(Invoice, len(plans))
    line_ids = iter(ids_reserve(InvoiceLine, sum(len(p[5]) for p in plans)))
    numbers = _numbers(company, [("EXP" if p[3] != base else "INV", p[0]) for p in plans], series)
    credited = [i for i in range(len(plans)) if i % CREDITED_EVERY == 9]
    notes_reserved = _notes_reserve(company, [plans[i][0] for i in credited], series["CN"], today)
    paid = [i for i in range(len(plans)) if i % 10 < 8 and i % CREDITED_EVERY != 9]
    payments_reserved = payments_reserve(
        company, [(invoice_ids[i], plans[i][0]) for i in paid], today
    )
    chain = _chain_start(len(plans) + len(credited))
    with restore_meanwhile(*WRITTEN):
        invoices, lines_of = _invoices(
            plans, invoice_ids, line_ids, numbers, series, books, invoice_type, minor
        )
        notes, note_lines, allocations = _credit_notes(
            [invoices[i] for i in credited], lines_of, series["CN"], books, note_type,
            notes_reserved,
        )  # fmt: skip
        _chain(chain, invoices, notes, lines_of, note_lines)
        payments = payments_make([invoices[i] for i in paid], books, payments_reserved)
    objects_insert(Invoice, invoices)
    rows_insert(
        InvoiceLine,
        LINE_COLUMNS,
        (line.row(LINE_COLUMNS) for lines in lines_of.values() for line in lines),
    )
    objects_insert(CreditNote, notes)
    rows_insert(
        CreditNoteLine,
        NOTE_LINE_COLUMNS,
        (line.row(NOTE_LINE_COLUMNS) for lines in note_lines.values() for line in lines),
    )
    objects_insert(Allocation, allocations)
    payments_insert(payments)
    entries, journal_lines = entry_rows(books)
    books.write()
    return {
        "invoices": len(invoices),
        "invoice lines": sum(len(ls) for ls in lines_of.values()),
        "credit notes": len(notes),
        "payments": len(payments[0]),
        "journal entries": entries,
        "journal lines": journal_lines,
    }


def _plans(scale, customers, products, minor, base, today, rates) -> list[tuple]:
    """(day, n, customer, currency, rate, items) of each invoice, in issue order."""
    rng = random.Random(scale + 1)
    plans = []
    for n in range(scale):
        customer = customers[n % len(customers)]
        currency = customer[2] if minor.get(customer[2], 2) == 2 else base
        day = today - dt.timedelta(days=rng.randint(1, DAYS))
        try:
            rate = ONE if currency == base else rates(currency, day)
        except MissingExchangeRate:
            currency, rate = base, ONE
        chosen = rng.sample(products, min(rng.randint(1, 5), len(products)))
        items = []
        for product in chosen:
            if product.currency_id == currency:
                price = money.quantize(product.selling_price)
            else:
                price = money.convert(
                    product.selling_price,
                    from_rate=rates(product.currency_id, day)
                    if product.currency_id != base
                    else ONE,
                    to_rate=rate,
                )
            items.append(
                (product, Decimal(rng.randint(1, 10)), price, Decimal(rng.choice([0, 0, 5])))
            )
        plans.append((day, n, customer, currency, rate, items))
    plans.sort(key=lambda p: (p[0], p[1]))
    return plans


def _invoices(plans, invoice_ids, line_ids, numbers, series, books, invoice_type, minor):
    """The invoices (unsaved, not chained yet) and their lines, with their entries."""
    base = books.base
    new_invoice = instance_maker(Invoice)  # Invoice(...) without its __init__: 100,000 of them
    invoices, lines_of = [], {}
    for index, ((day, _n, customer, currency, rate, items), pk) in enumerate(
        zip(plans, invoice_ids, strict=True)
    ):
        code = "EXP" if currency != base else "INV"
        fiscal_year, sequence = numbers[index]
        figures = invoice_figures(
            [
                LineInput(qty, price, disc, p.tax_rate.rate if p.tax_rate else ZERO)
                for p, qty, price, disc in items
            ],
            minor_units=minor.get(currency, 2),
        )
        lines = [
            _InvoiceLine(
                id=next(line_ids),
                invoice_id=pk,
                position=position,
                product_id=product.pk,
                description=product.name,
                sku=product.sku,
                quantity=qty,
                unit="pcs",
                unit_price=price,
                discount_percent=disc,
                tax_rate_id=product.tax_rate_id,
                tax_name=product.tax_rate.name if product.tax_rate else "",
                tax_percent=product.tax_rate.rate if product.tax_rate else ZERO,
                gross=r.gross,
                discount=r.discount,
                document_discount=r.coupon_discount,
                net=r.net,
                tax=r.tax,
                total=r.total,
            )  # fmt: skip
            for position, ((product, qty, price, disc), r) in enumerate(
                zip(items, figures.lines, strict=True), 1
            )
        ]
        at = books.hours(day, 10)
        number = series[code].format_number(fiscal_year, sequence)
        entry = books.entry(
            date=day, memo=f"Invoice {number} · {customer[1]}", reference=number, rate=rate,
            currency=currency, source=(invoice_type, pk), at=at,
            lines=[Line(chart.AR, debit=figures.total), Line(chart.SALES_REVENUE, credit=figures.net)]
            + ([Line(chart.TAX_PAYABLE, credit=figures.tax)] if figures.tax else []),
        )  # fmt: skip
        invoice = new_invoice(
            id=pk, created_at=at, updated_at=at, customer_id=customer[0],
            series_id=series[code].pk, fiscal_year=fiscal_year, sequence=sequence, number=number,
            issue_date=day, currency_id=currency, exchange_rate=rate, billing_name=customer[1],
            billing_tax_id=customer[3], subtotal=figures.subtotal,
            discount_total=figures.discount, net_total=figures.net, tax_total=figures.tax,
            total=figures.total, total_base=entry[0].base_debit,
            tax_base=entry[2].base_credit if figures.tax else ZERO, journal_entry_id=entry.id,
            issued_at=at, status=InvoiceStatus.ISSUED, payment_terms_days=30,
            due_date=day + dt.timedelta(days=30),
        )  # fmt: skip
        invoices.append(invoice)
        lines_of[pk] = lines
    return invoices, lines_of


def _numbers(company, keys, series) -> list[tuple[int, int]]:
    """(fiscal year, sequence) per document in order, from one reservation per counter."""
    wanted: dict[tuple[str, int], int] = defaultdict(int)
    years = [company.fiscal_year(day) for _, day in keys]
    for (code, _), year in zip(keys, years, strict=True):
        wanted[(code, year)] += 1
    next_value = {
        (code, year): sequence_reserve(name=series[code].counter_name(year), count=count)
        for (code, year), count in wanted.items()
    }
    out = []
    for (code, _), year in zip(keys, years, strict=True):
        out.append((year, next_value[(code, year)]))
        next_value[(code, year)] += 1
    return out


def _notes_reserve(company, issued: list[dt.date], series, today):
    """Keys, dates and numbers of the credit notes on invoices issued on `issued`."""
    note_ids = ids_reserve(CreditNote, len(issued))
    dates = [min(day + dt.timedelta(days=5), today) for day in issued]
    return note_ids, dates, _numbers(company, [("CN", d) for d in dates], {"CN": series})


def _credit_notes(credited, lines_of, series, books, note_type, reserved):
    """A credit note for each invoice's first line, applied to the invoice."""
    note_ids, dates, numbers = reserved
    notes, note_lines, allocations = [], {}, []
    for invoice, pk, day, (year, sequence) in zip(credited, note_ids, dates, numbers, strict=True):
        line = lines_of[invoice.pk][0]
        at = books.hours(day, 11)
        number = series.format_number(year, sequence)
        entry = books.entry(
            date=day, memo=f"Credit note {number} on {invoice.number} · {invoice.billing_name}",
            reference=number, rate=invoice.exchange_rate, currency=invoice.currency_id,
            source=(note_type, pk), at=at,
            lines=[Line(chart.SALES_RETURNS, debit=line.net)]
            + ([Line(chart.TAX_PAYABLE, debit=line.tax)] if line.tax else [])
            + [Line(chart.AR, credit=line.total)],
        )  # fmt: skip
        note = CreditNote(
            id=pk, created_at=at, updated_at=at, customer_id=invoice.customer_id,
            series_id=series.pk, fiscal_year=year, sequence=sequence, number=number,
            issue_date=day, currency_id=invoice.currency_id, exchange_rate=invoice.exchange_rate,
            billing_name=invoice.billing_name, billing_tax_id=invoice.billing_tax_id,
            subtotal=line.net, discount_total=ZERO, net_total=line.net, tax_total=line.tax,
            total=line.total, total_base=entry[-1].base_credit,
            tax_base=entry[1].base_debit if line.tax else ZERO, journal_entry_id=entry.id,
            issued_at=at, status=CreditNoteStatus.ISSUED, invoice_id=invoice.pk,
            reason="Goods returned (scale data).",
        )  # fmt: skip
        notes.append(note)
        note_lines[pk] = [
            _NoteLine(
                credit_note_id=pk,
                position=1,
                invoice_line_id=line.id,
                description=line.description,
                sku=line.sku,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                tax_name=line.tax_name,
                tax_percent=line.tax_percent,
                net=line.net,
                tax=line.tax,
                total=line.total,
            )  # fmt: skip
        ]
        closes = line.total == invoice.total
        allocations.append(
            Allocation(
                kind=AllocationKind.CREDIT_NOTE,
                invoice_id=invoice.pk,
                credit_note_id=pk,
                date=day,
                amount=line.total,
                created_at=at,
                amount_base=invoice.total_base
                if closes
                else money.to_base(line.total, invoice.exchange_rate),
            )  # fmt: skip
        )
    return notes, note_lines, allocations


class _NoteLine(_InvoiceLine):
    __slots__ = ("credit_note_id", "invoice_line_id")


def _chain_start(count: int) -> tuple[int, str]:
    """The first of `count` chain positions, and the hash of the document before it."""
    start = sequence_reserve(name=CHAIN, count=count)
    before = chain_document(start - 1) if start > 1 else None
    return start, before.content_hash if before is not None else GENESIS


def _chain(chain, invoices, notes, lines_of, note_lines) -> None:
    """Positions and hashes, in issue order after the documents already chained."""
    documents = sorted(
        [(d.issue_date, 0, d.sequence, d) for d in invoices]
        + [(d.issue_date, 1, d.sequence, d) for d in notes],
        key=lambda t: t[:3],
    )
    start, previous = chain
    for position, (_, kind, _, doc) in enumerate(documents, start):
        doc.chain_position = position
        doc.previous_hash = previous
        lines = note_lines[doc.pk] if kind else lines_of[doc.pk]
        doc.content_hash = previous = document_hash(doc, lines)
