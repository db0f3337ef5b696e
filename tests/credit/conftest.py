from decimal import Decimal

import pytest

from apps.credit.models import Seller
from apps.credit.services import creditrequest_approve, creditrequest_create, seller_create
from tests.ledger.conftest import books  # noqa: F401  (fixture)


@pytest.fixture
def approver(make_user):
    return make_user("Accountant", email="approver@example.test")


@pytest.fixture
def make_seller(books, approver):  # noqa: F811
    """make_seller(balance="100.00") -> an active seller whose approved top-up is `balance`."""
    counter = iter(range(1, 10_000))

    def make(balance="0.00", *, email: str | None = None, company: str | None = None) -> Seller:
        n = next(counter)
        seller = seller_create(
            email=email or f"seller{n}@example.test",
            company=company or f"Seller {n} Ltd",
            phone="+447911123456",
            password="seller-pass-2026",
        )
        if Decimal(balance):
            request = creditrequest_create(seller=seller, amount=balance)
            creditrequest_approve(credit_request=request, by=approver)
        return Seller.objects.select_related("account__currency", "user").get(pk=seller.pk)

    return make
