"""Shared view building blocks: one pattern for every list/create/update/delete page.

A list page is django-tables2 + django-filter; htmx requests get only the `#table`
partial (DESIGN.md §8); `?_export=csv` streams the filtered rows as CSV.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views import View
from django.views.generic import CreateView, DetailView, UpdateView
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .csvexport import csv_response  # noqa: F401  (re-exported for the apps' views)
from .numbers import is_digits
from .permissions import AreaRequiredMixin
from .sql import server_binding


class HtmxPartialMixin:
    """Render `template#<partial>` for htmx requests (one view, one template).

    The partial is `partial_name`, or the region a request names with `?_partial=`.
    Candidates are tried in order: the page's own template, then `partial_fallbacks`
    (e.g. core/list.html, where the `table` partial lives for pages that extend it), then
    the whole page, so an unknown `?_partial=` degrades to the full page, never a 500.
    """

    partial_name: str | None = "table"
    partial_fallbacks: tuple[str, ...] = ()

    def get_partial_name(self) -> str | None:
        return self.request.GET.get("_partial") or self.partial_name

    def get_template_names(self):
        names = super().get_template_names()
        partial = self.get_partial_name()
        if getattr(self.request, "htmx", False) and partial:
            candidates = [*names, *self.partial_fallbacks]
            return [f"{name}#{partial}" for name in candidates] + list(names)
        return names

    def render_to_response(self, context, **response_kwargs):
        # One URL answers a page or a partial: caches (and Back) must tell them apart.
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response


def human_empty_choice(field) -> None:
    """A filter's empty choice reads "Any status" / "Anyone", not django-filter's "---------"."""
    dashes = "---------"
    label = str(field.label or "")
    text = "Anyone" if label.lower() == "who" else f"Any {label.lower()}"
    widget = getattr(field, "widget", None)
    if isinstance(widget, forms.NullBooleanSelect):
        # A yes/no filter: "Active: any / yes / no", not "Unknown / Yes / No", which reads
        # as rows whose value is unknown and, once chosen, no longer says what is filtered.
        said = {"unknown": "any", "true": "yes", "false": "no"}
        if [value for value, _ in widget.choices] == list(said):
            widget.choices = [(value, f"{label}: {word}") for value, word in said.items()]
    elif getattr(field, "empty_label", None) == dashes:
        field.empty_label = text  # (Model)ChoiceField: its choices read this lazily...
        field.widget.choices = field.choices  # ...but the widget holds the class's copy
    elif hasattr(field, "choices") and not hasattr(field, "queryset"):
        choices = list(field.choices)
        if choices and choices[0][0] == "" and choices[0][1] == dashes:
            field.choices = [("", text), *choices[1:]]


MAX_PER_PAGE = 200  # the most rows `?per_page=` may ask a list for


def rows_per_page(query, default: int, maximum: int = MAX_PER_PAGE) -> int:
    """The page size `?per_page=` asks for, within 1..maximum; `default` without one or
    for a value that is no number (?per_page=-1 or 10**9 must neither crash nor dump the
    table)."""
    raw = query.get("per_page")
    if raw is None:
        return default
    try:
        return min(max(int(raw), 1), maximum)
    except ValueError:
        return default


class PageContextMixin:
    title: str = ""
    create_url_name: str | None = None
    create_label: str = ""

    def get_title(self) -> str:
        return self.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.get_title())
        context["can_write"] = self.can("write") if hasattr(self, "can") else False
        if self.create_url_name and context["can_write"]:
            try:
                context["create_url"] = reverse(self.create_url_name)
                context["create_label"] = (
                    self.create_label or f"New {self.get_title().lower().rstrip('s')}"
                )
            except NoReverseMatch:
                pass
        return context


class ServerBoundMixin:
    """A GET's statements (the list's count, rows and choice lists, the frame's reads) are
    bound on the server (apps.core.sql.server_binding), so PostgreSQL prepares each one
    once per connection instead of parsing and planning it on every request
    (docs/performance.md, "The list's statements, compiled once and prepared"). The page
    renders inside the block: a filter bar reads its choices while it renders. A streamed
    CSV export reads after the view returns, as before (client-side binding)."""

    # Query parameters holding a text to search for (besides a list's text filters, which
    # BackofficeListView finds itself): a request giving one is bound on the client.
    search_params: tuple[str, ...] = ()

    def searched(self, request) -> set[str]:
        """The query parameters of this request that hold a search text."""
        return {name for name in self.search_params if request.GET.get(name, "").strip()}

    def dispatch(self, request, *args, **kwargs):
        # A search is planned for its text: prepared, PostgreSQL plans `UPPER(name) LIKE
        # UPPER($1)` generically after five runs on a connection, for a pattern matching
        # 0.5 % of the rows (the stock list then walked every product by name, 250-470 ms
        # instead of 10, the movement list every movement, 3-7 s instead of 30 ms).
        if request.method not in ("GET", "HEAD") or self.searched(request):
            return super().dispatch(request, *args, **kwargs)
        with server_binding():
            response = super().dispatch(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response.render()
        return response


class BackofficeListView(
    ServerBoundMixin,
    AreaRequiredMixin,
    PageContextMixin,
    HtmxPartialMixin,
    SingleTableMixin,
    FilterView,
):
    """Filterable, sortable, paged table with CSV export of the filtered rows."""

    template_name = "core/list.html"
    partial_fallbacks = ("core/list.html",)  # pages extending it share its #table
    paginate_by = 25
    # Big tables: no COUNT(*), "next" is known by fetching one row more (DESIGN.md §8).
    lazy_pages = False
    export_filename: str | None = None
    export_exclude: tuple[str, ...] = ("actions",)
    empty_text = "Nothing here yet."

    max_per_page = MAX_PER_PAGE
    # Past this page number a request is treated as "the last page": an OFFSET beyond the
    # database's integer range is a 500 (SQLite "datatype mismatch"), and a huge one a scan.
    max_page = 100_000

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        query = request.GET.copy()
        if query.get("per_page") is not None:
            query["per_page"] = str(rows_per_page(query, self.paginate_by, self.max_per_page))
        page = query.get("page", "")
        if is_digits(page) and int(page) > self.max_page:
            query["page"] = str(self.max_page)  # EmptyPage -> the last page
        request.GET = query

    def searched(self, request) -> set[str]:
        """Also every text filter (a name, SKU, reference or memo to look for) given."""
        searched = super().searched(request)
        filterset_class = self.filterset_class
        if filterset_class is not None:
            searched |= {
                name
                for name, f in filterset_class.base_filters.items()
                if isinstance(f, django_filters.CharFilter) and request.GET.get(name, "").strip()
            }
        return searched

    def get_filterset_kwargs(self, filterset_class):
        from .filters import bounded_filter_data

        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = bounded_filter_data(filterset_class, kwargs["data"])
        return kwargs

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if self.lazy_pages and pagination is not False:
            from django_tables2.paginators import LazyPaginator

            pagination["paginator_class"] = LazyPaginator
        return pagination

    def paginate_queryset(self, queryset, page_size):
        """The table paginates (tolerating ?page=abc or 999); ListView must not paginate,
        count or 404 a second time."""
        return None, None, queryset, False

    def get(self, request, *args, **kwargs):
        if request.GET.get("_export") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    empty_filtered_text = "Nothing matches these filters."

    def is_filtered(self) -> bool:
        paging = {"page", "sort", "per_page", "_partial", "_export", "cols"}
        return any(
            v for k, v in self.request.GET.items() if k not in paging and v not in ("", "unknown")
        )

    # Wide lists name their optional columns (apps.core.columns); the filter bar then
    # offers a "Columns" chooser and the hidden ones are left out of the table (not CSV).
    optional_columns: tuple = ()

    @cached_property
    def columns(self):
        from .columns import columns_chosen

        return columns_chosen(self.request.GET, self.optional_columns)

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        kwargs.setdefault(
            "empty_text", self.empty_filtered_text if self.is_filtered() else self.empty_text
        )
        if self.columns.hidden:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), *sorted(self.columns.hidden))
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = self.columns
        return context

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for field in filterset.form.fields.values():
            human_empty_choice(field)
        return filterset

    def get_table(self, **kwargs):
        from .tables import links_for

        return links_for(super().get_table(**kwargs), self.request.user)

    def export_csv(self):
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = (
            filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        )
        table = self.get_table_class()(queryset, exclude=self.export_exclude)
        name = self.export_filename or slugify(self.get_title()) or "export"
        return csv_response(name, table.as_values())


class FormActionMixin:
    """A form page (core/form.html): submit label, cancel link, and a service's
    ValidationError turned into form errors instead of a 500."""

    template_name = "core/form.html"
    success_message = ""
    submit_label = "Save"
    cancel_url_name: str | None = None
    success_url_name: str | None = None  # where a saved form goes (else the view's own rule)

    def get_success_url(self):
        if self.success_url_name:
            return reverse(self.success_url_name)
        return super().get_success_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_label"] = self.submit_label
        if self.cancel_url_name:
            context["cancel_url"] = reverse(self.cancel_url_name)
        return context

    def perform(self, form):
        """Do the write; return the object. Override to call a service."""
        return form.save()

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message.format(object=self.object))
        return redirect(self.get_success_url())


class BackofficeCreateView(AreaRequiredMixin, PageContextMixin, FormActionMixin, CreateView):
    need = "write"


class BackofficeUpdateView(AreaRequiredMixin, PageContextMixin, FormActionMixin, UpdateView):
    need = "write"
    submit_label = "Save changes"

    def get_title(self) -> str:
        return self.title or f"Edit {self.object}"


class BackofficeFormView(AreaRequiredMixin, PageContextMixin, FormActionMixin, FormView):
    """A form that runs a business action (not a model edit)."""

    need = "write"
    submit_label = "Submit"


class BackofficeDetailView(AreaRequiredMixin, PageContextMixin, DetailView):
    def get_title(self) -> str:
        return self.title or str(self.object)


class SoftDeleteView(AreaRequiredMixin, SingleObjectMixin, View):
    """GET asks for confirmation; POST moves the object to the trash (restorable)."""

    need = "write"
    template_name = "core/confirm_delete.html"
    success_url_name = ""

    def get(self, request, *args, **kwargs):
        from django.shortcuts import render

        self.object = self.get_object()
        return render(
            request,
            self.template_name,
            {
                "object": self.object,
                "title": f"Delete {self.object}",
                "cancel_url": self.cancel_url(),
            },
        )

    def cancel_url(self) -> str:
        try:
            return self.object.get_absolute_url()
        except AttributeError:
            return reverse(self.success_url_name)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.object.soft_delete()
        messages.success(request, f"{self.object} moved to trash. It can be restored by an admin.")
        return redirect(self.success_url_name)


def healthz(request) -> HttpResponse:
    """200 when the database answers, 503 otherwise (load balancers and `make run`)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the probe must answer, whatever the failure
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def permission_denied(request, exception=None):
    from django.shortcuts import render

    return render(request, "403.html", {"title": "Not allowed"}, status=403)
