"""Querysets built once per process and cloned for each request.

A list's base queryset (its annotations: the base-currency value, the stock status, the
running balance, ...) costs 0.5-2 ms of Python to build on every request, while a clone of
a built one costs ~5 µs (docs/performance.md, "Base querysets built once"). This is the
pattern of a class-level `queryset` attribute of a Django generic view, which is cloned
with `.all()` per request, extended to querysets that depend on a few inputs.

The key must name every input the builder reads, except the two this module adds itself:
the company settings (through their `updated_at`: the base currency, the default low-stock
threshold and the time zone all live there) and today's date in the active time zone.
A builder must not read the request, the user or anything else outside its key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.db.models import QuerySet
from django.utils import timezone

MAX_ENTRIES = 256  # per process; the oldest goes first (a store id per entry at most)

_built: OrderedDict[tuple, QuerySet] = OrderedDict()
_lock = threading.Lock()


def built_once(key: tuple[Hashable, ...], build: Callable[[], QuerySet]) -> QuerySet:
    """A fresh clone of the queryset `build()` returned for `key` (and today's settings).

    The cached queryset itself is never evaluated: callers get `.all()` clones, so a
    filter, an order or a fetch on one request never reaches another."""
    from .models import CompanySettings

    full_key = (*key, CompanySettings.load().updated_at, timezone.localdate())
    with _lock:
        queryset = _built.get(full_key)
        if queryset is not None:
            _built.move_to_end(full_key)
    if queryset is None:
        queryset = build()
        with _lock:
            _built[full_key] = queryset
            while len(_built) > MAX_ENTRIES:
                _built.popitem(last=False)
    return queryset.all()


def forget_built() -> None:
    """Empty the cache (tests that change what a builder reads behind its key's back)."""
    with _lock:
        _built.clear()
