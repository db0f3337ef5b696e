"""Pages: limit/offset everywhere, cursor pages for the append-only logs (movements,
journal lines, the seller transaction log), where offsets get slow and shift under inserts."""

from rest_framework.pagination import CursorPagination, LimitOffsetPagination


class LimitOffsetPages(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


class CursorPages(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500
    ordering = ("-created_at", "-pk")
