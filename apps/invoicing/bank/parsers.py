"""CAMT.053 (pycamt) and OFX (ofxtools) statements, and the one entry point for all three."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal, InvalidOperation

from .common import MAX_ROWS, ParsedLine, StatementFileError, clean, compact_iban
from .tabular import parse_csv


def detect_format(content: str) -> str:
    """csv / camt053 / ofx from the first bytes (the upload form's "automatic" choice)."""
    head = content[:1000].lstrip()
    if "OFXHEADER" in head or "<OFX>" in head.upper():
        return "ofx"
    if head.startswith("<") and "camt.053" in content[:3000]:
        return "camt053"
    return "csv"


def parse_statement(fmt: str, content: str, mapping: dict | None = None) -> list[ParsedLine]:
    """Rows of a statement file; StatementFileError when the file as a whole is unusable."""
    if fmt == "csv":
        return parse_csv(content, mapping or {})
    if fmt == "camt053":
        return parse_camt(content)
    if fmt == "ofx":
        return parse_ofx(content)
    raise StatementFileError(f"Unknown statement format {fmt!r}.")


# --- CAMT.053 --------------------------------------------------------------------------


def _camt_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def parse_camt(content: str) -> list[ParsedLine]:
    from lxml import etree
    from pycamt.parser import Camt053ParseError, Camt053Parser

    raw = content.encode("utf-8")
    raw = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw)  # the text is already decoded
    try:
        parser = Camt053Parser(raw)
        if parser.version == "unknown" and "camt.053" not in parser.tree.tag:
            raise StatementFileError("This XML file is not a CAMT.053 bank statement.")
        transactions = parser.get_transactions()
    except etree.XMLSyntaxError as exc:
        raise StatementFileError(f"The file is not well-formed XML: {exc}.") from None
    except Camt053ParseError:
        raise StatementFileError("The CAMT.053 file holds no statement (Stmt).") from None
    rows: list[ParsedLine] = []
    per_reference: Counter = Counter()
    seen: Counter = Counter()
    for position, tx in enumerate(transactions, start=1):
        if (tx.get("Status") or "BOOK") not in ("BOOK", "BOOKED"):
            continue  # pending entries are not on the account yet
        if len(rows) >= MAX_ROWS:
            raise StatementFileError(f"At most {MAX_ROWS:,} entries per file; split it.")
        row = ParsedLine(line=position, currency=tx.get("Currency") or "")
        row.date = _camt_date(tx.get("BookingDate")) or _camt_date(tx.get("ValueDate"))
        if row.date is None:
            row.errors.append("The entry has no booking date.")
        try:
            amount = Decimal(tx.get("Amount") or "")
            if not amount.is_finite() or amount <= 0:
                raise InvalidOperation
            row.amount = -amount if tx.get("CreditDebitIndicator") == "DBIT" else amount
        except InvalidOperation:
            row.errors.append(f"Amount {tx.get('Amount')!r} is not a positive number.")
        credit = tx.get("CreditDebitIndicator") != "DBIT"
        party = "Debtor" if credit else "Creditor"
        row.payer_name = clean(tx.get(f"{party}Name"), 200)
        row.payer_iban = compact_iban(tx.get(f"{party}IBAN"))
        full = tx.get("RemittanceInformationFull") or ""
        first = tx.get("RemittanceInformation") or ""
        if first and not full.startswith(first):
            row.reference = clean(first, 140)  # a structured <Strd><CdtrRefInf><Ref>
        row.text = clean(
            " ".join(
                t
                for t in (full, tx.get("AdditionalRemittanceInformation"))
                if t and t != row.reference
            )
            or tx.get("AdditionalEntryInformation"),
            1000,
        )
        base = clean(tx.get("TransactionID"), 120)
        end_to_end = clean(tx.get("EndToEndId"), 60)
        if end_to_end.upper() == "NOTPROVIDED":
            end_to_end = ""
        if base:
            per_reference[base] += 1
            # one entry may carry several transactions (a batch): tell them apart
            row.bank_reference = base if per_reference[base] == 1 else f"{base}/{end_to_end}"
            if per_reference[base] > 1 and not end_to_end:
                row.bank_reference = f"{base}/{per_reference[base]}"
        else:
            row.bank_reference = end_to_end
        if not row.errors:
            key = (row.date, row.amount, row.payer_name, row.text)
            row.fill_reference(seen[key])
            seen[key] += 1
        rows.append(row)
    if not rows:
        raise StatementFileError("The CAMT.053 file has no booked entries.")
    return rows


# --- OFX -------------------------------------------------------------------------------


def _ofx_bytes(content: str) -> bytes:
    charset = re.search(r"CHARSET:\s*(\d+)", content[:500])
    if charset and charset.group(1) == "1252":
        return content.encode("cp1252", errors="replace")
    return content.encode("utf-8")


def parse_ofx(content: str) -> list[ParsedLine]:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(_ofx_bytes(content)))
        ofx = tree.convert()
        statements = list(ofx.statements)
    except Exception as exc:  # ofxtools raises many kinds (header, SGML, validation)
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise StatementFileError(f"The file is not a readable OFX statement: {message}") from None
    rows: list[ParsedLine] = []
    position = 0
    seen: Counter = Counter()
    for statement in statements:
        currency = getattr(statement, "curdef", "") or ""
        for trn in statement.banktranlist or []:
            position += 1
            if len(rows) >= MAX_ROWS:
                raise StatementFileError(f"At most {MAX_ROWS:,} transactions per file; split it.")
            row = ParsedLine(line=position, currency=currency)
            posted = trn.dtposted
            row.date = posted.date() if isinstance(posted, dt.datetime) else posted
            row.amount = Decimal(trn.trnamt)
            if row.amount == 0:
                row.errors.append("The amount is zero.")
            elif row.amount != row.amount.quantize(Decimal("0.01")):
                row.errors.append(f"Amount {row.amount} has more than two decimals.")
            row.bank_reference = clean(trn.fitid, 140)
            payee = getattr(trn, "payee", None)
            row.payer_name = clean(trn.name or (payee.name if payee is not None else ""), 200)
            row.reference = clean(trn.refnum, 140)
            row.text = clean(trn.memo, 1000)
            if not row.errors:
                key = (row.date, row.amount, row.payer_name, row.text)
                row.fill_reference(seen[key])
                seen[key] += 1
            rows.append(row)
    if not rows:
        raise StatementFileError("The OFX file has no transactions.")
    return rows
