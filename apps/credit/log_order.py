"""The credit lists a page at a time: the transaction log sorted by seller
(TransactionTable.order_seller), the top-up queue by its keys first (keys_first, at the end).

`ORDER BY seller.company, seller.id, log.created_at, log.id LIMIT 51` over the join of every
log row with its seller cannot stop early: no index of the log holds the seller's name, so
PostgreSQL joined and sorted all 1,000,000 rows for each page (~450 ms on an idle machine).
The same order is the sellers in name order, each seller's rows in time order: the sellers
(a thousand rows, sorted in memory) are walked in that order and each one's rows are read
from the log's `(seller, -created_at)` index (a LATERAL subquery, up to the page's end), so
PostgreSQL reads the first sellers until the page is full (an incremental sort keeps the
sellers' order and sorts only within a seller). One statement picks the page's keys; the
rows are then read with the list's columns and sorted (n rows) the same way.

PostgreSQL only (SQLite has no LATERAL): elsewhere, and for a list narrowed by a search or
to some sellers (most sellers would then be probed for few rows each), the plain ORDER BY.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from apps.core.paged import KeysFirst, PagedOrder
from apps.core.paged import keys_first as deep_keys_first

from .models import Seller

# The column's order (TransactionTable.seller): the whole order, ending with the key.
SELLER_ORDER = ("seller__company", "seller_id", "created_at", "id")


class SellerOrder(PagedOrder):
    """`queryset` (log rows) in SELLER_ORDER (each key descending when `descending`)."""

    def __init__(self, queryset: QuerySet, *, descending: bool, walk: bool = True):
        self.queryset = queryset
        self.descending = descending
        self.walk = walk
        sign = "-" if descending else ""
        self.ordered = queryset.order_by(*(sign + key for key in SELLER_ORDER))

    def _paged(self, start: int, stop: int) -> bool:
        return self.walk and connection.vendor == "postgresql"

    def _page(self, start: int, stop: int) -> list:
        sign, direction = ("-", "DESC") if self.descending else ("", "ASC")
        # the seller's rows: every filter of the list, and this seller (s, the outer row)
        rows = (
            self.queryset.filter(seller_id=RawSQL("s.id", ()))
            .order_by(sign + "created_at", sign + "id")
            .values_list("id", "created_at")
        )
        try:
            rows_sql, rows_params = rows.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing
            return list(self.ordered[start:stop])
        sellers = connection.ops.quote_name(Seller._meta.db_table)
        sql = (
            f"SELECT l.id FROM (SELECT id, company FROM {sellers}"
            f" ORDER BY company {direction}, id {direction}) s"
            f" CROSS JOIN LATERAL ({rows_sql} LIMIT %s) l"
            f" ORDER BY s.company {direction}, s.id {direction},"
            f" l.created_at {direction}, l.id {direction} LIMIT %s OFFSET %s"
        )
        params = (*rows_params, stop, stop - start, start)
        return list(self.ordered.filter(pk__in=RawSQL(sql, params)))


class EveryPageKeysFirst(KeysFirst):
    """The product list's keys-first pages (apps/core/paged.py) from the first page on:
    the top-up queue sorted its 18,000 requests joined to their sellers and deciders with
    every column (~300 bytes a row) for 25 of them, 90-120 ms a page; the keys alone
    (the key and what the order reads) ~10, then 25 rows by their keys. The second half
    of the list reads its keys from the other end (KeysFirst), from the first page on:
    the paginator counts the requests anyway."""

    def _paged(self, start: int, stop: int) -> bool:
        return True

    def _from_the_end(self) -> int:
        return 0


def keys_first(data):
    """`data` read a page at a time by its keys first where its order ends with the key."""
    return EveryPageKeysFirst(data) if isinstance(deep_keys_first(data), KeysFirst) else data
