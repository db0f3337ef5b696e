"""Core building blocks: the abstract base model, company settings, audit log, check runs."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from . import reference
from .request_context import current_user, request_memo
from .sql import Rows, first_values


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """Default manager: hides soft-deleted rows."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllObjectsManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """Sees every row, deleted or not (restore screens, history)."""


class BaseModel(models.Model):
    """Timestamps, who created/updated, soft delete and free-text notes for every record.

    `objects` hides soft-deleted rows, `all_objects` shows them; related-object access
    (`movement.product`) uses the plain base manager, so history keeps pointing at
    deleted rows.
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(blank=True)

    objects = AliveManager()
    all_objects = AllObjectsManager()

    audit_log = True  # create/update/delete land in the audit log (core.signals)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        user = current_user()
        if user is not None:
            if self._state.adding and self.created_by_id is None:
                self.created_by = user
            self.updated_by = user
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "updated_by", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        """Hide the row from `objects`; nothing is removed from the database."""
        if self.deleted_at is None:
            self.deleted_at = timezone.now()
            self.save(update_fields=["deleted_at"])

    def restore(self) -> None:
        if self.deleted_at is not None:
            self.deleted_at = None
            self.save(update_fields=["deleted_at"])


class NumberSequence(models.Model):
    """One counter row per numbering series ("CUST", "SO-2026", "INV-2026").

    Incremented with an UPDATE inside the issuing transaction (see
    `apps.core.sequences.sequence_next`): the row stays locked until that transaction ends,
    so numbers are unique and, because a rollback also rolls the counter back, gapless.
    """

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class PendingIndex(models.Model):
    """An index a bulk load (`seed_demo --scale`) committed its rows without, to be built
    right after the commit (apps/core/bulkload_indexes.py, `restore_pending`): each row
    goes in the transaction that builds its index, so an index is either built or still
    listed here, and the next `seed_demo` builds what a stopped one left."""

    statement = models.TextField(unique=True)
    table = models.CharField(max_length=63)
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.statement[:80]


class ReferenceStamp(models.Model):
    """One row whose value a trigger replaces in every transaction that changes a reference
    table (`apps.core.reference.STAMPED_TABLES`: company settings, content types, stores,
    categories, currencies, users and roles): the processes' kept copies of those lists
    are good while it stays the same."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="reference_stamp_one")]

    def __str__(self) -> str:
        return f"reference stamp {self.value}"


def time_zone_validator(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value} is not a time zone name (e.g. Europe/Paris).") from exc


currency_code_validator = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code.")


class CompanySettings(BaseModel):
    """The one row of company-wide settings (pk=1)."""

    name = models.CharField(max_length=200, default="Demo Trading Ltd")
    address = models.TextField(blank=True)
    tax_id = models.CharField("tax ID", max_length=50, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # An ISO code rather than a foreign key: core sits below finance (DESIGN.md §3).
    base_currency = models.CharField(
        max_length=3, default="USD", validators=[currency_code_validator]
    )
    logo = models.ImageField(upload_to="company/", blank=True)
    default_low_stock_threshold = models.PositiveIntegerField(
        default=10, validators=[MaxValueValidator(1_000_000)]
    )
    invoice_terms = models.TextField(blank=True, default="Payment due within 30 days.")
    invoice_due_days = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(0), MaxValueValidator(365)]
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[time_zone_validator],
        help_text="IANA name, e.g. Europe/Paris: due dates and overdue days are counted here.",
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="1 = January. Invoice numbers restart with each fiscal year.",
    )
    # What invoices print about the company (PDF and Factur-X seller block).
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(
        "country", max_length=2, blank=True, help_text="ISO 3166 two-letter code, e.g. FR."
    )
    registration_id = models.CharField(
        "company registration",
        max_length=50,
        blank=True,
        help_text="e.g. the company register number.",
    )
    bank_name = models.CharField(max_length=100, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    portal_orders_auto_confirm = models.BooleanField(
        "confirm portal orders automatically",
        default=False,
        help_text="When off, orders placed in the customer portal wait as drafts for Sales.",
    )
    bank_auto_apply = models.BooleanField(
        "apply exact bank matches automatically",
        default=False,
        help_text="A statement line whose RF reference or invoice numbers name open invoices "
        "adding up to exactly its amount is recorded as a payment on import; everything else "
        "waits for a person.",
    )

    class Meta:
        verbose_name = "company settings"
        verbose_name_plural = "company settings"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="company_singleton")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> CompanySettings:
        """The settings row; read once per GET request (several parts of a page ask)."""
        memo = request_memo()
        obj = memo.get(cls) if memo is not None else None
        if obj is None:
            rows, row = reference.cached(
                cls._meta.db_table, "core.settings", functools.partial(_settings_row, cls)
            )
            obj = rows.build(row) if row is not None else cls.objects.get_or_create(pk=1)[0]
            if memo is not None:
                memo[cls] = obj
        return obj

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or "UTC")

    def today(self) -> dt.date:
        """Today's date in the company's time zone (due dates, overdue)."""
        return timezone.now().astimezone(self.zone).date()

    def fiscal_year(self, date: dt.date) -> int:
        """The fiscal year a date falls in, named by the calendar year it starts in."""
        return date.year if date.month >= self.fiscal_year_start_month else date.year - 1


_SETTINGS_WHERE = "c.id = 1 AND c.deleted_at IS NULL"


def _settings_row(model) -> tuple[Rows, tuple | None]:
    """`model.objects.filter(pk=1).first()` with its SQL written out (every page reads it),
    as the database gives the row: kept across requests (apps.core.reference), it is built
    into a new instance for each request."""
    return first_values(model, "c", _SETTINGS_WHERE)


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    SOFT_DELETE = "soft_delete", "Moved to trash"
    RESTORE = "restore", "Restored"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Login failed"
    BUSINESS = "business", "Business action"


class AuditEvent(models.Model):
    """Append-only record of who did what to which object, from where."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        db_index=False,  # audit_actor_idx (actor, -created_at) serves every actor lookup
    )
    actor_repr = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    event = models.CharField(max_length=80, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # audit_subject_idx (content_type, object_id) serves it
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Every charge, confirm and stock move writes an event: only the indexes a filter or
        # lookup uses (action and event as plain indexes, without the varchar_pattern_ops
        # twin `db_index=True` adds on PostgreSQL, which serves only LIKE 'prefix%'), none
        # that a composite one's leading column already covers (docs/performance.md).
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_subject_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
            models.Index(fields=["event"], name="audit_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}".strip()


class BooksCheckRun(models.Model):
    """The outcome of one `check_books` run (the Accountant's verification page)."""

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    ok = models.BooleanField()
    duration_ms = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list)
    triggered_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'FAILED'}"


class IdempotencyStatus(models.TextChoices):
    RUNNING = "running"
    DONE = "done"


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` (API header or a staff form's hidden key) and what it answered.

    Unique per principal and key: a replay returns the stored response, the same key on
    another route or with another body is refused (422), and a replay while the first
    request still runs answers 409 (apps.core.idempotency).
    """

    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=64)
    route = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=IdempotencyStatus.choices, default=IdempotencyStatus.RUNNING
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_location = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_principal_key")
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
