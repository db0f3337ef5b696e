"""The product list's runs (SKU, category, active) whose deep pages read their keys first
(apps.core.paged.KeysFirst, a "deferred join")."""

from __future__ import annotations

from apps.core.paged import KeysFirst
from apps.core.run_order import RunOrder


class RunsThenKeysFirst(RunOrder):
    """A RunOrder (the list sorted by SKU, category or active) whose pages past `most`,
    read with the one ORDER BY, read their keys first as the list's other deep pages do."""

    def __getitem__(self, key):
        slice_ = isinstance(key, slice) and key.stop is not None
        if slice_ and not self._paged(key.start or 0, key.stop):
            deep = KeysFirst(self.ordered)
            deep._count = self._count  # the pager's, if it counted
            return deep[key]
        return super().__getitem__(key)
