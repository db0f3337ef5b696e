"""The audit log's search on PostgreSQL: trigram indexes on the object, the event and, for
the events that have one, the message (AuditEventFilter.search, apps/core/search.py)."""

from django.db import migrations

from apps.core.trigram import Trigram, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_reference_stamp"),
    ]

    operations = [
        trigram_indexes(
            Trigram("audit_object_trgm", "core_auditevent", "object_repr"),
            Trigram("audit_event_trgm", "core_auditevent", "event"),
            Trigram("audit_message_trgm", "core_auditevent", "message", where="message <> ''"),
        )
    ]
