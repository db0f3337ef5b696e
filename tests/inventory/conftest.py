import pytest

from tests.ledger.conftest import books  # noqa: F401  (fixture)

from .factories import StoreFactory


@pytest.fixture(autouse=True)
def _stock_books(request):
    """Stock movements post to the ledger: the chart must exist, also after a
    transactional test flushed the database."""
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        request.getfixturevalue("books")


@pytest.fixture
def stores(db):
    """Three active stores: A, B, C."""
    return [StoreFactory(name=f"Store {c}", code=c) for c in "ABC"]


def assert_stock_books_ok():
    """The inventory checks of check_books (other apps' checks are their tests' business)."""
    from apps.core.books import registered_checks

    checks = [c for c in registered_checks() if c.name.startswith("inventory.")]
    assert [c.name for c in checks] == [
        "inventory.movement_chain",
        "inventory.stock_levels_match_movements",
        "inventory.stock_value",
    ]
    for check in checks:
        result = check.func()
        assert result.violations == [], check.name
