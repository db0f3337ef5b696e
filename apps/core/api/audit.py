"""Audit log API (Admin): every recorded event, newest first, read only."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.models import AuditEvent

from .viewsets import ReadOnlyAreaViewSet

ADMINISTRATION = "administration"  # apps.accounts.roles.Area (core may not import it)


class AuditEventSerializer(serializers.ModelSerializer):
    subject_type = serializers.CharField(source="content_type.model", default="", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_repr",
            "ip_address",
            "action",
            "event",
            "subject_type",
            "object_id",
            "object_repr",
            "changes",
            "message",
        ]


class AuditEventViewSet(ReadOnlyAreaViewSet):
    area = ADMINISTRATION
    queryset = AuditEvent.objects.select_related("content_type")
    serializer_class = AuditEventSerializer
    filterset_fields = {
        "actor": ["exact"],
        "action": ["exact"],
        "event": ["exact"],
        "object_id": ["exact"],
        "created_at": ["gte", "lte"],
    }
    search_fields = ["event", "object_repr", "actor_repr", "message"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
