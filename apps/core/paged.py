"""What a list read a page at a time in its own way (inventory's StoreStockOrder and
RunOrder, catalog's KeysFirst) shows
django-tables2: slicing (its paginator), `count()`, `len()` and `model`; iteration (the
CSV export) reads the plain ordered queryset."""

from __future__ import annotations

from django.db.models import QuerySet


class PagedOrder:
    """Subclasses set `queryset` (the filtered rows), `ordered` (the same rows in the whole
    order the pages stand for) and write `_page(start, stop)`; `_paged(start, stop)` may send
    a slice to `ordered` instead (e.g. deep pages, where one sort costs less)."""

    queryset: QuerySet
    ordered: QuerySet
    _count: int | None = None

    @property
    def model(self):
        return self.queryset.model

    def count(self) -> int:
        """The rows' count, kept: the pager counts first, and a page near the end reads it
        again to read itself from the other end (catalog's KeysFirst, StoreStockOrder)."""
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self.ordered)

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                raise ValueError("Negative indexing is not supported.")
            rows = self[key : key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        if key.step is not None or (key.start or 0) < 0 or (key.stop or 0) < 0:
            raise ValueError("Only forward slices without a step are supported.")
        start = key.start or 0
        if key.stop is None or not self._paged(start, key.stop):
            return list(self.ordered[key])
        if key.stop <= start:
            return []
        return self._page(start, key.stop)

    def _paged(self, start: int, stop: int) -> bool:
        return True

    def _page(self, start: int, stop: int) -> list:
        raise NotImplementedError
