"""Forgotten password: Django's own reset flow by email (issue 13 item 9).

- No user enumeration: the answer is the same page whether or not the address belongs to
  an account (Django's PasswordResetView already behaves so; a throttled request too).
- Throttled: at most RESET_PER_EMAIL requests per address and RESET_PER_IP per client
  address in RESET_WINDOW. The count comes from the audit log (one event per request), so
  it holds across processes and machines without a shared cache.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import AuditEvent
from apps.core.request_context import client_ip

RESET_EVENT = "password_reset.requested"
RESET_PER_EMAIL = 3
RESET_PER_IP = 10
RESET_WINDOW = timedelta(hours=1)


def reset_allowed(*, email: str, ip: str | None) -> bool:
    recent = AuditEvent.objects.filter(
        event=RESET_EVENT, created_at__gte=timezone.now() - RESET_WINDOW
    )
    if recent.filter(changes__email=email).count() >= RESET_PER_EMAIL:
        return False
    return not (ip and recent.filter(ip_address=ip).count() >= RESET_PER_IP)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        form.cleaned_data["email"] = email
        allowed = reset_allowed(email=email, ip=client_ip(self.request))
        audit_record(
            event=RESET_EVENT,
            changes={"email": email},
            message="sent if the address has an account" if allowed else "throttled",
        )
        if not allowed:  # same answer as a sent mail: nothing tells the two apart
            return super(auth_views.PasswordResetView, self).form_valid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
