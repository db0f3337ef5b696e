"""The one CSV writer every export uses: cells a spreadsheet would run as a formula
(starting with = + - @ tab or carriage return) are prefixed with an apostrophe (OWASP
"CSV injection"), so a seller's note `=cmd|' /C calc'!A0` reaches the accountant as text.
Plain numbers (-12.50, +3) stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def csv_safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterable[str]:
    """Encode rows as CSV lines, neutralised cell by cell."""
    writer = csv.writer(_Echo())
    return (writer.writerow([csv_safe_cell(cell) for cell in row]) for row in rows)


def csv_response(filename: str, rows: Iterable[Sequence[object]]) -> StreamingHttpResponse:
    """Stream rows (an iterable of sequences) as a CSV download."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """The whole CSV as one string (report files), neutralised like the downloads."""
    return "".join(csv_lines(rows))
