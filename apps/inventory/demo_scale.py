"""Benchmark stock (`seed_demo --scale N`): about 10 movements per scale product over a
year in three stores, replayed by demo.py's plain ledger (the services' rules) and written
with COPY on PostgreSQL, with the tables' plain indexes built once after the load.

One ledger for all products, sorted by time before writing, so ids follow time as they do
in real use (the movement list pages by id). Products that already have stock are
skipped, so running it twice adds nothing.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.db.models import Exists, OuterRef

from apps.catalog.demo import SCALE_PREFIX
from apps.catalog.models import Product
from apps.core.bulkload_indexes import load_deferred

from .demo import Ledger, _history, _items, _stores, _user_ids
from .models import StockLevel, StockMovement


def seed_scale(*, scale: int, stdout) -> None:
    stores = [s.pk for s in _stores().values()]
    todo = Product.all_objects.filter(sku__startswith=SCALE_PREFIX).filter(
        ~Exists(StockLevel.objects.filter(product=OuterRef("pk")))
    )
    items = _items(todo)
    if not items:
        return
    ledger = Ledger()
    _history(
        ledger, items, stores, days=365, rng=random.Random(scale), users=_user_ids(), intensity=6
    )
    with transaction.atomic(), load_deferred(StockMovement, StockLevel):
        total = ledger.write()
    stdout.write(f"  {total} scale stock movements")
