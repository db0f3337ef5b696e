"""ISO 11649 structured creditor references and EPC payment QR codes.

A creditor reference (``RF`` + two check digits + up to 21 letters/digits) printed on
every invoice lets the bank statement matcher find the invoice again (DESIGN.md §11).
The EPC QR code (EPC069-12, "GiroCode") carries IBAN, amount and that reference, so a
banking app fills in the transfer by scanning the PDF.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import segno

from apps.finance.money import quantize

_ALNUM = re.compile(r"[^0-9A-Z]")
MAX_REFERENCE_BODY = 21
EPC_MAX_AMOUNT = Decimal("999999999.99")


class ReferenceError(ValueError):
    """A reference or payment QR that cannot be made from the given values."""


def _digits(text: str) -> int:
    """Letters to numbers (A=10 ... Z=35) as ISO 7064 mod 97-10 wants."""
    return int("".join(str(int(ch, 36)) for ch in text))


def _compact(value: str) -> str:
    return _ALNUM.sub("", value.upper())


def creditor_reference(number: str) -> str:
    """'INV-2026-0042' -> 'RF..INV20260042' (electronic format, no spaces).

    Separators are dropped; the remaining letters and digits must be 1..21 long.
    """
    body = _compact(number)
    if not body:
        raise ReferenceError("A creditor reference needs at least one letter or digit.")
    if len(body) > MAX_REFERENCE_BODY:
        raise ReferenceError(
            f"A creditor reference holds at most {MAX_REFERENCE_BODY} letters and digits; "
            f"{number!r} has {len(body)}."
        )
    check = 98 - _digits(body + "RF00") % 97
    return f"RF{check:02d}{body}"


def creditor_reference_is_valid(reference: str) -> bool:
    """True for a well-formed RF reference, printed with or without spaces."""
    compact = _compact(reference)
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", compact):
        return False
    return _digits(compact[4:] + compact[:4]) % 97 == 1


def creditor_reference_print(reference: str) -> str:
    """Paper format: groups of four, 'RF18 5390 0754 7034'."""
    compact = _compact(reference)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    reference: str = "",
    text: str = "",
    bic: str = "",
    currency: str = "EUR",
) -> str:
    """EPC069-12 version 002 payload: SEPA credit transfer in euro.

    Either a structured creditor `reference` or a free `text` is carried, never both
    (the standard forbids it); trailing empty fields are left out.
    """
    if currency != "EUR":
        raise ReferenceError("An EPC payment code can only carry euro amounts.")
    amount = quantize(amount)
    if not Decimal("0.01") <= amount <= EPC_MAX_AMOUNT:
        raise ReferenceError("An EPC payment code needs an amount from 0.01 to 999999999.99.")
    iban = _compact(iban)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[0-9A-Z]{11,30}", iban):
        raise ReferenceError(f"Not an IBAN: {iban!r}.")
    name = name.strip()
    if not name:
        raise ReferenceError("An EPC payment code needs the beneficiary's name.")
    if reference and text:
        raise ReferenceError("An EPC payment code carries a reference or a text, not both.")
    if reference and not creditor_reference_is_valid(reference):
        raise ReferenceError(f"Not an ISO 11649 creditor reference: {reference!r}.")
    fields = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        _compact(bic),
        name[:70],
        iban,
        f"EUR{amount}",
        "",  # purpose code
        _compact(reference),
        text[:140],
    ]
    while fields[-1] == "":
        fields.pop()
    return "\n".join(fields)


def epc_qr(payload: str) -> segno.QRCode:
    """EPC069-12 asks for error correction level M and at most version 13."""
    code = segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    if code.version > 13:
        raise ReferenceError("The payment data is too long for an EPC QR code.")
    return code


def qr_svg(payload: str, *, scale: int = 4) -> str:
    """SVG markup (no XML declaration) with the 4-module quiet zone, white behind it."""
    buffer = io.BytesIO()
    epc_qr(payload).save(
        buffer, kind="svg", scale=scale, border=4, light="#fff", xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()


def qr_png(payload: str, *, scale: int = 4) -> bytes:
    buffer = io.BytesIO()
    epc_qr(payload).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
