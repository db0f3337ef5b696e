"""Reports screens: the dashboard, the list of runs with each report's form, a run's page
(progress polled with htmx, then the result with charts and downloads) and its files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from apps.accounts.roles import Area, is_portal_user
from apps.core.permissions import AreaRequiredMixin
from apps.core.views import BackofficeListView, HtmxPartialMixin, PageContextMixin

from .dashboard import dashboard_for
from .exports import PDF_ROWS
from .filters import ReportRunFilter
from .models import ReportRun, RunStatus
from .registry import allowed_types, report_spec, specs_for
from .services import report_run_request
from .tables import ReportRunTable


class DashboardView(AreaRequiredMixin, PageContextMixin, TemplateView):
    """The landing page: headline figures, charts and one card per area the role may see."""

    area = Area.LEDGER
    need = "figures"
    title = "Dashboard"
    template_name = "reports/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_portal_user(request.user):
            return redirect("portal-home")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = dashboard_for(self.request.user)
        context["board"] = board
        context["cards"] = board.cards
        context["charts_data"] = [chart["data"] for chart in board.charts]
        return context


class ReportsArea:
    area = Area.LEDGER
    need = "figures"


class ReportRunListView(ReportsArea, BackofficeListView):
    title = "Reports"
    template_name = "reports/report_list.html"
    table_class = ReportRunTable
    filterset_class = ReportRunFilter
    lazy_pages = True
    export_filename = "report-runs"
    empty_text = "No reports have been run yet. Pick a report above to run one."

    def get_queryset(self):
        return ReportRun.objects.filter(type__in=allowed_types(self.request.user)).select_related(
            "requested_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["specs"] = specs_for(self.request.user)
        return context


class ReportCreateView(ReportsArea, AreaRequiredMixin, PageContextMixin, FormView):
    """The form of one report type (?type=...); submitting queues a run and opens its page."""

    template_name = "reports/report_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.spec = report_spec(request.GET.get("type") or request.POST.get("type") or "")
        if self.spec is None:
            raise Http404("Unknown report type.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.spec.allowed(request.user):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.spec.allowed(request.user):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_title(self) -> str:
        return f"Run the {self.spec.title.lower()} report"

    def get_form_class(self):
        return self.spec.form_class

    def get_initial(self):
        # links such as the dashboard's "top products" prefill the form from the query
        fields = self.spec.form_class.base_fields
        return {k: v for k, v in self.request.GET.items() if k in fields}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["spec"] = self.spec
        context["specs"] = specs_for(self.request.user)
        return context

    def form_valid(self, form):
        try:
            run = report_run_request(
                type=self.spec.code, parameters=form.parameters(), user=self.request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.spec.title} report queued.")
        return redirect(run)


class VisibleRunMixin:
    def get_queryset(self):
        return ReportRun.objects.filter(type__in=allowed_types(self.request.user))


class ReportRunDetailView(
    ReportsArea, AreaRequiredMixin, PageContextMixin, HtmxPartialMixin, VisibleRunMixin, DetailView
):
    """A run: while queued or running, the #run region polls itself every second; once
    done it shows figures, charts and tables (no more polling); a failure shows its error."""

    template_name = "reports/run_detail.html"
    context_object_name = "run"
    partial_name = "run"

    def get_title(self) -> str:
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        if run.status == RunStatus.DONE and run.result:
            context["charts_data"] = run.result.get("charts", [])
            longest = max((len(t["rows"]) for t in run.result.get("tables", [])), default=0)
            context["pdf_rows"] = PDF_ROWS if longest > PDF_ROWS else None
        context["form_url"] = f"?type={run.type}"
        return context


class ReportFileView(ReportsArea, AreaRequiredMixin, VisibleRunMixin, View):
    """Serve a run's CSV or PDF from private storage to a reader allowed to see the run."""

    def get(self, request, pk: int, fmt: str):
        run = get_object_or_404(self.get_queryset(), pk=pk, status=RunStatus.DONE)
        field = {"csv": run.csv_file, "pdf": run.pdf_file}.get(fmt)
        if not field:
            raise Http404("No such file.")
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/pdf"
        name = f"{run.type.replace('_', '-')}-{run.pk}.{fmt}"
        return FileResponse(
            field.open("rb"), as_attachment=True, filename=name, content_type=content_type
        )
