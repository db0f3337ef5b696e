"""Customer credit through the API under concurrency (real threads, real database): the
payment row is locked, so concurrent refunds and credit applications never use more
credit than the payment has, each key acts once, and the books stay true."""

from __future__ import annotations

from collections import Counter

import pytest
from rest_framework.test import APIClient

from apps.invoicing import services
from apps.invoicing.models import Allocation, CreditRefund
from tests.inventory.test_concurrency import run_together
from tests.invoicing.conftest import assert_books_ok, books, customer  # noqa: F401
from tests.invoicing.payments_helpers import DAY, issued

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_credit_of_50_refunded_and_applied_by_twelve_concurrent_posts(role_user, customer):  # noqa: F811
    invoices = [issued(customer, "10.00") for _ in range(4)]
    payment = services.payment_record(customer=customer, amount="50.00", date=DAY)
    accountant = role_user("Accountant")
    url = f"/api/v1/payments/{payment.pk}/"

    def post(action, body, key):
        client = APIClient()
        client.force_authenticate(accountant)
        answer = client.post(url + action, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        return answer.status_code, answer.json()

    # 8 refunds of 10.00 (keys r0..r7) and 4 applications of 10.00 (one per invoice):
    # 12 x 10.00 asked of 50.00 of credit
    jobs = [lambda n=n: post("refund/", {"amount": "10.00"}, f"r{n}") for n in range(8)]
    jobs += [
        lambda i=i: post("apply-credit/", {"invoice": i.pk, "amount": "10.00"}, f"a{i.pk}")
        for i in invoices
    ]
    results = run_together(jobs)

    assert Counter(code for code, _ in results) == {200: 5, 400: 7}
    refused = {
        message for code, body in results if code == 400 for message in body["errors"]["amount"]
    }
    assert refused <= {
        f"Only 0.00 USD of credit is left on payment {payment.number}.",
        f"Payment {payment.number} has no credit left.",
    }
    used = CreditRefund.objects.count() + Allocation.objects.filter(payment=payment).count()
    assert used == 5
    final = APIClient()
    final.force_authenticate(accountant)
    body = final.get(url).json()
    assert (body["credit_left"], body["amount"]) == ("0.00", "50.00")
    # a key that succeeded replays its first answer; nothing more is used
    winner = next(n for n in range(8) if results[n][0] == 200)
    replay = post("refund/", {"amount": "10.00"}, f"r{winner}")
    assert replay == results[winner]
    assert CreditRefund.objects.count() + Allocation.objects.filter(payment=payment).count() == 5
    assert_books_ok()
