"""What a report produces: headline figures, tables and charts, as plain JSON.

Builders return a `Report`; the run stores `Report.as_json()` (Decimals as strings, so
nothing is lost) and the screen, the CSV writer and the PDF template all read that JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from apps.finance.money import quantize

Progress = Callable[[int], None]

TEXT, INT, MONEY, PERCENT = "text", "int", "money", "percent"
ZERO = Decimal("0.00")


def cents(value) -> Decimal:
    """A database sum at 2 places (SQLite sums decimals as floats)."""
    return quantize(str(value or 0), 2)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return quantize(part * 100 / whole, 1) if whole else None


def parse_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    totals: dict | None = None

    def total(self, *keys: str, label_key: str | None = None, label: str = "Total") -> None:
        """Totals = the sum of the rows' (already rounded) values, so rows add up exactly."""
        totals: dict = {}
        if label_key is None:
            label_key = self.columns[0].key
        totals[label_key] = label
        kinds = {c.key: c.kind for c in self.columns}
        for key in keys:
            start = ZERO if kinds.get(key) == MONEY else 0
            totals[key] = sum((row.get(key) or start for row in self.rows), start)
        self.totals = totals


@dataclass
class Chart:
    title: str
    labels: list[str]
    datasets: list[dict]  # [{"label": ..., "data": [...]}]
    type: str = "bar"


@dataclass
class Report:
    title: str
    subtitle: str = ""
    figures: list[tuple[str, object, str]] = field(default_factory=list)  # (label, value, kind)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "figures": [
                {"label": label, "value": _json(value), "kind": kind}
                for label, value, kind in self.figures
            ],
            "tables": [
                {
                    "title": t.title,
                    "columns": [
                        {"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns
                    ],
                    "rows": [{k: _json(v) for k, v in row.items()} for row in t.rows],
                    "totals": {k: _json(v) for k, v in t.totals.items()} if t.totals else None,
                }
                for t in self.tables
            ],
            "charts": [
                {
                    "title": c.title,
                    "type": c.type,
                    "labels": [str(label) for label in c.labels],
                    "datasets": [
                        {"label": d["label"], "data": [float(v or 0) for v in d["data"]]}
                        for d in c.datasets
                    ],
                }
                for c in self.charts
            ],
            "notes": list(self.notes),
        }


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def table_cells(table: dict, row: dict) -> list:
    """A JSON row's cells in column order (for CSV and templates)."""
    return [row.get(c["key"]) for c in table["columns"]]
