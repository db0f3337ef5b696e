"""`reverse()` of a detail URL for every row of a list, from one `reverse()` per URL name.

A list page links each of its rows to the row's own page: 25-50 `reverse()` calls per
column, each walking the resolver's possibilities for the name (~20 µs). The URL differs
from row to row only in its key, so the URL is reversed once with a marker key and the
row's key is written in its place (issue 14, "The fixed cost of a page").
"""

from __future__ import annotations

from uuid import UUID

from django.urls import get_script_prefix, get_urlconf, reverse

# A key no row has, whose text appears nowhere else in a URL; int and UUID keys are
# written by the path converters as str(key), which needs no quoting.
_MARKERS = {int: 918_273_645_546_372_819, UUID: UUID("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")}
_shapes: dict[tuple, tuple[str, ...]] = {}


def reverse_pk(viewname: str, pk) -> str:
    """`reverse(viewname, args=[pk])`, the same text, for an int or UUID key."""
    kind = type(pk)
    marker = _MARKERS.get(kind)
    if marker is None or (kind is int and pk < 0):
        return reverse(viewname, args=[pk])
    key = (viewname, kind, get_urlconf(), get_script_prefix())
    shape = _shapes.get(key)
    if shape is None:
        url = reverse(viewname, args=[marker])
        text = str(marker)
        shape = _shapes[key] = tuple(url.split(text)) if url.count(text) == 1 else ()
    if not shape:
        return reverse(viewname, args=[pk])
    return f"{shape[0]}{pk}{shape[1]}"


def pk_url(viewname: str):
    """`lambda pk: reverse_pk(viewname, pk)` with the URL's shape looked up once (a list's
    rows: the URL conf and script prefix are the same for the whole page)."""
    shapes: dict[type, tuple[str, ...]] = {}

    def url(pk) -> str:
        kind = type(pk)
        shape = shapes.get(kind)
        if shape is None:
            marker = _MARKERS.get(kind)
            if marker is None:
                return reverse_pk(viewname, pk)
            parts = tuple(reverse_pk(viewname, marker).split(str(marker)))
            shape = shapes[kind] = parts if len(parts) == 2 else ()
        if not shape or (kind is int and pk < 0):
            return reverse_pk(viewname, pk)
        return f"{shape[0]}{pk}{shape[1]}"

    return url
