"""Reads about currencies and rates shared by documents and reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.core import reference
from apps.core.models import CompanySettings

from .models import Currency, ExchangeRate


class MissingExchangeRate(LookupError):
    """No rate on or before the date: a clear error, never a silent 1.0 (DESIGN.md §5)."""

    def __init__(self, currency: str, date: dt.date):
        self.currency, self.date = currency, date
        super().__init__(
            f"No exchange rate for {currency} on or before {date:%Y-%m-%d}. Add one under Finance > Exchange rates."
        )


def base_currency_code() -> str:
    return CompanySettings.load().base_currency


def rate_on(currency: Currency | str, date: dt.date, *, base: str | None = None) -> Decimal:
    """Units of base currency per unit of `currency`, from the latest rate on or before `date`."""
    code = currency.pk if isinstance(currency, Currency) else currency
    if code == (base or base_currency_code()):
        return Decimal("1")
    rate = (
        ExchangeRate.objects.filter(currency_id=code, date__lte=date)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingExchangeRate(code, date)
    return rate


def minor_units(currency: Currency | str) -> int:
    if isinstance(currency, Currency):
        return currency.minor_units
    return Currency.all_objects.values_list("minor_units", flat=True).get(pk=currency)


def minor_units_by_code(codes) -> dict[str, int]:
    """Minor units by currency code, covering `codes`: every currency's (deleted ones too),
    kept per process while the reference stamp stays the same (apps.core.reference), plus
    any of `codes` added since (read now). For a list's price cells. Shared: callers must
    not change it."""
    table = Currency._meta.db_table
    return reference.cached_covering(table, f"{table}.minor_units", _minor_units_by_code, codes)


def _minor_units_by_code(**where) -> dict[str, int]:
    return dict(Currency.all_objects.filter(**where).values_list("pk", "minor_units"))


def with_base_value(queryset, *, amount: str, currency: str, name: str, as_of: dt.date):
    """Alias `name` = `amount` in the base currency at the latest rate on or before
    `as_of`, so a list mixing currencies sorts by what the amounts are worth (20.40 EUR
    between 13.99 and 29.90 USD no more). A currency without a rate gets NULL (sorted last),
    never a silent 1.0. An alias, not a selected column: the rate subquery is written into
    the statement only where a filter or a sort names it (selected, every page compiled
    and PostgreSQL evaluated it twice per row, for the value and for `<name>_unrated`)."""
    from django.db.models import (
        Case,
        DecimalField,
        ExpressionWrapper,
        F,
        IntegerField,
        OuterRef,
        Subquery,
        Value,
        When,
    )

    base = base_currency_code()
    latest = (
        ExchangeRate.objects.filter(currency_id=OuterRef(currency), date__lte=as_of)
        .order_by("-date")
        .values("rate")[:1]
    )
    money = DecimalField(max_digits=30, decimal_places=10)
    value = Case(
        When(**{currency: base}, then=ExpressionWrapper(F(amount), output_field=money)),
        default=ExpressionWrapper(F(amount) * Subquery(latest), output_field=money),
        output_field=money,
    )
    # `<name>_unrated` (1 without a rate) lets a sort put those after the others on every
    # database (SQLite and PostgreSQL order NULLs differently).
    return queryset.alias(**{name: value}).alias(
        **{
            f"{name}_unrated": Case(
                When(**{f"{name}__isnull": True}, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        }
    )
