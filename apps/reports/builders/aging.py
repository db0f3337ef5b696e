"""Accounts receivable aging as of any date (DESIGN.md §4.7, §13), in base currency.

What a customer owed on date D, from the documents and their dated allocations:

- each issued invoice dated <= D: `total_base` minus every `Allocation` dated <= D, of any
  kind (credit note, payment, ...), at the invoice side's `amount_base`; aged by its due
  date: current, 1-30, 31-60, 61-90, > 90 days past due;
- each opening balance dated <= D, aged from its date (a negative one is a credit);
- each credit source (a credit note, a payment, ...) dated <= D: what it had not yet
  allocated on D is unapplied credit, shown negative in its own column.

The credit sources are found generically: every foreign key of `Allocation` other than the
invoice (and the bookkeeping links) is one, described by a `CreditSource`: its model's date
and base amount, the allocation field saying how much of the source was used
(`source_amount_base` when allocations have it, else `amount_base`), rows of other models
that use the credit up (any model with a foreign key to the source, a `date` and an
`amount_base`: refunds), and, when the source has a `reversal_date` (or `reversed_at`),
that it stands only until the day it was reversed. The
total is set against the Accounts Receivable account on D; the reconciliation line shows
any difference rather than hiding it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, Q, Sum, Value, When
from django.urls import reverse
from django.utils import timezone

from apps.customers.models import Customer
from apps.finance.selectors import base_currency_code
from apps.invoicing.models import Allocation, CreditNote, Invoice, OpeningBalance
from apps.ledger import chart

from ..result import MONEY, TEXT, Chart, Column, Report, Table, cents, parse_date
from .financial import balance_on

ZERO = Decimal("0.00")
BUCKETS = (
    ("current", "Current"),
    ("d1_30", "1-30 days"),
    ("d31_60", "31-60 days"),
    ("d61_90", "61-90 days"),
    ("d90_plus", "> 90 days"),
)
CREDIT = ("credit", "Unapplied credit")
DOCUMENT_ROWS = 1000  # an all-customer run lists its documents up to this many invoices


def day_end(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the current (company) time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def bucket_of(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "d1_30"
    if days_past_due <= 60:
        return "d31_60"
    if days_past_due <= 90:
        return "d61_90"
    return "d90_plus"


@dataclass(frozen=True)
class CreditSource:
    """A document whose credit allocations consume (a credit note, a payment)."""

    field: str  # the Allocation foreign key
    model: type[models.Model]
    date: str  # the model's date field
    amount: str  # its base-currency amount (what it credited to AR)
    used: str  # the Allocation field with the base amount of the source used up
    live: Callable[[dt.date], Q] = lambda as_of: Q()  # the documents standing on as_of
    label: str = ""
    url_name: str = ""
    # other rows using up the source's credit (refunds): (model, fk to the source)
    consumers: tuple = ()


NOT_SOURCES = {"invoice"}


def _source_for(fk: models.ForeignKey, *, links: bool = True) -> CreditSource | None:
    """The CreditSource of one Allocation foreign key (None: not a credit source); without
    `links` no URL is looked up (the dashboard's job needs none, and the first lookup of a
    process loads the whole URL configuration)."""
    model = fk.related_model
    if fk.name in NOT_SOURCES or model is Invoice:
        return None
    if model._meta.label == settings.AUTH_USER_MODEL or model._meta.app_label == "ledger":
        return None
    if model is CreditNote:
        return CreditSource(
            "credit_note",
            CreditNote,
            "issue_date",
            "total_base",
            "amount_base",
            lambda as_of: Q(status="issued"),
            "Credit note",
            "credit-note-detail",
        )
    # Any other source (payments): its date, base amount and the allocation's source side.
    names = {f.name for f in model._meta.get_fields()}
    allocation_fields = {f.name for f in Allocation._meta.get_fields()}
    date = "date" if "date" in names else "issue_date"
    amount = "amount_base" if "amount_base" in names else "total_base"
    used = "source_amount_base" if "source_amount_base" in allocation_fields else "amount_base"
    if "reversal_date" in names:  # a reversed source stands until the day it was reversed

        def live(as_of: dt.date) -> Q:
            return Q(reversal_date__isnull=True) | Q(reversal_date__gt=as_of)

    elif "reversed_at" in names:

        def live(as_of: dt.date) -> Q:
            return Q(reversed_at__isnull=True) | Q(reversed_at__gte=day_end(as_of))
    else:

        def live(as_of: dt.date) -> Q:
            return Q()

    consumers = tuple(
        (rel.related_model, rel.field.name)
        for rel in model._meta.related_objects
        if rel.related_model is not Allocation
        and isinstance(rel.field, models.ForeignKey)
        and {"date", "amount_base"} <= {f.name for f in rel.related_model._meta.get_fields()}
    )
    name = model._meta.model_name
    url_name = ""
    if links:
        try:
            reverse(f"{name}-detail", args=[1])
            url_name = f"{name}-detail"
        except Exception:
            url_name = ""
    return CreditSource(
        fk.name,
        model,
        date,
        amount,
        used,
        live,
        model._meta.verbose_name.capitalize(),
        url_name,
        consumers,
    )


def credit_sources(*, links: bool = True) -> list[CreditSource]:
    sources = []
    for fk in Allocation._meta.get_fields():
        if isinstance(fk, models.ForeignKey):
            source = _source_for(fk, links=links)
            if source is not None:
                sources.append(source)
    return sources


@dataclass
class OpenItem:
    customer_id: int
    kind: str
    number: str
    date: dt.date
    due: dt.date | None
    amount: Decimal
    url: str = ""

    def bucket(self, as_of: dt.date) -> str:
        # credit sources, and an opening balance that was a credit, are unapplied credit
        if self.kind not in ("invoice", "opening") or (self.kind == "opening" and self.amount < 0):
            return CREDIT[0]
        return bucket_of((as_of - (self.due or self.date)).days)


def _allocated(field_name: str, used: str, as_of: dt.date, **where) -> dict[int, Decimal]:
    rows = (
        Allocation.objects.filter(date__lte=as_of, **{f"{field_name}__isnull": False}, **where)
        .values(field_name)
        .annotate(t=Sum(used))
        .order_by()
    )
    return {r[field_name]: cents(r["t"]) for r in rows}


def _bucket_case(due: str, as_of: dt.date) -> Case:
    """The age bucket of a due date, in SQL (the same edges as `bucket_of`)."""
    whens = [
        When(**{f"{due}__gte": as_of - dt.timedelta(days=days)}, then=Value(key))
        for days, key in ((0, "current"), (30, "d1_30"), (60, "d31_60"), (90, "d61_90"))
    ]
    return Case(*whens, default=Value("d90_plus"), output_field=CharField())


def invoice_buckets(as_of: dt.date, *, customer: int | None = None) -> dict:
    """{(customer id, bucket): open amount} of the invoices on `as_of`: two grouped
    queries (totals, and allocations dated up to `as_of`) instead of one row per invoice."""
    who = {"customer_id": customer} if customer else {}
    out: dict = defaultdict(Decimal)
    invoiced = (
        Invoice.all_objects.issued()
        .filter(issue_date__lte=as_of, **who)
        .annotate(b=_bucket_case("due_date", as_of))
        .values("customer_id", "b")
        .annotate(t=Sum("total_base"))
        .order_by()
    )
    for row in invoiced:
        out[(row["customer_id"], row["b"])] += cents(row["t"])
    settled = (
        Allocation.objects.filter(
            date__lte=as_of,
            invoice__issue_date__lte=as_of,
            **({"invoice__customer_id": customer} if customer else {}),
        )
        .exclude(invoice__status="draft")
        .annotate(b=_bucket_case("invoice__due_date", as_of))
        .values("invoice__customer_id", "b")
        .annotate(t=Sum("amount_base"))
        .order_by()
    )
    for row in settled:
        out[(row["invoice__customer_id"], row["b"])] -= cents(row["t"])
    return out


def _url_pattern(name: str) -> str:
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def _open_invoices(as_of: dt.date, who: dict, customer: int | None) -> list[OpenItem]:
    items = []
    url = _url_pattern("invoice-detail")
    settled = _allocated(
        "invoice", "amount_base", as_of, **({"invoice__customer_id": customer} if customer else {})
    )
    invoices = (
        Invoice.all_objects.issued()
        .filter(issue_date__lte=as_of, **who)
        .values_list("pk", "customer_id", "number", "issue_date", "due_date", "total_base")
    )
    for pk, customer_id, number, issued, due, total in invoices.iterator(chunk_size=5000):
        left = cents(total) - settled.get(pk, ZERO)
        if left:
            items.append(
                OpenItem(customer_id, "invoice", number, issued, due, left, url.format(pk))
            )
    return items


def open_items(
    as_of: dt.date, *, customer: int | None = None, invoices: bool = True, links: bool = True
) -> list[OpenItem]:
    """Every document with something open on `as_of` (base currency, signed); without
    `invoices`, only opening balances and credit sources (see `invoice_buckets`); without
    `links`, no document URLs."""
    items: list[OpenItem] = []
    who = {"customer_id": customer} if customer else {}
    if invoices:
        items += _open_invoices(as_of, who, customer)
    openings = (
        OpeningBalance.objects.filter(date__lte=as_of, **who)
        .values("customer_id", "date")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    for row in openings:
        if cents(row["t"]):
            items.append(
                OpenItem(
                    row["customer_id"],
                    "opening",
                    "Opening balance",
                    row["date"],
                    None,
                    cents(row["t"]),
                )
            )
    for source in credit_sources(links=links):
        used = _allocated(
            source.field,
            source.used,
            as_of,
            **({f"{source.field}__customer_id": customer} if customer else {}),
        )
        for consumer, fk_name in source.consumers:  # refunds of the source's credit
            rows = (
                consumer._default_manager.filter(date__lte=as_of)
                .values(fk_name)
                .annotate(t=Sum("amount_base"))
                .order_by()
            )
            for row in rows:
                used[row[fk_name]] = used.get(row[fk_name], ZERO) + cents(row["t"])
        docs = (
            source.model._default_manager.filter(source.live(as_of))
            .filter(**{f"{source.date}__lte": as_of}, **who)
            .values_list("pk", "customer_id", source.date, source.amount, "number")
        )
        url = _url_pattern(source.url_name) if links and source.url_name else ""
        for pk, customer_id, date, amount, number in docs.iterator(chunk_size=5000):
            left = cents(amount) - used.get(pk, ZERO)
            if left:
                items.append(
                    OpenItem(customer_id, source.field, number, date, None, -left, url.format(pk))
                )
    return items


def ar_balance(as_of: dt.date) -> Decimal:
    """The Accounts Receivable account on `as_of` (lines dated on or before it)."""
    return balance_on(chart.AR, as_of)


def aging_totals(as_of: dt.date) -> dict[str, Decimal]:
    """{bucket: amount} of everyone, for the dashboard's summary job."""
    totals = {key: ZERO for key, _ in (*BUCKETS, CREDIT)}
    for item in open_items(as_of, invoices=False, links=False):
        totals[item.bucket(as_of)] += item.amount
    for (_, bucket), amount in invoice_buckets(as_of).items():
        totals[bucket] += amount
    return totals


def _columns(first: Column) -> list[Column]:
    return [
        first,
        *(Column(key, label, MONEY) for key, label in BUCKETS),
        Column(CREDIT[0], CREDIT[1], MONEY),
        Column("total", "Total", MONEY),
    ]


def build(params: dict, progress) -> Report:
    as_of = parse_date(params["end"])
    customer = params.get("customer")
    listed = bool(customer) or (
        Invoice.all_objects.issued().filter(issue_date__lte=as_of).count() <= DOCUMENT_ROWS
    )
    items = open_items(as_of, customer=customer, invoices=listed)
    progress(60)
    keys = [key for key, _ in (*BUCKETS, CREDIT)]
    per_customer: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(keys, ZERO))
    for item in items:
        per_customer[item.customer_id][item.bucket(as_of)] += item.amount
    if not listed:
        for (pk, bucket), amount in invoice_buckets(as_of).items():
            per_customer[pk][bucket] += amount
    customers = {
        c.pk: c for c in Customer.all_objects.filter(pk__in=per_customer).only("code", "name")
    }
    by_customer = Table(title="By customer", columns=_columns(Column("customer", "Customer")))
    for pk, amounts in per_customer.items():
        c = customers[pk]
        total = sum(amounts.values(), ZERO)
        if not total and not any(amounts.values()):
            continue
        drill = reverse("report-create") + f"?type=ar_aging&end={as_of}&customer={c.code}"
        by_customer.rows.append(
            {"customer": f"{c.code} {c.name}", **amounts, "total": total, "url": drill}
        )
    by_customer.rows.sort(key=lambda r: (-r["total"], r["customer"]))
    by_customer.total(*keys, "total")
    tables = [by_customer]
    progress(75)
    if listed:
        documents = Table(
            title="Open documents",
            columns=[
                Column("document", "Document"),
                Column("customer", "Customer"),
                Column("date", "Date"),
                Column("due", "Due"),
                Column("days", "Days past due", "int"),
                Column("age", "Age"),
                Column("amount", "Amount", MONEY),
            ],
        )
        labels = dict((*BUCKETS, CREDIT))
        for item in sorted(items, key=lambda i: (customers[i.customer_id].code, i.date, i.number)):
            bucket = item.bucket(as_of)
            row = {
                "document": item.number,
                "customer": customers[item.customer_id].code,
                "date": item.date,
                "due": item.due or "",
                "days": max((as_of - (item.due or item.date)).days, 0) if bucket != "credit" else 0,
                "age": labels[bucket],
                "amount": item.amount,
            }
            if item.url:
                row["url"] = item.url
            documents.rows.append(row)
        documents.total("amount", label_key="document")
        tables.append(documents)
    t = by_customer.totals
    ledger = None if customer else ar_balance(as_of)
    figures = [
        ("Total receivable", t["total"], MONEY),
        ("Overdue", sum((t[k] for k, _ in BUCKETS[1:]), ZERO), MONEY),
        ("Unapplied credit", t[CREDIT[0]], MONEY),
    ]
    notes = [
        "Base currency at each document's rate snapshot. Invoices are aged by due date, "
        "opening balances from their date; allocations (credit notes, payments) count from "
        "their own date, so the report shows the receivable as it stood on that day."
    ]
    if ledger is not None:
        figures.append(("Accounts Receivable account", ledger, MONEY))
        recon = Table(
            title="Reconciliation with the ledger",
            columns=[Column("line", "Line", TEXT), Column("amount", "Amount", MONEY)],
            rows=[
                {"line": "Aging total", "amount": t["total"]},
                {"line": f"Accounts Receivable ({chart.AR}) on {as_of}", "amount": ledger},
                {"line": "Difference", "amount": t["total"] - ledger},
            ],
        )
        tables.append(recon)
    if not listed:
        notes.append(
            "Many documents: pick a customer (the links in the first table) to list its documents."
        )
    progress(90)
    return Report(
        title="Accounts receivable aging",
        subtitle=f"as of {as_of}, in {base_currency_code()}"
        + (f", {params.get('customer_label')}" if customer else ""),
        figures=figures,
        tables=tables,
        charts=[
            Chart(
                title="Receivables by age",
                labels=[label for _, label in (*BUCKETS, CREDIT)],
                datasets=[{"label": "Amount", "data": [t[k] for k in keys]}],
            )
        ],
        notes=notes,
    )
