"""The one money field (DESIGN.md §5): every amount column is declared through here."""

from __future__ import annotations

from django.db import models

MONEY_DIGITS = 18
MONEY_PLACES = 2


def money_field(*args, **kwargs) -> models.DecimalField:
    """DecimalField(max_digits=18, decimal_places=2) plus whatever else the column needs."""
    return models.DecimalField(
        *args, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs
    )
