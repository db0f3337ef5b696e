"""Bank line matching: which open invoices a statement line pays, and why (DESIGN.md §11).

Rules, in this order (the first that finds something wins):
1. a valid ISO 11649 RF reference (structured field or text) naming open invoices: the one
   printed on every invoice is `creditor_reference(invoice.number)`;
2. invoice numbers in the text, written with or without spaces or dashes
   ("INV-2026-00042", "inv 2026 00042", "INV2026-42");
3. the amount and the payer (a known payer IBAN, or the customer's name in the payer's
   name) when exactly one open invoice fits; failing the payer, the amount alone, as one
   suggestion per open invoice of that amount (a person picks).

Rules 1 and 2 may name several invoices of one customer (one transfer for several
invoices): the money goes to them oldest due date first, so a short payment leaves the
last one partly open and an overpayment leaves customer credit. A proposal is `exact` when
the named invoices' open amounts add up to the line exactly; only exact proposals from
rules 1-2 that are the line's only proposal are applied without a person, and only when
the company setting `bank_auto_apply` is on.

Nothing here writes: `propose` returns proposals; apps/invoicing/services/bank.py stores
and applies them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from apps.customers.models import Customer
from apps.finance import money

from ..models import BankLine, Invoice, InvoiceStatus, MatchReason, PayerAccount
from ..rendering.reference import creditor_reference_is_valid, creditor_reference_print
from ..selectors import with_balances

ZERO = Decimal("0")
MAX_ALTERNATIVES = 5
AUTO_REASONS = (MatchReason.REFERENCE, MatchReason.NUMBER)
_RF_START = re.compile(r"(?<![0-9A-Z])RF\d{2}")
_RF = re.compile(r"RF\d{2}(?:[ ]?[0-9A-Z]){1,21}")
_SEP = r"[\s\-_/.#:]*"
_WORDS = re.compile(r"[^0-9a-z]+")
_LEGAL = {"ltd", "llc", "inc", "gmbh", "sa", "sas", "sarl", "bv", "plc", "ag", "co", "the"}


def _compact(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def find_references(text: str) -> list[str]:
    """Valid RF references in `text`, compact ('RF18INV20260001'), in order of appearance.

    A reference printed in groups of four may run into the next word ("RF18 5390 0754
    thanks"): the longest prefix with a valid check is taken, and the search goes on
    after it."""
    upper = text.upper()
    found: list[str] = []
    taken_until = 0
    for start in _RF_START.finditer(upper):
        if start.start() < taken_until:
            continue
        window = _RF.match(upper, start.start())
        chars = [(m.group(0), m.end()) for m in re.finditer(r"[0-9A-Z]", window.group(0))]
        candidate = "".join(c for c, _end in chars)
        for length in range(len(candidate), 4, -1):
            if creditor_reference_is_valid(candidate[:length]):
                if candidate[:length] not in found:
                    found.append(candidate[:length])
                taken_until = start.start() + chars[length - 1][1]
                break
    return found


def _name_words(name: str) -> set[str]:
    return {w for w in _WORDS.split(name.lower()) if w and w not in _LEGAL}


def payer_fits(customer: Customer, payer_name: str) -> bool:
    """Every significant word of the customer's name is in the payer's name."""
    words = _name_words(customer.name)
    return bool(words) and words <= _name_words(payer_name)


@dataclass
class Proposal:
    customer: Customer
    reason: str
    detail: str
    allocations: list[tuple[Invoice, Decimal]] = field(default_factory=list)
    exact: bool = False

    @property
    def allocated(self) -> Decimal:
        return sum((amount for _invoice, amount in self.allocations), start=ZERO)


class OpenInvoices:
    """The open invoices of one currency, indexed by number and amount, loaded once per
    statement. `consume` lowers an invoice's open amount after a line is applied, so the
    next line of the same file does not count on money already allocated."""

    def __init__(self, currency_code: str):
        invoices = (
            with_balances(
                Invoice.objects.filter(status=InvoiceStatus.ISSUED, currency_id=currency_code)
            )
            .filter(open_amount__gt=0)
            .select_related("customer")
            .order_by("due_date", "pk")
        )
        self.invoices: dict[int, Invoice] = {}
        self.by_number: dict[str, Invoice] = {}
        self.by_compact: dict[str, Invoice] = {}
        self.by_amount: dict[Decimal, list[Invoice]] = defaultdict(list)
        prefixes: set[str] = set()
        for invoice in invoices:
            invoice.open_amount = money.quantize(invoice.open_amount)
            self.invoices[invoice.pk] = invoice
            self.by_number[invoice.number.upper()] = invoice
            self.by_compact[_compact(invoice.number)] = invoice
            self.by_amount[invoice.open_amount].append(invoice)
            prefixes.add(invoice.number.split("-", 1)[0].upper())
        self.number_pattern = (
            re.compile(
                rf"(?<![0-9A-Z])({'|'.join(sorted(map(re.escape, prefixes)))}){_SEP}"
                rf"(\d{{4}}){_SEP}(\d{{1,5}})(?!\d)",
                re.IGNORECASE,
            )
            if prefixes
            else None
        )
        self.payers = dict(PayerAccount.objects.values_list("iban", "customer_id"))

    def consume(self, invoice: Invoice, amount: Decimal) -> None:
        current = self.invoices.get(invoice.pk)
        if current is None:
            return
        bucket = self.by_amount.get(current.open_amount, [])
        if current in bucket:
            bucket.remove(current)
        current.open_amount -= amount
        if current.open_amount <= 0:
            del self.invoices[invoice.pk]
            self.by_number.pop(current.number.upper(), None)
            self.by_compact.pop(_compact(current.number), None)
        else:
            self.by_amount[current.open_amount].append(current)

    def find_numbers(self, text: str) -> list[Invoice]:
        if self.number_pattern is None:
            return []
        found: list[Invoice] = []
        for prefix, year, sequence in self.number_pattern.findall(text):
            invoice = self.by_number.get(f"{prefix.upper()}-{year}-{int(sequence):05d}")
            if invoice is not None and invoice not in found:
                found.append(invoice)
        return found


def _spread(line_amount: Decimal, invoices: list[Invoice]) -> list[tuple[Invoice, Decimal]]:
    """The line's money over the invoices, oldest due date first."""
    rest = line_amount
    allocations = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.pk)):
        if rest <= 0:
            break
        amount = min(rest, invoice.open_amount)
        allocations.append((invoice, amount))
        rest -= amount
    return allocations


def _named(line: BankLine, invoices: list[Invoice], reason: str, how: str) -> Proposal:
    customer = invoices[0].customer
    mine = [i for i in invoices if i.customer_id == customer.pk]
    open_total = sum((i.open_amount for i in mine), start=ZERO)
    allocations = _spread(line.amount, mine)
    numbers = ", ".join(i.number for i in mine)
    if line.amount == open_total:
        detail = f"{how} {numbers}; the amount pays {'them' if len(mine) > 1 else 'it'} exactly."
    elif line.amount < open_total:
        detail = f"{how} {numbers}; pays {line.amount} of {open_total} open (partial)."
    else:
        detail = (
            f"{how} {numbers}; {line.amount - open_total} more than the {open_total} open "
            "becomes customer credit."
        )
    if len(mine) < len(invoices):
        detail += " Invoices of other customers named in the text are left out."
    return Proposal(
        customer=customer,
        reason=reason,
        detail=detail,
        allocations=allocations,
        exact=line.amount == open_total,
    )


def propose(line: BankLine, book: OpenInvoices) -> list[Proposal]:
    """The proposals for one line, best first (empty for money out or nothing found)."""
    if line.amount <= 0:
        return []
    text = f"{line.reference} {line.text}"
    references = find_references(text)
    invoices = [book.by_compact[r[4:]] for r in references if r[4:] in book.by_compact]
    if invoices:
        shown = ", ".join(creditor_reference_print(r) for r in references)
        return [_named(line, invoices, MatchReason.REFERENCE, f"Reference {shown} names")]
    invoices = book.find_numbers(text)
    if invoices:
        return [_named(line, invoices, MatchReason.NUMBER, "The text names")]
    candidates = list(book.by_amount.get(line.amount, []))
    if not candidates:
        return []
    known = book.payers.get(line.payer_iban) if line.payer_iban else None
    fitting = [
        i
        for i in candidates
        if (known is not None and i.customer_id == known)
        or (line.payer_name and payer_fits(i.customer, line.payer_name))
    ]
    if len(fitting) == 1:
        invoice = fitting[0]
        by = "IBAN" if known == invoice.customer_id else "name"
        return [
            Proposal(
                customer=invoice.customer,
                reason=MatchReason.AMOUNT_PAYER,
                detail=(
                    f"{invoice.number} is {invoice.customer}'s only open invoice of "
                    f"{line.amount}, and the payer's {by} is theirs."
                ),
                allocations=[(invoice, line.amount)],
                exact=True,
            )
        ]
    pool = fitting or candidates
    if len(pool) == 1:
        detail = (
            f"{pool[0].number} is the only open invoice of {line.amount}; payer not recognised."
        )
    else:
        detail = f"One of {len(pool)} open invoices of {line.amount}: check the payer."
    return [
        Proposal(
            customer=invoice.customer,
            reason=MatchReason.AMOUNT,
            detail=detail,
            allocations=[(invoice, line.amount)],
            exact=True,
        )
        for invoice in pool[:MAX_ALTERNATIVES]
    ]


def auto_applicable(proposals: list[Proposal]) -> Proposal | None:
    """The one proposal the import may apply without a person, if any."""
    if len(proposals) == 1 and proposals[0].exact and proposals[0].reason in AUTO_REASONS:
        return proposals[0]
    return None
