"""Serializer helpers shared by the apps' API modules."""

from __future__ import annotations


def detail_meta(base, *extra: str) -> type:
    """The Meta of a read-only detail serializer: `base`'s fields and then `extra`.

    class InvoiceDetailSerializer(InvoiceSerializer):
        lines = InvoiceLineSerializer(many=True, read_only=True)
        Meta = detail_meta(InvoiceSerializer, "terms", "lines")
    """
    fields = [*base.Meta.fields, *extra]
    return type("Meta", (base.Meta,), {"fields": fields, "read_only_fields": fields})
