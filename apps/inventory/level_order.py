"""The stock list's sorts by store, category and alert level, a page at a time from runs:
`RunOrder` lives in apps/core/run_order.py (the order list and the product list read
runs too, and the catalog sits below inventory)."""

from django.db.models import Q, QuerySet

from apps.core.run_order import RunOrder

from .selectors import store_ids_by_name

__all__ = ["RunOrder", "by_store"]


def by_store(
    queryset: QuerySet, *, then: str, descending: bool, read: dict | None = None
) -> RunOrder:
    """`queryset` (rows with a `store`) ordered by the store's name, then `then` (unique
    within a store): one run per store in name order, each read in `then` order from an
    index on (store, then) or as the store's few rows sorted, instead of joining and
    sorting every row by its store's name. `read` {store id: (condition, order)} reads
    those stores' runs narrowed by a condition all their rows meet and sorted by `order`
    (the same order as `then`, as names of `queryset`)."""
    stores = store_ids_by_name()
    if descending:
        stores.reverse()
    read = read or {}
    parts = [
        (i, Q(store_id=pk) & read[pk][0], read[pk][1]) if pk in read else (i, Q(store_id=pk))
        for i, pk in enumerate(stores)
    ]
    return RunOrder(
        queryset,
        parts=parts,
        within=(then,),
        keys=(then,),
        order=("store__name", then),
        descending=descending,
    )
