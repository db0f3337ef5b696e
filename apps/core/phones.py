"""Phone number fields whose stored texts are parsed once per process.

django-phonenumber-field parses every stored number as a row is read (`from_db_value`:
~14 µs of `phonenumbers.parse`), so a page of 25 customers spent ~0.35 ms of CPU parsing
the same few texts again and again. `PhoneField` keeps the parse of each recent text and
hands every row its own copy (~1.5 µs): the same value, class and attributes as before,
never an object shared between rows, requests or threads.
"""

from __future__ import annotations

import copy
import functools

import phonenumbers
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python
from phonenumbers import PhoneNumber

_LONGEST_KEPT = 64  # a stored number is E.164 (at most 16 characters) or what was typed


@functools.lru_cache(maxsize=4096)
def _parsed(text: str):
    return to_python(text)


def stored_phone(value):
    """What PhoneNumberField.from_db_value gives for `value` (a new object each call)."""
    if not isinstance(value, str) or not value or len(value) > _LONGEST_KEPT:
        return to_python(value)
    return copy.copy(_parsed(value))


# The fields `format_number` reads for the international form.
_FORMAT_FIELDS = (
    "country_code",
    "national_number",
    "extension",
    "italian_leading_zero",
    "number_of_leading_zeros",
)


@functools.lru_cache(maxsize=4096)
def _international(fields: tuple) -> str:
    number = PhoneNumber(**dict(zip(_FORMAT_FIELDS, fields, strict=True)))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def international(phone) -> str:
    """`phone.as_international` (~7 µs of `phonenumbers.format_number` each, 25 a customer
    page), written once per process for each number: keyed by the fields the format reads."""
    if getattr(phone, "national_number", None) is None:  # a text that never parsed
        return phone.as_international
    return _international(tuple(getattr(phone, name) for name in _FORMAT_FIELDS))


class PhoneField(PhoneNumberField):
    """PhoneNumberField reading its stored texts through `stored_phone`."""

    def from_db_value(self, value, expression, connection):
        return stored_phone(value)
