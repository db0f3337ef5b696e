"""Demo data: a few report runs (so /reports/ shows something on a fresh `make run`) and
the summary tables (the daily sales figures are rebuilt from the orders first, as after any
bulk load). The runs are queued like a user's: the worker computes them (and renders their
PDFs) in its first seconds, so loading the demo does not wait for seven PDF renders
(issue 12)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import ReportRun
from .services import report_run_request
from .summary import summaries_rebuild


def demo_runs(today: dt.date) -> list[tuple[str, dict]]:
    month = today.replace(day=1)
    year = today.replace(month=1, day=1)
    return [
        ("sales", {"start": month.isoformat(), "end": today.isoformat(), "group_by": "day"}),
        ("profit_loss", {"start": year.isoformat(), "end": today.isoformat()}),
        ("balance_sheet", {"end": today.isoformat()}),
        ("seller_credit", {"start": year.isoformat(), "end": today.isoformat()}),
        ("tax", {"start": year.isoformat(), "end": today.isoformat()}),
        ("ar_aging", {"end": today.isoformat()}),
        ("stock_valuation", {"end": today.isoformat(), "group_by": "store"}),
    ]


def seed(*, stdout=None) -> None:
    summaries_rebuild()
    if not ReportRun.objects.exists():
        for type_, params in demo_runs(timezone.localdate()):
            report_run_request(type=type_, parameters=params)
