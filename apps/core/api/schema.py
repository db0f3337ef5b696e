"""OpenAPI: the problem+json component on every operation, the status codes each can
really answer, the Idempotency-Key header, strict decimal strings for money."""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .problems import CONTENT_TYPE

DECIMAL_PATTERN = r"^-?\d{1,16}\.\d{2}$"


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()), required=False
    )


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string of 1-64 characters. A replay returns the first response "
        "(header Idempotent-Replayed: true); the same key with another body answers 422; "
        "while the first request runs, 409."
    ),
)


class Schema(AutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # A viewset whose `list` answers one object (dashboard, trial balance).
        if getattr(self.view, "single_object", False):
            return False
        return super()._is_list_view(serializer)

    def _is_idempotent(self) -> bool:
        action = getattr(self.view, "action", None)
        handler = getattr(self.view, action, None) if action else None
        return bool(getattr(handler, "idempotent", False))

    def _has_query(self) -> bool:
        """Filters or declared query parameters: a bad value answers 400."""
        if self._get_filter_parameters():
            return True
        return any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self._is_idempotent():
            params.append(IDEMPOTENCY_HEADER)
        return params

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "429", "503"]  # 503: database busy, retry (core.middleware)
        method = self.method.upper()
        detail = "{" in self.path
        if method in ("POST", "PUT", "PATCH") or self._has_query():
            codes.append("400")
        if detail or method == "GET":
            codes.append("404")
        if method == "DELETE":
            codes.append("409")
        if self._is_idempotent():
            codes += ["409", "422"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ProblemSerializer, code, media_types=[CONTENT_TYPE]
                )
        return responses


_DEFAULT_DECIMAL = re.compile(r"\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)")


def postprocess(result, generator, request, public):
    """Decimals in responses (money, rates, quantities of money) are strings with exactly
    the stored places, e.g. "12.50"; requests keep the lenient default ("12.5", "12")."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            continue
        for prop in (schema.get("properties") or {}).values():
            if prop.get("format") != "decimal" or prop.get("type") != "string":
                continue
            found = _DEFAULT_DECIMAL.search(prop.get("pattern", ""))
            if found:
                whole, places = found.groups()
                prop["pattern"] = rf"^-?\d{{1,{whole}}}\.\d{{{places}}}$"
    return result
