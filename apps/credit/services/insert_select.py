"""SQL text for one-statement writes (the charge's): `INSERT ... SELECT` of a model's
columns as cast parameters or computed SQL, and the parameters from a row's values."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from django.db import connection, models


class Table:
    """A model's quoted table and column names for SQL text: `t = Table(Seller)`, then
    f"UPDATE {t} SET {t.balance} = ..."; names come from _meta, never from input."""

    def __init__(self, model: type[models.Model]):
        self.model = model

    def __str__(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def __getattr__(self, name: str) -> str:
        return connection.ops.quote_name(self.model._meta.get_field(name).column)


@functools.cache
def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns an INSERT of `model` writes, as the ORM's: all but an auto primary key."""
    return [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]


def _base_type(field: models.Field) -> str:
    """The column's type without length or scale: varchar(64) -> varchar, numeric(18, 2) ->
    numeric (an explicit cast to varchar(64) would silently cut a longer value)."""
    return re.sub(r"\(.*\)", "", field.db_type(connection))


# As a value of `computed` (insert_select, insert_params): the column keeps the field's default, which the
# statement carries as a literal instead of a parameter.
DEFAULT = object()


def _sql_literal(field: models.Field) -> str:
    """The field's (static) default as SQL: NULL, a number or a quoted string."""
    value = field.get_default()
    if value is None:
        return "NULL"
    if isinstance(value, int | Decimal):
        return str(value)
    return "'{}'".format(str(value).replace("'", "''"))


def insert_select(model, prefix: str, source: str | None, computed: dict) -> str:
    """`INSERT INTO <model> (<columns>) SELECT <values> [FROM <source>]`: one row per row
    of `source` (one row without it). Each value is the parameter
    %(<prefix>_<attname>)s cast to the column's base type (no length or scale: a value too
    long fails as through the ORM instead of being cut), or SQL from `computed` (DEFAULT:
    the field's default as a literal)."""
    fields = _insert_fields(model)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(
        f"{_sql_literal(f)}::{_base_type(f)}"
        if computed.get(f.attname) is DEFAULT
        else computed.get(f.attname) or f"%({prefix}_{f.attname})s::{_base_type(f)}"
        for f in fields
    )
    source = f" FROM {source}" if source else ""
    return f"INSERT INTO {Table(model)} ({columns}) SELECT {values}{source}"


@functools.cache
def _param_fields(model, prefix: str, computed_keys: frozenset) -> tuple:
    """(parameter name, attname, field, JSON field or None) of each column that
    `insert_select` sends as a parameter."""
    return tuple(
        (f"{prefix}_{f.attname}", f.attname, f, f if isinstance(f, models.JSONField) else None)
        for f in _insert_fields(model)
        if f.attname not in computed_keys
    )


def insert_params(model, values: dict, prefix: str, computed: dict, db) -> dict:
    """The parameters of `insert_select` from a row's column values (attname -> value; a
    column not given takes the field's default, as a model instance would), sent as they
    are (str, Decimal, UUID, date, None: psycopg adapts them), JSON through its field."""
    params = {}
    for name, attname, field, json_field in _param_fields(model, prefix, frozenset(computed)):
        value = values[attname] if attname in values else field.get_default()
        params[name] = value if json_field is None else json_field.get_db_prep_save(value, db)
    return params
