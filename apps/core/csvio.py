"""The one CSV writer: every export (lists, reports) goes through it.

A cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is
neutralised with a leading apostrophe (OWASP "CSV injection"); plain numbers such as
"-12.50" stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


def csv_line(writer, row: Iterable) -> str:
    return writer.writerow([csv_cell(value) for value in row])


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable]):
    """Yield each row as one CSV line (for streaming responses)."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield csv_line(writer, row)


def csv_text(rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        csv_line(writer, row)
    return out.getvalue()
