"""The administration screens (Admin role; DESIGN.md §7 "users, company settings, audit
log"), the trash, the job list and the books check, built from apps.core.views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from .columns import OptionalColumn
from .permissions import AreaRequiredMixin
from .views import BackofficeListView, BackofficeUpdateView, HtmxPartialMixin, PageContextMixin

ADMINISTRATION = "administration"
LEDGER = "ledger"


class CompanySettingsView(BackofficeUpdateView):
    area = ADMINISTRATION
    need = "write"
    title = "Company settings"
    submit_label = "Save settings"
    success_message = "Company settings saved."

    def get_form_class(self):
        from .forms import CompanySettingsForm

        return CompanySettingsForm

    def get_object(self, queryset=None):
        from .models import CompanySettings

        return CompanySettings.load()

    def perform(self, form):
        from .company import company_settings_save

        return company_settings_save(form=form)

    def get_success_url(self):
        return reverse("company-settings")


class UserLookupView(AreaRequiredMixin, View):
    """<option>s for the audit log's "Who" <datalist>: type a login or a name."""

    area = ADMINISTRATION
    need = "write"

    def get(self, request):
        from django.shortcuts import render

        from .filters import user_label, users_matching

        text = (request.GET.get("q") or request.GET.get("actor") or "").strip()
        users = (
            users_matching(text).only("full_name", "email").order_by("email")[:20] if text else []
        )
        labels = [user_label(user) for user in users]
        return render(request, "core/_options.html", {"labels": labels})


class AuditEventListView(BackofficeListView):
    area = ADMINISTRATION
    need = "write"
    title = "Audit log"
    template_name = "core/audit_list.html"
    paginate_by = 50
    lazy_pages = True
    empty_text = "No audit events match these filters."
    optional_columns = (
        OptionalColumn("ip_address", "IP", default=False),
        OptionalColumn("event", "Event"),
        OptionalColumn("content_type", "Type"),
    )

    def get_queryset(self):
        from .models import AuditEvent

        return AuditEvent.objects.select_related("content_type")

    def get_filterset_class(self):
        from .filters import AuditEventFilter

        return AuditEventFilter

    def get_table_class(self):
        from .tables import AuditEventTable

        return AuditEventTable


class JobListView(AreaRequiredMixin, PageContextMixin, HtmxPartialMixin, TemplateView):
    area = ADMINISTRATION
    need = "write"
    title = "Jobs"
    template_name = "core/jobs.html"
    partial_name = "jobs"

    def get_context_data(self, **kwargs):
        from django_q.models import Failure

        from .jobs import job_title, schedule_rows

        context = super().get_context_data(**kwargs)
        context["rows"] = schedule_rows()
        failures = list(Failure.objects.order_by("-stopped")[:20])
        for failure in failures:
            failure.title = job_title(failure.group or failure.name)
        context["failures"] = failures
        return context

    def post(self, request, *args, **kwargs):
        """Run one declared schedule now (queued to the worker)."""
        from .jobs import schedule_run_now

        name = schedule_run_now(schedule_id=request.POST.get("schedule", ""))
        if name is None:
            messages.error(request, "Unknown schedule.")
        else:
            messages.success(request, f"“{name}” queued; the worker runs it within seconds.")
        return redirect("job-list")


class BooksCheckView(AreaRequiredMixin, PageContextMixin, HtmxPartialMixin, TemplateView):
    """The last `check_books` verification, and a button to run it again in the worker."""

    area = LEDGER
    title = "Books check"
    template_name = "core/books_check.html"
    partial_name = "result"

    def get_context_data(self, **kwargs):
        from .models import BooksCheckRun

        context = super().get_context_data(**kwargs)
        context["run"] = BooksCheckRun.objects.first()
        context["history"] = BooksCheckRun.objects.only(
            "ran_at", "ok", "duration_ms", "triggered_by"
        )[:10]
        return context

    def post(self, request, *args, **kwargs):
        from .jobs import books_check_request

        books_check_request(by=request.user)
        messages.success(
            request, "Verification queued. This page refreshes when the result arrives."
        )
        return redirect("books-check")


class TrashView(AreaRequiredMixin, PageContextMixin, TemplateView):
    """Soft-deleted records; Admin restores them (POST)."""

    area = ADMINISTRATION
    need = "write"
    title = "Trash"
    template_name = "core/trash.html"

    def get_context_data(self, **kwargs):
        from .trash import trash_rows

        context = super().get_context_data(**kwargs)
        context["rows"] = trash_rows()
        return context

    def post(self, request, *args, **kwargs):
        from django.core.exceptions import ObjectDoesNotExist

        from .trash import trash_restore

        try:
            obj = trash_restore(label=request.POST.get("model", ""), pk=request.POST.get("pk", ""))
        except (LookupError, ObjectDoesNotExist, ValueError, ValidationError):
            messages.error(request, "That record is not in the trash (already restored?).")
        else:
            messages.success(request, f"{obj} restored.")
        return redirect("trash")
