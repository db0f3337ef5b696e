"""Order screens. Each view validates a form, calls one service and renders (DESIGN.md §8).

The entry screen (`order-update`) is one template with partials: a header or line change
posts with htmx and gets back only the regions it changed, so the page never reloads and
what is being typed is never overwritten.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.roles import Area
from apps.catalog.models import Product
from apps.core.audit import events_for
from apps.core.idempotency import FORM_REPLAYED, form_once
from apps.core.permissions import AreaRequiredMixin
from apps.core.views import (
    BackofficeCreateView,
    BackofficeDetailView,
    BackofficeFormView,
    BackofficeListView,
    BackofficeUpdateView,
)
from apps.customers import hooks as customer_hooks
from apps.customers.models import Customer
from apps.finance.selectors import base_currency_code

from . import selectors, services
from .filters import CouponFilter, OrderFilter, ReturnFilter
from .forms import (
    CancelForm,
    ConfirmForm,
    CouponApplyForm,
    CouponForm,
    LineAddForm,
    LineForm,
    OrderCreateForm,
    OrderHeaderForm,
    ReturnForm,
)
from .models import Coupon, Order, OrderLine, Return, ReturnLine
from .services import CreditLimitExceeded
from .tables import CouponTable, OrderTable, ReturnTable


class OrdersArea:
    area = Area.ORDERS


def errors_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- lists ------------------------------------------------------------------------------


class OrderListView(OrdersArea, BackofficeListView):
    lazy_pages = True
    title = "Orders"
    template_name = "sales/order_list.html"
    table_class = OrderTable
    filterset_class = OrderFilter
    create_url_name = "order-create"
    create_label = "New order"
    empty_text = "No orders match these filters."

    def get_queryset(self):
        return Order.objects.with_list_columns()


class ReturnListView(OrdersArea, BackofficeListView):
    lazy_pages = True
    title = "Returns"
    table_class = ReturnTable
    filterset_class = ReturnFilter
    empty_text = "No returns match these filters. Returns are recorded from a confirmed order."

    def get_queryset(self):
        return Return.objects.select_related("order__customer", "store")


class CouponListView(OrdersArea, BackofficeListView):
    title = "Coupons"
    table_class = CouponTable
    filterset_class = CouponFilter
    create_url_name = "coupon-create"
    create_label = "New coupon"
    empty_text = "No coupons yet."

    def get_queryset(self):
        return Coupon.objects.all()


class CouponCreateView(OrdersArea, BackofficeCreateView):
    model = Coupon
    form_class = CouponForm
    title = "New coupon"
    submit_label = "Create coupon"
    success_message = "Coupon {object} created."
    cancel_url_name = "coupon-list"
    success_url = reverse_lazy("coupon-list")


class CouponUpdateView(OrdersArea, BackofficeUpdateView):
    model = Coupon
    form_class = CouponForm
    submit_label = "Save coupon"
    success_message = "Coupon {object} saved."
    cancel_url_name = "coupon-list"
    success_url = reverse_lazy("coupon-list")


# --- creating a draft -------------------------------------------------------------------


class OrderCreateView(OrdersArea, BackofficeFormView):
    form_class = OrderCreateForm
    title = "New order"
    template_name = "sales/order_create.html"
    submit_label = "Create draft"

    def get_initial(self):
        initial = {"order_date": timezone.localdate()}
        code = self.request.GET.get("customer")
        customer = Customer.objects.by_code(code).first() if code else None
        if customer is not None:
            initial["customer"] = str(customer)
        return initial

    def perform(self, form):
        data = form.cleaned_data
        return services.order_create(
            customer=data["customer"],
            store=data["store"],
            currency=data["currency"],
            order_date=data["order_date"],
            reference=data["reference"],
        )

    def get_success_url(self):
        return reverse("order-update", args=[self.object.pk])


# --- the entry screen -------------------------------------------------------------------


def _draft(request, pk: int) -> Order:
    return get_object_or_404(
        Order.objects.select_related("customer", "store", "currency", "coupon"), pk=pk
    )


def header_form(order: Order, data=None) -> OrderHeaderForm:
    return OrderHeaderForm(
        data,
        initial={
            "customer": str(order.customer),
            "store": order.store_id,
            "currency": order.currency_id,
            "order_date": order.order_date,
            "reference": order.reference,
            "shipping_address": order.shipping_address,
            "notes": order.notes,
        },
        prefix="header",
    )


def entry_context(request, order: Order, **extra) -> dict:
    lines = selectors.entry_lines(order)
    # The same check confirmation makes: the coupon's minimum is on the goods before it.
    coupon_problem = services.price_order(order, [e.line for e in lines]).coupon_problem
    summary = customer_hooks.receivable.customer_summary(order.customer)
    credit_warning = services.credit_problem(order) if order.is_draft else ""
    context = {
        "order": order,
        "title": f"Order {order.number}",
        "lines": lines,
        "short_lines": [e for e in lines if e.short_by],
        "header": extra.pop("header", None) or header_form(order),
        "add_form": extra.pop("add_form", None) or LineAddForm(initial={"quantity": 1}),
        "coupon_form": extra.pop("coupon_form", None)
        or CouponApplyForm(initial={"code": order.coupon_code}),
        "confirm_form": extra.pop("confirm_form", None) or ConfirmForm(),
        "coupon_problem": coupon_problem,
        "base_currency": base_currency_code(),
        "summary": summary,
        "credit_warning": credit_warning,
        "can_write": True,
    }
    context.update(extra)
    return context


def render_entry(request, order: Order, *, partial: str | None = "entry", status=200, **extra):
    template = "sales/order_entry.html"
    if partial and request.htmx:
        template += f"#{partial}"
    return render(request, template, entry_context(request, order, **extra), status=status)


class OrderEntryView(OrdersArea, AreaRequiredMixin, View):
    """GET: the entry screen of a draft. POST: save the header (customer, store, currency,
    date, reference, address, notes) and send back the refreshed entry region."""

    need = "write"

    def get(self, request, pk):
        order = _draft(request, pk)
        if not order.is_draft:
            messages.info(
                request,
                f"Order {order.number} is {order.get_status_display().lower()}; it can no longer be edited.",
            )
            return redirect(order)
        return render_entry(request, order, partial=None, focus_add=True)

    def post(self, request, pk):
        order = _draft(request, pk)
        form = header_form(order, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.order_update(
                    order=order,
                    customer=data["customer"],
                    store=data["store"],
                    currency=data["currency"],
                    order_date=data["order_date"],
                    reference=data["reference"],
                    shipping_address=data["shipping_address"],
                    notes=data["notes"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render_entry(request, _draft(request, pk), saved=True)
        return render_entry(request, _draft(request, pk), header=form)


class OrderLineAddView(OrdersArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        order = _draft(request, pk)
        form = LineAddForm(request.POST)
        if form.is_valid():
            try:
                services.order_line_add(
                    order=order,
                    product=form.cleaned_data["product"],
                    quantity=form.cleaned_data["quantity"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render_entry(request, _draft(request, pk), saved=True, focus_add=True)
        return render_entry(request, _draft(request, pk), add_form=form, focus_add=True)


class OrderLineView(OrdersArea, AreaRequiredMixin, View):
    """POST a line's quantity, price or discount; the answer swaps only the line's
    figures, the order totals and the confirm panel (out of band), never the inputs."""

    need = "write"

    def post(self, request, pk, line_pk):
        order = _draft(request, pk)
        line = get_object_or_404(OrderLine, pk=line_pk, order=order)
        form = LineForm(request.POST)
        error = ""
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.order_line_update(
                    line=line,
                    quantity=data["quantity"],
                    unit_price=data["unit_price"],
                    discount_percent=data["discount_percent"],
                )
            except ValidationError as exc:
                error = " ".join(errors_of(exc))
        else:
            error = " ".join(
                f"{form.fields[f].label or f.title()}: {' '.join(e)}"
                if f != "__all__"
                else " ".join(e)
                for f, e in form.errors.items()
            )
        order = _draft(request, pk)
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("order-update", pk=order.pk)
        context = entry_context(request, order, oob=True, saved=not error)
        context["entry"] = next((e for e in context["lines"] if e.line.pk == line.pk), None)
        context["line_error"] = error
        context["line_pk"] = line.pk
        return render(request, "sales/order_entry.html#line_saved", context)


class OrderLineDeleteView(OrdersArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk, line_pk):
        order = _draft(request, pk)
        line = get_object_or_404(OrderLine, pk=line_pk, order=order)
        try:
            services.order_line_remove(line=line)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if not request.htmx:
            return redirect("order-update", pk=order.pk)
        return render_entry(request, _draft(request, pk), saved=True, focus_add=True)


class OrderCouponView(OrdersArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        order = _draft(request, pk)
        form = CouponApplyForm(request.POST)
        if form.is_valid():
            try:
                services.order_coupon_set(order=order, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error("code", exc.messages)
            else:
                return render_entry(request, _draft(request, pk), saved=True)
        return render_entry(request, _draft(request, pk), coupon_form=form)


class ProductLookupView(OrdersArea, AreaRequiredMixin, View):
    """<option>s for the entry screen's product box: name, price and stock in the store."""

    need = "write"

    def get(self, request, pk):
        order = _draft(request, pk)
        text = (request.GET.get("product") or "").split("·")[0].strip()
        products = (
            list(Product.objects.filter(active=True).search(text).only("sku", "name")[:15])
            if text
            else []
        )
        available = selectors.available_by_product(order, [p.pk for p in products])
        rows = [(p, available.get(p.pk, 0)) for p in products]
        return render(request, "sales/_product_options.html", {"rows": rows, "order": order})


# --- transitions ------------------------------------------------------------------------


class OrderConfirmView(OrdersArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        order = _draft(request, pk)
        form = ConfirmForm(request.POST)
        form.is_valid()

        def work() -> str:
            services.order_confirm(
                order=order,
                user=request.user,
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
            messages.success(
                request, f"Order {order.number} confirmed; stock taken from {order.store.name}."
            )
            return reverse("order-detail", args=[pk])

        try:
            outcome = form_once(request=request, work=work)
        except ValidationError as exc:
            order = _draft(request, pk)
            if not order.is_draft:
                messages.error(request, " ".join(exc.messages))
                return redirect(order)
            # With htmx the refusal replaces #entry and the address bar stays on the entry
            # page (/edit/), never on /confirm/; without JavaScript the page renders here.
            return render_entry(
                request,
                order,
                partial="entry",
                confirm_errors=errors_of(exc),
                credit_refused=isinstance(exc, CreditLimitExceeded),
                confirm_form=form,
                status=200,
            )
        if outcome.replayed:
            messages.info(request, FORM_REPLAYED)
        if request.htmx:
            return HttpResponseClientRedirect(outcome.location)
        return redirect(outcome.location)


class OrderFulfilView(OrdersArea, AreaRequiredMixin, View):
    need = "write"

    def post(self, request, pk):
        order = get_object_or_404(Order, pk=pk)
        try:
            services.order_fulfil(order=order, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Order {order.number} marked as fulfilled (shipped).")
        return redirect(order)


class OrderActionMixin:
    """A form about one order (cancel, return); its page is the way back."""

    @cached_property
    def order(self) -> Order:
        return get_object_or_404(
            Order.objects.select_related("store", "customer"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["order"] = self.order
        context["cancel_url"] = self.order.get_absolute_url()
        return context


class OrderCancelView(OrdersArea, OrderActionMixin, BackofficeFormView):
    """Ask for the reason first: cancelling a confirmed order puts its stock back."""

    form_class = CancelForm
    template_name = "sales/order_cancel.html"
    submit_label = "Cancel order"

    def get_title(self):
        return f"Cancel order {self.order.number}"

    def perform(self, form):
        def work() -> str:
            services.order_cancel(
                order=self.order, reason=form.cleaned_data["reason"], user=self.request.user
            )
            messages.success(self.request, f"Order {self.order.number} cancelled.")
            return self.order.get_absolute_url()

        if form_once(request=self.request, work=work).replayed:
            messages.info(self.request, FORM_REPLAYED)
        return self.order

    def get_success_url(self):
        return self.order.get_absolute_url()


class OrderDetailView(OrdersArea, BackofficeDetailView):
    """The order as a document (printable), its returns and its timeline."""

    template_name = "sales/order_detail.html"

    def get_queryset(self):
        return Order.objects.select_related("customer", "store", "currency", "confirmed_by")

    def get_title(self):
        return f"Order {self.object.number}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context["lines"] = list(order.lines.all())
        context["returns"] = order.returns.select_related("store").prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
        )
        context["timeline"] = events_for(order)[:50]
        context["can_write"] = self.can("write")
        context["can_return"] = self.can("returns") and order.can_return
        context["base_currency"] = base_currency_code()
        return context


class ReturnCreateView(OrdersArea, OrderActionMixin, BackofficeFormView):
    need = "returns"
    form_class = ReturnForm
    template_name = "sales/return_form.html"
    submit_label = "Record return"

    def get(self, request, *args, **kwargs):
        if not self.order.can_return:
            messages.error(
                request,
                f"Order {self.order.number} is {self.order.get_status_display().lower()}; only confirmed or fulfilled orders take returns.",
            )
            return redirect(self.order)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "order": self.order}

    def get_title(self):
        return f"Return from order {self.order.number}"

    def perform(self, form):
        data = form.cleaned_data
        return services.return_create(
            order=self.order,
            quantities=form.quantities(),
            reason=data["reason"],
            disposition=data["disposition"],
            store=data["store"],
            user=self.request.user,
        )

    def get_success_url(self):
        messages.success(self.request, f"Return {self.object.number} recorded.")
        return self.object.get_absolute_url()


class ReturnDetailView(OrdersArea, BackofficeDetailView):
    template_name = "sales/return_detail.html"

    def get_queryset(self):
        return Return.objects.select_related("order__customer", "order__currency", "store")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = self.object.lines.select_related("order_line")
        return context
