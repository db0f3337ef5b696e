"""Customer portal pages: always scoped to the customer linked to the logged-in user.

Another customer's order answers 404 (not 403): the portal never confirms that an id
exists (DESIGN.md §7).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.accounts.roles import Area
from apps.catalog.selectors import product_suggestions
from apps.core.permissions import AreaRequiredMixin
from apps.customers.models import Customer
from apps.sales.forms import PortalOrderForm
from apps.sales.models import Order
from apps.sales.selectors import customer_orders, portal_quote
from apps.sales.services import OrderError, portal_order_place


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


class PortalOrderCreateView(CustomerPortalMixin, FormView):
    template_name = "portal/orders/order_form.html"
    form_class = PortalOrderForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        lookup = reverse("portal-product-options")
        for name, field in form.fields.items():
            if name.startswith("product_"):
                field.widget.attrs.update(
                    {
                        "hx-get": lookup,
                        "hx-trigger": "input changed delay:200ms",
                        "hx-target": "#portal-products",
                        "hx-swap": "innerHTML",
                        "hx-sync": "this:replace",
                    }
                )
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Place an order"
        return context

    def post(self, request, *args, **kwargs):
        """Three answers to one form: the live quote (htmx, `?_partial=quote`), the review
        step ("Review order", the default button) and placing the order ("Place order")."""
        form = self.get_form()
        valid = form.is_valid()
        if request.htmx and request.GET.get("_partial") == "quote":
            return self.render_quote(form, "portal/orders/order_form.html#quote")
        action = request.POST.get("action", "place")  # the screen always names its button
        if not valid or action != "place":
            return self.render_quote(form, self.template_name, review=valid and action == "review")
        return self.form_valid(form)

    def render_quote(self, form, template: str, *, review: bool = False):
        items = form.cleaned_data.get("items", []) if hasattr(form, "cleaned_data") else []
        quote = portal_quote(customer=self.require_customer(), items=items) if items else None
        context = self.get_context_data(form=form, quote=quote, review=review)
        return render(self.request, template, context)

    def form_valid(self, form):
        customer = self.require_customer()
        try:
            outcome = portal_order_place(
                customer=customer,
                items=form.cleaned_data["items"],
                reference=form.cleaned_data["reference"],
                user=self.request.user,
            )
        except OrderError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
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
        return redirect("portal-order-detail", pk=order.pk)


class PortalProductOptionsView(CustomerPortalMixin, View):
    """<option>s of active products for the order form's product boxes."""

    def get(self, request):
        names = [k for k in request.GET if k.startswith("product_")]
        text = request.GET.get("q") or (request.GET.get(names[0]) if names else "") or ""
        text = text.split("·")[0].strip()
        products = product_suggestions(text)
        return render(request, "catalog/_product_options.html", {"products": products})


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
