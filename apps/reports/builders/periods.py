"""Period keys and date chunks shared by the period reports."""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def period_expression(by: str, field: str):
    return PERIODS[by](field)


def period_label(value, by: str) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if by == "month":
        return value.strftime("%Y-%m")
    if by == "week":
        year, week, _ = value.isocalendar()
        return f"{year}-W{week:02d}"
    return value.isoformat()


def chunks(start: dt.date, end: dt.date, parts: int = 20) -> list[tuple[dt.date, dt.date]]:
    """Split [start, end] into at most `parts` consecutive ranges: a report reads one range
    at a time and reports progress after each."""
    days = (end - start).days + 1
    if days <= 0:
        return []
    size = max(1, -(-days // parts))
    out = []
    day = start
    while day <= end:
        last = min(day + dt.timedelta(days=size - 1), end)
        out.append((day, last))
        day = last + dt.timedelta(days=1)
    return out


def stepper(progress, steps: int, start: int = 0, stop: int = 90):
    """progress(pct) after each of `steps` steps, spread over [start, stop]."""
    steps = max(steps, 1)

    def step(done: int) -> None:
        progress(start + (stop - start) * done // steps)

    return step
