from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from apps.accounts.roles import Area
from apps.core.audit import events_for
from apps.core.permissions import AreaRequiredMixin
from apps.core.views import (
    BackofficeCreateView,
    BackofficeDetailView,
    BackofficeListView,
    BackofficeUpdateView,
    SoftDeleteView,
)

from . import hooks, services
from .filters import CustomerFilter
from .forms import AddressFormSet, ContactFormSet, CustomerForm, formset_rows
from .models import Customer
from .services import ADDRESS_FIELDS, CONTACT_FIELDS
from .tables import CustomerTable


class CustomersArea:
    area = Area.CUSTOMERS


class CustomerListView(CustomersArea, BackofficeListView):
    title = "Customers"
    table_class = CustomerTable
    filterset_class = CustomerFilter
    create_url_name = "customer-create"
    create_label = "New customer"
    empty_text = "No customers match these filters."

    def get_queryset(self):
        return Customer.objects.with_list_columns()


class CustomerEditMixin:
    """The customer form plus its contacts and addresses formsets, saved by one service."""

    model = Customer
    form_class = CustomerForm
    template_name = "customers/customer_form.html"

    def get_formsets(self):
        if not hasattr(self, "_formsets"):
            data = self.request.POST if self.request.method == "POST" else None
            instance = self.object if getattr(self, "object", None) is not None else Customer()
            self._formsets = (
                ContactFormSet(data, instance=instance, prefix="contacts"),
                AddressFormSet(data, instance=instance, prefix="addresses"),
            )
        return self._formsets

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact_formset"], context["address_formset"] = self.get_formsets()
        return context

    def form_valid(self, form):
        contacts, addresses = self.get_formsets()
        if not (contacts.is_valid() and addresses.is_valid()):
            return self.form_invalid(form)
        self.rows = {
            "contacts": formset_rows(contacts, CONTACT_FIELDS),
            "addresses": formset_rows(addresses, ADDRESS_FIELDS),
        }
        return super().form_valid(form)

    def customer_fields(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.Meta.fields}

    def get_success_url(self):
        return self.object.get_absolute_url()


class CustomerCreateView(CustomersArea, CustomerEditMixin, BackofficeCreateView):
    title = "New customer"
    submit_label = "Create customer"
    success_message = "Customer {object} created."
    cancel_url_name = "customer-list"

    def perform(self, form):
        return services.customer_create(**self.rows, **self.customer_fields(form))


class CustomerUpdateView(CustomersArea, CustomerEditMixin, BackofficeUpdateView):
    submit_label = "Save customer"
    success_message = "Customer {object} saved."

    def get_queryset(self):
        return Customer.objects.all()

    def perform(self, form):
        return services.customer_update(
            customer=self.object, **self.rows, **self.customer_fields(form)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.object.get_absolute_url()
        return context


class CustomerDetailView(CustomersArea, BackofficeDetailView):
    template_name = "customers/customer_detail.html"

    def get_queryset(self):
        # Deleted customers stay reachable: their orders link here.
        return Customer.all_objects.select_related("currency", "portal_user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        context["contacts"] = customer.contacts.all()
        context["addresses"] = customer.addresses.all()
        context["timeline"] = events_for(customer)[:30]
        context["can_write"] = self.can("write")
        if hooks.orders is not None:
            context["orders"] = hooks.orders.customer_orders(customer)[:20]
            context["can_order"] = self.can("write", Area.ORDERS) and customer.active
        if hooks.receivable is not None:
            context["summary"] = hooks.receivable.customer_summary(customer)
            if self.can("read", Area.INVOICES):
                context.update(hooks.receivable.customer_documents(customer))
                context["can_pay"] = self.can("write", Area.INVOICES) and not customer.is_deleted
        return context


class CustomerDeleteView(CustomersArea, SoftDeleteView):
    """GET asks for confirmation; POST moves the customer to the trash (orders stay),
    unless the service's guard refuses (open orders)."""

    model = Customer
    success_url_name = "customer-list"

    def post(self, request, *args, **kwargs):
        customer = self.get_object()
        try:
            services.customer_delete(customer=customer)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(customer)
        messages.success(request, f"{customer} moved to the trash; its orders are kept.")
        return redirect(self.success_url_name)


class CustomerLookupView(CustomersArea, AreaRequiredMixin, View):
    """<option>s for a customer <datalist>: type a code, name, email or phone."""

    def get(self, request):
        text = (request.GET.get("q") or request.GET.get("customer") or "").strip()
        customers = (
            Customer.objects.filter(active=True).search(text).only("code", "name")[:20]
            if text
            else []
        )
        return render(request, "customers/_customer_options.html", {"customers": customers})
