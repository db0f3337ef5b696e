import pytest

from .factories import StoreFactory


@pytest.fixture
def stores(db):
    """Three active stores: A, B, C."""
    return [StoreFactory(name=f"Store {c}", code=c) for c in "ABC"]
