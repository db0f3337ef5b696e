import pytest

from apps.finance.models import Currency
from apps.ledger.chart import chart_ensure


@pytest.fixture
def books(db):
    """The chart of accounts (and its currency) also after a transactional test flushed them."""
    Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "minor_units": 2})
    Currency.objects.get_or_create(code="EUR", defaults={"name": "Euro", "minor_units": 2})
    chart_ensure()
