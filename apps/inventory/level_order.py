"""The stock list's sorts by store, category and alert level, a page at a time from runs:
`RunOrder` lives in apps/core/run_order.py (the order list and the product list read
runs too, and the catalog sits below inventory)."""

from django.db.models import Q, QuerySet

from apps.core.run_order import RunOrder

from .selectors import store_ids_by_name

__all__ = ["RunOrder", "by_store"]


def by_store(queryset: QuerySet, *, then: str, descending: bool) -> RunOrder:
    """`queryset` (rows with a `store`) ordered by the store's name, then `then` (unique
    within a store): one run per store in name order, each read in `then` order from an
    index on (store, then) or as the store's few rows sorted, instead of joining and
    sorting every row by its store's name."""
    stores = store_ids_by_name()
    if descending:
        stores.reverse()
    return RunOrder(
        queryset,
        parts=[(i, Q(store_id=pk)) for i, pk in enumerate(stores)],
        within=(then,),
        keys=(then,),
        order=("store__name", then),
        descending=descending,
    )
