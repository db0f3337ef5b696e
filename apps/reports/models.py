"""Reports (DESIGN.md §13): report runs with progress, and the dashboard's summary rows.

A ReportRun is one request for one report over one set of parameters. A django-q2 task
computes it (apps.reports.tasks) and writes progress into this table as it goes: django-q2
has no progress API. The result is kept as JSON (tables, charts, headline figures) and as
CSV and PDF files in private storage, served only through a view that checks the reader.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


def private_storage():
    """Report files are never public: served by ReportFileView after a permission check."""
    return storages["private"]


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED = (RunStatus.DONE, RunStatus.FAILED)


class ReportRun(models.Model):
    type = models.CharField(max_length=30, db_index=True)
    parameters = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    csv_file = models.FileField(storage=private_storage, upload_to="reports/%Y/%m/", blank=True)
    pdf_file = models.FileField(storage=private_storage, upload_to="reports/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["type", "-created_at"], name="reportrun_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reportrun_progress_lte_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reportrun-detail", args=[self.pk])

    @property
    def spec(self):
        from .registry import report_spec

        return report_spec(self.type)

    @property
    def title(self) -> str:
        spec = self.spec
        return spec.title if spec else self.type

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def period_text(self) -> str:
        p = self.parameters or {}
        if p.get("start") and p.get("end"):
            return f"{p['start']} – {p['end']}"
        return f"as of {p['end']}" if p.get("end") else ""


class DailyFigure(models.Model):
    """One closed day's total of one dashboard series (sales, seller charges), kept by
    `dashboard_refresh` so the dashboard reads 30 rows instead of scanning orders."""

    class Kind(models.TextChoices):
        SALES = "sales", "Sales"
        CHARGES = "charges", "Seller charges"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    day = models.DateField()
    key = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=200, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["kind", "day", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day", "key"], name="dailyfigure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.key}"


class Gauge(models.Model):
    """A current figure computed by `dashboard_refresh`: counts that would need a scan
    (customers, low-stock levels), stock by store, top products, the area cards' figures."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=200, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    data = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="gauge_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}={self.value}"
