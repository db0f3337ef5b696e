import pytest

from .factories import StoreFactory


@pytest.fixture
def stores(db):
    """Three active stores: A, B, C."""
    return [StoreFactory(name=f"Store {c}", code=c) for c in "ABC"]


def assert_stock_books_ok():
    """The inventory checks of check_books (other apps' checks are their tests' business)."""
    from apps.core.books import registered_checks

    checks = [c for c in registered_checks() if c.name.startswith("inventory.")]
    assert [c.name for c in checks] == [
        "inventory.missing_levels",
        "inventory.movement_chain",
        "inventory.stock_alerts",
        "inventory.stock_levels_match_movements",
        "inventory.stock_totals",
        "inventory.stock_value",
    ]
    for check in checks:
        result = check.func()
        assert result.violations == [], check.name
