"""Demo exchange rates (to USD) for the last 120 days and the usual tax rates."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from .models import ExchangeRate, TaxRate

# Units of USD per unit of currency, roughly.
BASE_RATES = {
    "EUR": "1.0850",
    "GBP": "1.2700",
    "JPY": "0.0067",
    "CHF": "1.1300",
    "CAD": "0.7300",
    "KWD": "3.2500",
}
TAXES = [("Standard 20%", "20"), ("Reduced 5%", "5"), ("Zero rated", "0")]


def seed(*, stdout) -> None:
    for name, rate in TAXES:
        TaxRate.objects.get_or_create(name=name, defaults={"rate": Decimal(rate)})
    today = timezone.localdate()
    existing = set(
        ExchangeRate.all_objects.filter(date__gte=today - dt.timedelta(days=120)).values_list(
            "currency_id", "date"
        )
    )
    rows = []
    for code, base in BASE_RATES.items():
        base = Decimal(base)
        for days_ago in range(120, -1, -1):
            date = today - dt.timedelta(days=days_ago)
            if (code, date) in existing:
                continue
            # a gentle, deterministic wiggle so charts have something to show
            wiggle = Decimal(((days_ago * 37) % 21) - 10) / Decimal(1000)
            rows.append(
                ExchangeRate(
                    currency_id=code,
                    date=date,
                    rate=(base * (1 + wiggle)).quantize(Decimal("0.00000001")),
                )
            )
    ExchangeRate.objects.bulk_create(rows, batch_size=500)
    if rows:
        stdout.write(f"  {len(rows)} exchange rates")
