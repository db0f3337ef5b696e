"""Dunning: reminder levels and the reminders sent (DESIGN.md §11, issue 9 item 4).

A level says how many days after the due date it is due, what fee it charges (its own
small invoice, never an edit of the reminded one) and what the email says. A `Reminder`
row is one level sent for one invoice: UNIQUE (invoice, level), so however often or
however concurrently the daily job runs, a level goes out at most once per invoice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.core.models import BaseModel
from apps.finance.fields import money_field

from .documents import Invoice


class DunningLevel(BaseModel):
    name = models.CharField(max_length=100, help_text='e.g. "First reminder".')
    days_after_due = models.PositiveSmallIntegerField(
        "days after due date",
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Sent once the invoice is this many days past its due date "
        "(counted in the company's time zone).",
    )
    fee = money_field(
        default=0,
        help_text="Charged in the invoice's currency as its own small invoice; 0 for none.",
    )
    subject = models.CharField("email subject", max_length=200)
    body = models.TextField(
        "email text",
        help_text="Placeholders: {customer} {number} {issue_date} {due_date} {days_overdue} "
        "{total} {open_amount} {currency} {fee} {level} {company}.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["days_after_due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["days_after_due"],
                condition=Q(deleted_at__isnull=True),
                name="dunning_level_days_unique",
                violation_error_message="Another level is already due on that day.",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="dunning_level_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(days_after_due__gte=1), name="dunning_level_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (+{self.days_after_due} d)"

    def get_absolute_url(self) -> str:
        return reverse("dunning-level-update", args=[self.pk])


class ReminderTrigger(models.TextChoices):
    JOB = "job", "Daily job"
    MANUAL = "manual", "Sent by hand"


class Reminder(models.Model):
    """One dunning level sent for one invoice (never twice: UNIQUE invoice x level)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    level = models.ForeignKey(DunningLevel, on_delete=models.PROTECT, related_name="reminders")
    sent_on = models.DateField(help_text="The company-time-zone day it was sent.")
    days_overdue = models.PositiveIntegerField()
    open_amount = money_field(help_text="What was still open when it was sent.")
    fee_invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="fee_for_reminder"
    )
    to = models.CharField(max_length=254, blank=True)
    trigger = models.CharField(max_length=10, choices=ReminderTrigger.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["-sent_on", "-id"], name="reminder_sent_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "level"], name="reminder_once_per_invoice_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level.name} for {self.invoice}"
