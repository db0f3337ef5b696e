"""Demo books: the chart (also created by migration) and an opening balance entry."""

import datetime as dt

from django.utils import timezone

from . import chart
from .models import JournalEntry
from .services import Cr, Dr, journal_post

OPENING_REFERENCE = "OPENING"


def seed(*, stdout) -> None:
    created = chart.chart_ensure()
    if created:
        stdout.write(f"  {created} ledger accounts")
    if JournalEntry.objects.filter(reference=OPENING_REFERENCE).exists():
        return
    journal_post(
        date=timezone.localdate() - dt.timedelta(days=90),
        memo="Opening balances",
        reference=OPENING_REFERENCE,
        lines=[
            Dr(chart.CASH, "5000.00"),
            Dr(chart.BANK, "250000.00"),
            Cr(chart.OPENING_BALANCE_EQUITY, "255000.00"),
        ],
        rate=1,
    )
    stdout.write("  opening balance entry")
