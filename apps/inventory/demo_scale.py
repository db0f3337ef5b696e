"""Benchmark stock (`seed_demo --scale N`): about 10 movements per scale product over a
year in three stores, replayed by demo.py's plain ledger (the services' rules) and written
with COPY on PostgreSQL, with the tables' plain indexes built once after the load (those of
the tables loaded before added back while the history is replayed).

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
from apps.core.bulkload_indexes import load_deferred, restore_meanwhile

from .demo import Ledger, _history, _items, _stores, _user_ids
from .models import StockLevel, StockMovement

# what this builder loads (seed_demo: the builders before it leave these tables alone)
WRITTEN = (StockMovement, StockLevel)


def seed_scale(*, scale: int, stdout) -> None:
    stores = [s.pk for s in _stores().values()]
    todo = Product.all_objects.filter(sku__startswith=SCALE_PREFIX).filter(
        ~Exists(StockLevel.objects.filter(product=OuterRef("pk")))
    )
    items = _items(todo)
    if not items:
        return
    ledger, users = Ledger(), _user_ids()
    # the history is replayed without the database: meanwhile the indexes and keys of the
    # tables loaded before (the credit log) are added back; the rest waits for the next
    # builder that computes (invoicing)
    with restore_meanwhile(*WRITTEN, finish=False):
        _history(
            ledger, items, stores, days=365, rng=random.Random(scale), users=users, intensity=6
        )
    with transaction.atomic(), load_deferred(StockMovement, StockLevel):
        total = ledger.write()
    stdout.write(f"  {total} scale stock movements")
