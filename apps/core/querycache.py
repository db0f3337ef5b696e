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

`kept(key, build)` is the same per-process store for other values built from a few inputs
(compiled SQL), without the two added inputs and the clone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

MAX_ENTRIES = 256  # per process; the oldest goes first (a store id per entry at most)

_built: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()
_NOTHING = object()


def kept(key: tuple[Hashable, ...], build: Callable[[], Any]) -> Any:
    """What `build()` returned for `key`, built once per process (the least recently used
    of MAX_ENTRIES goes first). The value is shared: callers must not change it."""
    with _lock:
        value = _built.get(key, _NOTHING)
        if value is not _NOTHING:
            _built.move_to_end(key)
    if value is _NOTHING:
        value = build()
        with _lock:
            _built[key] = value
            while len(_built) > MAX_ENTRIES:
                _built.popitem(last=False)
    return value


def built_once(key: tuple[Hashable, ...], build: Callable[[], QuerySet]) -> QuerySet:
    """A fresh clone of the queryset `build()` returned for `key` (and today's settings).

    The cached queryset itself is never evaluated: callers get `.all()` clones, so a
    filter, an order or a fetch on one request never reaches another."""
    from .models import CompanySettings

    full_key = (*key, CompanySettings.load().updated_at, timezone.localdate())
    return kept(full_key, build).all()


def forget_built() -> None:
    """Empty the cache (tests that change what a builder reads behind its key's back)."""
    with _lock:
        _built.clear()
