"""check_books: invariants 5, 7 and 9 of DESIGN.md §4 (invoices, receivables, tax)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Sum

from apps.core.books import CheckResult, register
from apps.core.models import NumberSequence
from apps.customers.models import Customer
from apps.finance import money
from apps.ledger import chart
from apps.ledger.models import Account, JournalLine

from .models import CreditNote, Invoice, OpeningBalance, Payment, Series
from .selectors import receivables_by_customer
from .services.common import CHAIN, GENESIS, document_hash

ZERO = Decimal("0")


def cents(value) -> Decimal:
    return money.quantize(value or ZERO)


def _documents():
    """Issued (and void) invoices and issued credit notes, with their lines."""
    invoices = Invoice.all_objects.issued().prefetch_related("lines")
    notes = CreditNote.objects.issued().prefetch_related("lines")
    return list(invoices), list(notes)


@register(
    "invoicing.totals",
    "Every invoice's and credit note's totals are the sums of its rounded lines; "
    "allocations never exceed the invoice nor the credit note they come from.",
)
def totals() -> CheckResult:
    violations, counted = [], 0
    for invoice in Invoice.all_objects.prefetch_related("lines"):
        counted += 1
        lines = list(invoice.lines.all())
        want = {
            "subtotal": sum((x.gross for x in lines), ZERO),
            "discount_total": sum((x.discount + x.document_discount for x in lines), ZERO),
            "net_total": sum((x.net for x in lines), ZERO),
            "tax_total": sum((x.tax for x in lines), ZERO),
            "total": sum((x.total for x in lines), ZERO),
        }
        for field, value in want.items():
            if cents(getattr(invoice, field)) != cents(value):
                violations.append(
                    f"invoice {invoice}: {field} {cents(getattr(invoice, field))}, "
                    f"lines say {cents(value)}"
                )
    for note in CreditNote.objects.prefetch_related("lines"):
        counted += 1
        lines = list(note.lines.all())
        for field, part in (("net_total", "net"), ("tax_total", "tax"), ("total", "total")):
            value = sum((getattr(x, part) for x in lines), ZERO)
            if cents(getattr(note, field)) != cents(value):
                violations.append(
                    f"credit note {note}: {field} {cents(getattr(note, field))}, "
                    f"lines say {cents(value)}"
                )
    over = (
        Invoice.all_objects.annotate(allocated=Sum("allocations__amount"))
        .filter(allocated__gt=F("total"))
        .values_list("number", "total", "allocated")
    )
    violations += [
        f"invoice {n}: {cents(a)} allocated to a total of {cents(t)}" for n, t, a in over
    ]
    used = (
        CreditNote.objects.annotate(used=Sum("allocations__amount"))
        .filter(used__gt=F("total"))
        .values_list("number", "total", "used")
    )
    violations += [f"credit note {n}: {cents(u)} applied of {cents(t)}" for n, t, u in used]
    return CheckResult(counted=counted, violations=violations)


@register(
    "invoicing.numbering",
    "Issued invoice and credit-note numbers are unique and gapless per series and fiscal "
    "year, and agree with their counter.",
)
def numbering() -> CheckResult:
    counters = dict(NumberSequence.objects.values_list("name", "last_value"))
    codes = dict(Series.all_objects.values_list("pk", "code"))
    seen: dict[str, list[int]] = defaultdict(list)
    for model in (Invoice.all_objects.issued(), CreditNote.objects.issued()):
        for series, year, sequence in model.values_list("series_id", "fiscal_year", "sequence"):
            seen[f"{codes[series]}-{year}"].append(sequence)
    violations = []
    for name, values in sorted(seen.items()):
        last = counters.get(name, 0)
        expected = list(range(1, last + 1))
        if sorted(values) != expected:
            missing = sorted(set(expected) - set(values))[:10]
            duplicated = sorted({v for v in values if values.count(v) > 1})[:10]
            text = f"{name}: {len(values)} numbers, counter at {last}"
            if missing:
                text += f", missing {missing}"
            if duplicated:
                text += f", duplicated {duplicated}"
            violations.append(text)
    return CheckResult(counted=sum(len(v) for v in seen.values()), violations=violations)


@register(
    "invoicing.hash_chain",
    "Every issued document's stored hash matches its content and links to the previous "
    "document's hash: any later edit of an issued invoice or credit note shows here.",
)
def hash_chain() -> CheckResult:
    invoices, notes = _documents()
    chain = sorted(invoices + notes, key=lambda d: d.chain_position)
    violations = []
    previous = GENESIS
    counter = NumberSequence.objects.filter(name=CHAIN).values_list("last_value", flat=True).first()
    for position, doc in enumerate(chain, start=1):
        label = f"{'invoice' if isinstance(doc, Invoice) else 'credit note'} {doc.number}"
        if doc.chain_position != position:
            violations.append(
                f"chain position {position} is missing ({label} has {doc.chain_position})"
            )
            break
        if doc.previous_hash != previous:
            violations.append(f"{label}: previous hash does not match position {position - 1}")
        lines = sorted(doc.lines.all(), key=lambda line: (line.position, line.id))  # prefetched
        if document_hash(doc, lines) != doc.content_hash:
            violations.append(f"{label}: content does not match its hash (edited after issue)")
        previous = doc.content_hash
    if (counter or 0) != len(chain):
        violations.append(f"chain counter at {counter or 0}, {len(chain)} documents chained")
    return CheckResult(counted=len(chain), violations=violations)


def _ar_by_customer() -> tuple[dict[int, Decimal], Decimal]:
    """AR journal lines summed per customer (through their source document), and the rest."""
    rows = (
        JournalLine.objects.filter(account__code=chart.AR)
        .values("entry__source_type_id", "entry__source_id")
        .annotate(net=Sum("base_debit") - Sum("base_credit"))
    )
    types = ContentType.objects.get_for_models(Invoice, CreditNote, Customer, Payment)
    owners = {
        types[Invoice].pk: dict(Invoice.all_objects.values_list("pk", "customer_id")),
        types[CreditNote].pk: dict(CreditNote.objects.values_list("pk", "customer_id")),
        types[Payment].pk: dict(Payment.objects.values_list("pk", "customer_id")),
    }
    per_customer: dict[int, Decimal] = defaultdict(Decimal)
    other = ZERO
    for row in rows:
        type_id, source_id = row["entry__source_type_id"], row["entry__source_id"]
        if type_id == types[Customer].pk:
            per_customer[int(source_id)] += cents(row["net"])
        elif type_id in owners and int(source_id) in owners[type_id]:
            per_customer[owners[type_id][int(source_id)]] += cents(row["net"])
        else:
            other += cents(row["net"])
    return per_customer, other


@register(
    "invoicing.receivables",
    "The Accounts Receivable balance equals the customers' receivables (opening balances + "
    "open invoices - unapplied credit from credit notes and payments), per customer and in "
    "total; every customer's opening balance is posted.",
)
def receivables() -> CheckResult:
    ledger, other = _ar_by_customer()
    documents = receivables_by_customer()
    codes = dict(Customer.all_objects.values_list("pk", "code"))
    violations = []
    for pk in sorted(set(ledger) | set(documents)):
        books = cents(ledger.get(pk))
        owed = cents(documents[pk].balance) if pk in documents else ZERO
        if books != owed:
            violations.append(f"{codes.get(pk, pk)}: AR says {books}, receivable says {owed}")
    if other:
        violations.append(f"AR lines without a customer document: {other}")
    stored = Account.objects.filter(code=chart.AR).values_list("balance", flat=True).first()
    total = sum((cents(r.balance) for r in documents.values()), ZERO)
    if cents(stored) != total:
        violations.append(f"Accounts Receivable balance {cents(stored)} ≠ receivables {total}")
    posted = dict(
        OpeningBalance.objects.values("customer_id")
        .annotate(t=Sum("amount"))
        .values_list("customer_id", "t")
    )
    for pk, code, opening in Customer.all_objects.values_list("pk", "code", "opening_balance"):
        if cents(opening) != cents(posted.get(pk)):
            violations.append(
                f"{code}: opening balance {cents(opening)}, posted {cents(posted.get(pk))}"
            )
    return CheckResult(counted=len(codes), violations=violations)


@register(
    "invoicing.tax_payable",
    "The Tax Payable balance equals the output tax of issued invoices minus credit notes.",
)
def tax_payable() -> CheckResult:
    invoiced = Invoice.all_objects.issued().aggregate(t=Sum("tax_base"))["t"]
    credited = CreditNote.objects.issued().aggregate(t=Sum("tax_base"))["t"]
    expected = cents(invoiced) - cents(credited)
    stored = Account.objects.filter(code=chart.TAX_PAYABLE).values_list("balance", flat=True)
    balance = cents(stored.first())
    violations = []
    if balance != expected:
        violations.append(
            f"Tax Payable {balance} ≠ output tax {cents(invoiced)} - credit notes "
            f"{cents(credited)} = {expected}"
        )
    documents = Invoice.all_objects.issued().count() + CreditNote.objects.issued().count()
    return CheckResult(counted=documents, violations=violations)


@register(
    "invoicing.dunning",
    "No invoice is reminded at the same dunning level twice, and every reminder fee is "
    "its own invoice to the reminded customer.",
)
def dunning() -> CheckResult:
    from .models import Reminder

    twice = (
        Reminder.objects.values("invoice__number", "level__name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("invoice__number", "level__name")
    )
    violations = [
        f"invoice {r['invoice__number']}: {r['level__name']} sent {r['n']} times" for r in twice
    ]
    wrong_fee = Reminder.objects.filter(fee_invoice__isnull=False).exclude(
        fee_invoice__customer_id=F("invoice__customer_id")
    )
    violations += [
        f"reminder fee {r.fee_invoice} is billed to another customer than {r.invoice}"
        for r in wrong_fee.select_related("invoice", "fee_invoice")
    ]
    return CheckResult(counted=Reminder.objects.count(), violations=violations)


@register(
    "invoicing.recurring",
    "No recurring invoice period is invoiced twice, and every period falls on its "
    "template's schedule.",
)
def recurring() -> CheckResult:
    from .models import RecurringPeriod
    from .services.recurring import next_date

    twice = (
        RecurringPeriod.objects.values("template__name", "period_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("template__name", "period_date")
    )
    violations = [
        f"{r['template__name']} {r['period_date']:%Y-%m-%d}: invoiced {r['n']} times" for r in twice
    ]
    periods = RecurringPeriod.objects.select_related("template").order_by("template", "period_date")
    for period in periods:
        day_before = period.period_date - dt.timedelta(days=1)
        if next_date(period.template, after=day_before) != period.period_date:
            violations.append(
                f"{period.template} {period.period_date:%Y-%m-%d}: not a date of its schedule"
            )
    return CheckResult(counted=periods.count(), violations=violations)


from .books_bank import bank  # noqa: E402  (bank lines <-> the payments of their matches)
from .books_payments import payments  # noqa: E402  (registers invariant 6)

__all__ = [
    "bank",
    "dunning",
    "hash_chain",
    "numbering",
    "payments",
    "receivables",
    "recurring",
    "tax_payable",
    "totals",
]
