"""Customers API: customers with their contacts, addresses and phone numbers.

Contacts and addresses are written with the customer (as on the customer form): a PUT or
PATCH that sends `contacts` or `addresses` replaces that list (rows keep their `id`).
"""

from __future__ import annotations

import django_filters
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers

from apps.accounts.roles import Area
from apps.core.api.viewsets import AreaViewSet
from apps.core.filters import FilterSet

from . import services
from .models import Address, Contact, Customer


class ContactSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)
    phone = PhoneNumberField(required=False, allow_blank=True)

    class Meta:
        model = Contact
        fields = ["id", "name", "email", "phone", "role"]


class AddressSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = Address
        fields = [
            "id",
            "kind",
            "line1",
            "line2",
            "postal_code",
            "city",
            "region",
            "country",
            "is_default",
        ]


class CustomerSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField(required=False, allow_blank=True)
    contacts = ContactSerializer(many=True, required=False)
    addresses = AddressSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "kind",
            "name",
            "email",
            "phone",
            "tax_id",
            "currency",
            "opening_balance",
            "credit_limit",
            "portal_user",
            "active",
            "notes",
            "contacts",
            "addresses",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "code", "created_at", "updated_at"]
        validators: list = []
        extra_kwargs = {"portal_user": {"validators": []}}


def _rows(customer: Customer | None, model, rows: list[dict] | None) -> list[dict] | None:
    """The sent list replaces the stored one: rows not sent are deleted."""
    if rows is None:
        return None
    kept = {row.get("id") for row in rows if row.get("id")}
    gone = []
    if customer is not None:
        ids = model.objects.filter(customer=customer).values_list("pk", flat=True)
        gone = [{"id": pk, "delete": True} for pk in ids if pk not in kept]
    return [*rows, *gone]


class CustomerFilter(FilterSet):
    customer_code = django_filters.CharFilter(field_name="code", lookup_expr="iexact")
    search = django_filters.CharFilter(method="by_text", help_text="Code, name, email or phone.")

    class Meta:
        model = Customer
        fields = ["customer_code", "kind", "active", "currency"]

    def by_text(self, queryset, name, value):
        return queryset.search(value)


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AreaViewSet,
):
    """Customers. Numbers (CUST-00001) are given on creation. A portal customer sees only
    its own record. DELETE moves to the trash (refused while orders are open)."""

    area = Area.CUSTOMERS
    own_actions = ("list", "retrieve")
    queryset = Customer.objects.select_related("currency").prefetch_related("contacts", "addresses")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields: list = []  # `search` is the customers' own search (contacts too)
    ordering_fields = ["code", "name", "created_at"]
    ordering = ["code"]

    own_path = "portal_user"

    def _save(self, serializer, customer=None):
        data = dict(serializer.validated_data)
        contacts = _rows(customer, Contact, data.pop("contacts", None))
        addresses = _rows(customer, Address, data.pop("addresses", None))
        if customer is None:
            return services.customer_create(contacts=contacts, addresses=addresses, **data)
        return services.customer_update(
            customer=customer, contacts=contacts, addresses=addresses, **data
        )

    def perform_create(self, serializer):
        serializer.instance = self._save(serializer)

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer, serializer.instance)

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response.data = self.get_serializer(self.get_object()).data
        return response

    def perform_destroy(self, instance):
        services.customer_delete(customer=instance)
