"""Whole numbers typed by people or sent in URLs and forms: ASCII digits only.

`str.isdigit()` is true for "²", "①" and other Unicode digits that `int()` refuses, so a
page number, id or day count checked with it and then read with `int()` raised ValueError
(a 500) from input such as `?page=²`. These read 0-9 only.

`IntegerFieldIn`: an `in` lookup on an integer column without the values no such column
can hold. Django drops them from `exact`, `gt` and the other comparisons, not from `in`,
so a huge id in a multiple choice (the Django admin's groups and permissions) reached the
driver: OverflowError on SQLite, "out of range" on PostgreSQL (a 500).
"""

from __future__ import annotations

import re

from django.db.models import IntegerField
from django.db.models.lookups import In

# The range of a database integer key (64-bit); larger ids overflow the driver (a 500).
MAX_DB_INT = 2**63 - 1

_DIGITS = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")


def is_digits(text) -> bool:
    """`text` is one or more of 0-9 and nothing else (no sign, space or other digits)."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def whole_number(text, *, most: int = MAX_DB_INT) -> int | None:
    """`text`, stripped, as an int when it is 0-9 digits and at most `most`; else None."""
    text = text.strip() if isinstance(text, str) else ""
    if not is_digits(text):
        return None
    number = int(text)
    return number if number <= most else None


def signed_number(text) -> int | None:
    """`text` as an int when it is an optional "-" then 0-9 digits (any size); else None."""
    if isinstance(text, str) and _SIGNED.fullmatch(text):
        return int(text)
    return None


@IntegerField.register_lookup
class IntegerFieldIn(In):
    """`in` over the values an integer column of this type can hold (none left: no row)."""

    def process_rhs(self, compiler, connection):
        kind = self.lhs.output_field.get_internal_type()
        if self.rhs_is_direct_value() and kind in connection.ops.integer_field_ranges:
            low, high = connection.ops.integer_field_range(kind)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
