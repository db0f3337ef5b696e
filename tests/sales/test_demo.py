"""seed_demo's customers and orders: what DESIGN.md §9 and the issue promise, idempotent,
and consistent with every invariant; `--scale` adds orders in bulk that keep them too."""

from collections import Counter
from io import StringIO

import pytest

from apps.core.books import registered_checks
from apps.customers.models import Customer
from apps.sales.models import Coupon, Order, Return

pytestmark = pytest.mark.django_db


def seed_all():
    from apps.accounts import demo as accounts
    from apps.catalog import demo as catalog
    from apps.core import demo as core
    from apps.customers import demo as customers
    from apps.finance import demo as finance
    from apps.inventory import demo as inventory
    from apps.sales import demo as sales

    for module in (core, accounts, finance, catalog, inventory, customers, sales):
        module.seed(stdout=StringIO())


def books_violations() -> dict[str, list[str]]:
    found = {}
    for check in registered_checks():
        if check.name.split(".")[0] in ("sales", "inventory"):
            result = check.func()
            if result.violations:
                found[check.name] = result.violations[:3]
    return found


def test_demo_customers_and_orders_and_their_scale_version():
    seed_all()
    acme = Customer.objects.get(name="Acme Retail")
    assert acme.portal_user.email == "customer@demo.test"
    assert Customer.objects.count() == 30
    orders = Order.objects.count()
    assert 70 <= orders <= 80  # few enough for a fast first `make run` (issue 12)
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert set(statuses) == {"draft", "confirmed", "fulfilled", "cancelled"}
    assert min(statuses.values()) >= 5
    assert len(set(Order.objects.values_list("currency_id", flat=True))) >= 4
    assert Order.objects.filter(customer=acme).count() >= 15
    assert Order.objects.filter(customer=acme, source="portal").exists()
    assert Return.objects.exists() and Coupon.objects.filter(times_used__gt=0).exists()
    assert books_violations() == {}
    seed_all()  # idempotent
    assert (Customer.objects.count(), Order.objects.count()) == (30, orders)

    # --scale: bulk orders that keep every invariant, idempotent too
    from apps.customers import demo_scale as customers
    from apps.sales import demo_scale as sales
    from apps.sales.figures import sales_figures_rebuild

    before = Order.objects.count()
    customers.seed_scale(scale=600, stdout=StringIO())
    sales.seed_scale(scale=600, stdout=StringIO())
    assert Order.objects.count() == before + 600
    assert Customer.objects.filter(name__startswith="Scale customer").count() == 30
    # bulk orders bypass the services' daily figures: seed_demo --scale rebuilds them after
    # every builder (the reports' after_scale), and check_books would say so; the builder
    # brings the stock totals along with the levels it writes
    assert list(books_violations()) == ["sales.figures"]
    sales_figures_rebuild()
    assert books_violations() == {}
    sales.seed_scale(scale=600, stdout=StringIO())
    assert Order.objects.count() == before + 600
