"""What the statement parsers share: the parsed row, the file error, decoding, limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
_SPACES = re.compile(r"\s+")


class StatementFileError(ValueError):
    """The file as a whole cannot be read (wrong format, empty, too large): nothing is kept."""


@dataclass
class ParsedLine:
    line: int  # row in the file (CSV line number, or entry position for CAMT/OFX)
    date: dt.date | None = None
    amount: Decimal | None = None
    bank_reference: str = ""
    payer_name: str = ""
    payer_iban: str = ""
    reference: str = ""
    text: str = ""
    currency: str = ""
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "date": self.date.isoformat() if self.date else "",
            "amount": str(self.amount) if self.amount is not None else "",
            "bank_reference": self.bank_reference,
            "payer_name": self.payer_name,
            "payer_iban": self.payer_iban,
            "reference": self.reference,
            "text": self.text,
            "currency": self.currency,
            "errors": self.errors,
        }

    def fill_reference(self, occurrence: int) -> None:
        """A row without a bank reference gets a digest of what it says (plus how many
        identical rows came before it in the file), so re-importing the file finds it."""
        if self.bank_reference:
            return
        key = "|".join(
            [
                self.date.isoformat() if self.date else "",
                str(self.amount),
                self.payer_name,
                self.payer_iban,
                self.reference,
                self.text,
                str(occurrence),
            ]
        )
        self.bank_reference = "row:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def clean(text: str | None, limit: int | None = None) -> str:
    value = _SPACES.sub(" ", (text or "")).strip()
    return value[:limit] if limit else value


def compact_iban(text: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())[:34]


def decode_upload(upload) -> str:
    """The uploaded file as text (UTF-8, else Windows-1252 as older bank exports are)."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise StatementFileError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    raw = upload.read()
    if len(raw) > MAX_BYTES:
        raise StatementFileError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    if not raw.strip():
        raise StatementFileError("The file is empty.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
