import pytest

from tests.inventory.factories import StoreFactory

from .factories import make_customer, make_product, stocked


@pytest.fixture
def store(db):
    return StoreFactory(name="Main Store", code="MAIN")


@pytest.fixture
def customer(db):
    return make_customer()


@pytest.fixture
def widget(store):
    """A 10.00 USD product with 20 units in the main store."""
    return stocked(store, make_product("10.00", sku="WID-1", name="Widget"), 20)


def assert_sales_books_ok():
    """The sales and inventory invariants of check_books hold."""
    from apps.core.books import registered_checks

    checks = [c for c in registered_checks() if c.name.split(".")[0] in ("sales", "inventory")]
    assert len(checks) >= 7
    for check in checks:
        result = check.func()
        assert result.violations == [], check.name
