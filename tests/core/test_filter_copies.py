"""Each request's filter set copies its class's filters one object each, and its form takes
the fields built for it without deep-copying them again (apps.core.filters.FilterSet): what
one request changes stays its own."""

import django_filters
import pytest
from django.test import RequestFactory

from apps.accounts.roles import Role
from apps.catalog.filters import ProductFilter
from apps.catalog.models import Product
from apps.core.filters import FilterSet
from apps.sales.filters import OrderFilter
from apps.sales.models import Order
from tests.project_classes import project_subclasses

pytestmark = pytest.mark.django_db


def _project_filtersets() -> list[type]:
    return project_subclasses(django_filters.FilterSet, ("filters", "api", "tables"), FilterSet)


def _request(user, query=""):
    request = RequestFactory().get(f"/sales/orders/?{query}")
    request.user = user
    return request


def test_every_filter_set_of_the_project_derives_from_the_core_filter_set():
    filtersets = _project_filtersets()
    assert len(filtersets) == 41  # the list pages' and the API's
    assert [f.__name__ for f in filtersets if not issubclass(f, FilterSet)] == []
    assert [f.__name__ for f in filtersets if type(f.base_filters).__name__ != "_Filters"] == []


def test_a_filter_set_changes_only_its_own_filters_and_fields(role_user):
    admin, warehouse = role_user(Role.ADMIN), role_user(Role.WAREHOUSE)
    declared = OrderFilter.base_filters["customer"]
    first = OrderFilter(None, queryset=Order.objects.none(), request=_request(admin))
    # the admin may read customers: the box suggests them as one types (the widget's attrs)
    assert first.form.fields["customer"].widget.attrs["hx-target"] == "#customer-options"
    second = OrderFilter(None, queryset=Order.objects.none(), request=_request(warehouse))
    assert "hx-get" not in second.form.fields["customer"].widget.attrs
    assert first.filters["customer"] is not declared is not second.filters["customer"]
    assert "_field" not in vars(declared)
    # the form's fields are the ones its filters built for it, not copies of them
    assert first.form.fields["customer"] is first.filters["customer"].field
    first.form.fields["status"].choices = [("", "Changed")]
    assert list(second.form.fields["status"].choices)[0] == ("", "Any status")
    # each copy's extra is its own: ProductFilter sets its store options per request
    product_filter = ProductFilter(None, queryset=Product.objects.none(), request=_request(admin))
    assert isinstance(product_filter.filters["store"].extra["choices"], list)
    assert callable(ProductFilter.base_filters["store"].extra["choices"])


def test_a_method_filter_calls_the_method_of_its_own_filter_set(role_user):
    admin = role_user(Role.ADMIN)
    first = OrderFilter({"q": "SO-1"}, queryset=Order.objects.all(), request=_request(admin))
    second = OrderFilter({"q": "SO-2"}, queryset=Order.objects.all(), request=_request(admin))
    assert first.filters["q"].filter.f is first.filters["q"]
    assert first.filters["q"].filter.method.__self__ is first
    assert second.filters["q"].filter.method.__self__ is second
    assert "_method" in vars(OrderFilter.base_filters["q"])
    assert OrderFilter.base_filters["q"].filter.f is OrderFilter.base_filters["q"]
    assert first.is_valid() and second.is_valid()
    assert "LIKE" in str(first.qs.query) and "SO-1" in str(first.qs.query)
