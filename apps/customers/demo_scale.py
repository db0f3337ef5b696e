"""Benchmark customers (`seed_demo --scale N`): about N/20 companies (at least 30), CUST
codes continuing the counter, in bulk (no contacts, no audit events)."""

from __future__ import annotations

from django.db import transaction

from apps.core.sequences import sequence_reserve

from .models import Customer, CustomerKind

SCALE_PREFIX = "Scale customer"


def scale_customers(scale: int) -> int:
    return max(scale // 20, 30)


def seed_scale(*, scale: int, stdout) -> None:
    want = scale_customers(scale)
    have = Customer.all_objects.filter(name__startswith=SCALE_PREFIX).count()
    if have >= want:
        return
    with transaction.atomic():
        start = sequence_reserve(name="CUST", count=want - have) - 1
        rows = [
            Customer(
                code=f"CUST-{start + i:05d}",
                kind=CustomerKind.COMPANY,
                name=f"{SCALE_PREFIX} {have + i:06d}",
                email=f"buyer{have + i}@scale.example",
                currency_id=("USD", "EUR", "GBP")[i % 3],
            )
            for i in range(1, want - have + 1)
        ]
        Customer.objects.bulk_create(rows, batch_size=5000)
    stdout.write(f"  {len(rows)} scale customers")
