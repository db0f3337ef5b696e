"""CSV statements: the bank's own columns, mapped once per account to ours.

A mapping is {our field: the file's column header} plus `date_format` and `decimal`
("." or ","); it is saved on the bank account so the next file of that bank imports
without asking again. Amounts are one signed column, or a credit and a debit column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal, InvalidOperation

from .common import MAX_ROWS, ParsedLine, StatementFileError, clean, compact_iban

# (field, label, required)
CSV_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("date", "Booking date", True),
    ("amount", "Amount (signed)", False),
    ("credit", "Credit (money in)", False),
    ("debit", "Debit (money out)", False),
    ("bank_reference", "Bank reference", False),
    ("payer_name", "Payer name", False),
    ("payer_iban", "Payer IBAN", False),
    ("reference", "Structured reference", False),
    ("text", "Remittance text", False),
)
DATE_FORMATS = {
    "%Y-%m-%d": "2026-03-31",
    "%d.%m.%Y": "31.03.2026",
    "%d/%m/%Y": "31/03/2026",
    "%m/%d/%Y": "03/31/2026",
}
MAX_AMOUNT = Decimal("1000000000000")
_COMMA_DECIMAL = re.compile(r",\d{1,2}-?$")
_GUESSES = {
    "date": ("date", "booking date", "value date", "datum", "buchungstag", "posted"),
    "amount": ("amount", "betrag", "montant", "value"),
    "credit": ("credit", "money in", "paid in"),
    "debit": ("debit", "money out", "paid out"),
    "bank_reference": ("bank reference", "transaction id", "id", "reference number", "fitid"),
    "payer_name": ("payer", "payer name", "name", "counterparty", "from"),
    "payer_iban": ("iban", "payer iban", "counterparty iban", "account"),
    "reference": ("structured reference", "creditor reference", "rf"),
    "text": ("text", "description", "remittance", "memo", "details", "purpose"),
}


def _reader(content: str) -> csv.reader:
    sample = content[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(content), dialect)


def csv_headers(content: str) -> list[str]:
    """The header row of a CSV file (a clear error for a file that is not CSV)."""
    if content.lstrip().startswith("<") or "OFXHEADER" in content[:200]:
        raise StatementFileError("This is not a CSV file; choose CAMT.053 or OFX.")
    try:
        headers = next(_reader(content), [])
    except csv.Error as exc:
        raise StatementFileError(f"The file cannot be read as CSV: {exc}.") from None
    headers = [clean(h) for h in headers]
    if len([h for h in headers if h]) < 2:
        raise StatementFileError("The first row must name the columns (at least two).")
    return headers


def guess_mapping(headers: list[str], content: str = "") -> dict[str, str]:
    """A first mapping from the header names and the first rows (the person corrects it)."""
    lower = {h.lower(): h for h in headers if h}
    mapping: dict[str, str] = {}
    for field_name, names in _GUESSES.items():
        for name in names:
            if name in lower and lower[name] not in mapping.values():
                mapping[field_name] = lower[name]
                break
    mapping["date_format"] = "%Y-%m-%d"
    mapping["decimal"] = "."
    if not content:
        return mapping
    reader = _reader(content)
    next(reader, None)
    sample = [cells for _n, cells in zip(range(20), reader, strict=False)]

    def column(field_name: str) -> list[str]:
        if field_name not in mapping:
            return []
        i = headers.index(mapping[field_name])
        return [c[i].strip() for c in sample if i < len(c) and c[i].strip()]

    dates = column("date")
    for fmt in DATE_FORMATS:
        try:
            if dates and all(dt.datetime.strptime(d, fmt) for d in dates):
                mapping["date_format"] = fmt
                break
        except ValueError:
            continue
    amounts = column("amount") + column("credit") + column("debit")
    if amounts and all(_COMMA_DECIMAL.search(a) for a in amounts):
        mapping["decimal"] = ","
    return mapping


def check_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Errors by field: a required column not chosen, or a column the file lacks."""
    errors = {}
    if not mapping.get("date"):
        errors["date"] = "Choose the column holding the booking date."
    if not mapping.get("amount") and not mapping.get("credit"):
        errors["amount"] = "Choose the amount column, or the credit (and debit) columns."
    for field_name, _label, _required in CSV_FIELDS:
        column = mapping.get(field_name)
        if column and column not in headers:
            errors[field_name] = f"The file has no column {column!r}."
    if mapping.get("date_format", "%Y-%m-%d") not in DATE_FORMATS:
        errors["date_format"] = "Unknown date format."
    return errors


def _amount(text: str, decimal: str) -> Decimal:
    value = text.replace(" ", "").replace("\u00a0", "").replace("'", "")
    thousands, point = (".", ",") if decimal == "," else (",", ".")
    value = value.replace(thousands, "").replace(point, ".")
    negative = value.endswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("()-+") if negative else value.lstrip("+")
    amount = Decimal(value)
    if not amount.is_finite():
        raise InvalidOperation
    return -amount if negative else amount


def parse_csv(content: str, mapping: dict[str, str]) -> list[ParsedLine]:
    headers = csv_headers(content)
    errors = check_mapping(mapping, headers)
    if errors:
        raise StatementFileError(" ".join(errors.values()))
    index = {h: i for i, h in enumerate(headers)}
    decimal = mapping.get("decimal", ".")
    date_format = mapping.get("date_format", "%Y-%m-%d")
    rows: list[ParsedLine] = []
    seen: Counter = Counter()
    reader = _reader(content)
    next(reader)
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise StatementFileError(f"At most {MAX_ROWS:,} rows per file; split it.")

        def cell(field_name: str, cells=cells) -> str:
            column = mapping.get(field_name)
            if not column:
                return ""
            i = index[column]
            return cells[i].strip() if i < len(cells) else ""

        row = ParsedLine(line=reader.line_num)
        text = cell("date")
        try:
            row.date = dt.datetime.strptime(text, date_format).date()
        except ValueError:
            row.errors.append(f"Date {text!r} is not like {DATE_FORMATS[date_format]}.")
        try:
            if mapping.get("amount"):
                row.amount = _amount(cell("amount"), decimal)
            else:
                credit, debit = cell("credit"), cell("debit")
                row.amount = (_amount(credit, decimal) if credit else Decimal(0)) - (
                    abs(_amount(debit, decimal)) if debit else Decimal(0)
                )
        except (InvalidOperation, ValueError):
            shown = cell("amount") or f"{cell('credit')}/{cell('debit')}"
            row.errors.append(f"Amount {shown!r} is not a number.")
        if row.amount is not None:
            if row.amount == 0:
                row.errors.append("The amount is zero.")
            elif abs(row.amount) >= MAX_AMOUNT:
                row.errors.append("The amount is too large.")
            elif row.amount != row.amount.quantize(Decimal("0.01")):
                row.errors.append(f"Amount {row.amount} has more than two decimals.")
        row.bank_reference = clean(cell("bank_reference"), 140)
        row.payer_name = clean(cell("payer_name"), 200)
        row.payer_iban = compact_iban(cell("payer_iban"))
        row.reference = clean(cell("reference"), 140)
        row.text = clean(cell("text"), 1000)
        if not row.errors:
            key = (row.date, row.amount, row.payer_name, row.text, row.reference)
            row.fill_reference(seen[key])
            seen[key] += 1
        rows.append(row)
    if not rows:
        raise StatementFileError("The file has a header but no rows.")
    return rows
