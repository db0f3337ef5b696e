"""Customer portal pages: always scoped to the customer linked to the logged-in user.

Another customer's order answers 404 (not 403): the portal never confirms that an id
exists (DESIGN.md §7).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.roles import Area
from apps.core.idempotency import FORM_REPLAYED, form_once
from apps.core.permissions import AreaRequiredMixin
from apps.customers.models import Customer
from apps.sales.forms import PortalCartForm
from apps.sales.models import Order
from apps.sales.selectors import customer_orders
from apps.sales.services import (
    OrderError,
    PortalQuote,
    portal_order_place,
    portal_order_quote,
    portal_product_offers,
)


class CustomerPortalMixin(AreaRequiredMixin):
    area = Area.ORDERS
    need = "own"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.customer = (
                Customer.objects.select_related("currency").filter(portal_user=request.user).first()
            )
        return super().dispatch(request, *args, **kwargs)

    def require_customer(self) -> Customer:
        if self.customer is None:
            raise Http404("This login is not linked to a customer.")
        return self.customer

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.customer
        return context


class PortalOrderListView(CustomerPortalMixin, TemplateView):
    template_name = "portal/orders/order_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "My orders"
        if self.customer is not None:
            orders = customer_orders(self.customer)
            context["page"] = Paginator(orders, 25).get_page(self.request.GET.get("page"))
        return context


class PortalOrderDetailView(CustomerPortalMixin, TemplateView):
    template_name = "portal/orders/order_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = get_object_or_404(
            Order.objects.select_related("store", "currency"),
            pk=self.kwargs["pk"],
            customer=self.require_customer(),
        )
        context.update(order=order, lines=order.lines.all(), title=f"Order {order.number}")
        return context


def offers_context(customer: Customer, text: str | None) -> dict:
    text = (text or "").strip()
    try:
        offers, problem = portal_product_offers(customer=customer, text=text), ""
    except OrderError as exc:
        offers, problem = [], " ".join(exc.messages)
    return {"offers": offers, "searched": text, "search_problem": problem}


class PortalOrderCreateView(CustomerPortalMixin, View):
    """The customer's order screen, in the feel of the staff order entry: search products
    (price in the customer's currency, stock hint), add by keyboard, change quantities,
    live line and order totals, then a review step and "Place order".

    The cart lives in the page (PortalCartForm); every figure comes from
    `portal_order_quote`, the pricing the placed order gets. With htmx an add, a quantity
    change or a removal answers only the cart regions; without JavaScript the same POST
    renders the whole page.
    """

    template_name = "portal/orders/order_form.html"

    def get(self, request):
        form = PortalCartForm(initial={"add_quantity": 1})
        quote, problem = self.quote_for([]) if self.customer else (None, "")
        return self.render_page(form, quote, problem)

    def post(self, request):
        customer = self.require_customer()
        form = PortalCartForm(request.POST)
        form.is_valid()
        action = request.POST.get("action", "")
        quote, problem = self.quote_for(form.items)
        ready = form.is_valid() and not form.bad_lines and not problem and bool(form.items)
        if action == "place" and ready:
            return self.place(form, customer, quote)
        if action in ("review", "place") and not problem and not form.items:
            problem = "Add at least one product to your order."
        review = ready and action in ("review", "place")
        if request.htmx and not review:
            context = self.context(form, quote, problem, adding=form.adding)
            if form.adding and form.has_error("q"):  # keep the matches in view to pick from
                context.update(self.offers(form.data.get("q", "")))
            return render(request, f"{self.template_name}#cart_update", context)
        return self.render_page(form, quote, problem, review=review)

    def quote_for(self, items) -> tuple[PortalQuote | None, str]:
        try:
            return portal_order_quote(customer=self.customer, items=items), ""
        except OrderError as exc:
            return None, " ".join(exc.messages)

    def context(self, form, quote, problem, **extra) -> dict:
        review = extra.get("review", False)
        return {
            "customer": self.customer,
            "form": form,
            "quote": quote,
            "problem": problem,
            "title": "Review your order" if review else "Place an order",
            # a fresh key per review: a double click on "Place order" places one order
            "idempotency_key": uuid.uuid4().hex if review else "",
            **extra,
        }

    def offers(self, text) -> dict:
        return offers_context(self.customer, text)

    def render_page(self, form, quote, problem, *, review: bool = False):
        context = self.context(form, quote, problem, review=review)
        return render(self.request, self.template_name, context)

    def place(self, form, customer, quote):
        def work() -> str:
            outcome = portal_order_place(
                customer=customer,
                items=form.items,
                reference=form.cleaned_data["reference"],
                user=self.request.user,
                expected_total=form.cleaned_data["expected_total"],
            )
            order = outcome.order
            if outcome.confirmed:
                messages.success(self.request, f"Order {order.number} is confirmed. Thank you!")
            elif outcome.problem:
                messages.warning(
                    self.request,
                    f"Order {order.number} was received but could not be confirmed yet "
                    f"({outcome.problem}) Our sales team will contact you.",
                )
            else:
                messages.success(
                    self.request,
                    f"Order {order.number} was received; our sales team will confirm it shortly.",
                )
            return reverse("portal-order-detail", args=[order.pk])

        try:
            outcome = form_once(request=self.request, work=work)
        except ValidationError as exc:
            quote, problem = self.quote_for(form.items)
            problem = problem or " ".join(exc.messages)
            return self.render_page(form, quote, problem, review=quote is not None)
        if outcome.replayed:
            messages.info(self.request, FORM_REPLAYED)
        return redirect(outcome.location)


class PortalProductSearchView(CustomerPortalMixin, View):
    """Search results for the order screen: each product with its price for one unit in
    the customer's currency and a stock hint (in stock / low / out, no quantities)."""

    def get(self, request):
        customer = self.require_customer()
        context = {"customer": customer, **offers_context(customer, request.GET.get("q"))}
        return render(request, "portal/orders/order_form.html#product_results", context)


class PortalProfileView(CustomerPortalMixin, TemplateView):
    """The customer's own record as the office holds it (read-only)."""

    area = Area.CUSTOMERS
    template_name = "portal/orders/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.require_customer()
        context.update(
            title="My details",
            contacts=customer.contacts.all(),
            addresses=customer.addresses.all(),
        )
        return context
