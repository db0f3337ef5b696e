"""Payment credit and reversal through the API: apply credit to an invoice, refund it,
reverse a payment. The payment screens' services, figures and words; each POST is
idempotent with a key; a portal customer reaches only its own payments."""

# ruff: noqa: F401, F811  (pytest fixtures imported from tests/invoicing)

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.models import IdempotencyRecord
from apps.invoicing.models import Allocation, CreditRefund, Payment
from apps.ledger.models import JournalEntry
from tests.invoicing.conftest import books, customer
from tests.invoicing.payments_helpers import balance, issued
from tests.sales.factories import make_customer

from .conftest import token_client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def record(api, customer, amount, allocations=()):
    body = {
        "customer": customer.pk,
        "amount": amount,
        "date": "2026-03-10",
        "allocations": [{"invoice": i.pk, "amount": a} for i, a in allocations],
    }
    answer = api.post("/api/v1/payments/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_apply_credit_then_refund_the_rest_idempotently(api, screen, customer):
    first, second = issued(customer, "100.00"), issued(customer, "50.00")
    payment = record(api, customer, "180.00", [(first, "100.00")])
    assert (payment["number"], payment["allocated"], payment["credit_left"]) == (
        "PAY-2026-00001",
        "100.00",
        "80.00",
    )
    url = f"/api/v1/payments/{payment['id']}/"

    body = {"invoice": second.pk, "amount": "50.00", "date": "2026-03-12"}
    applied = api.post(url + "apply-credit/", body, format="json", HTTP_IDEMPOTENCY_KEY="ap-1")
    assert applied.status_code == 200, applied.content
    data = applied.json()
    assert (data["allocated"], data["credit_left"], data["refunded"]) == ("150.00", "30.00", "0.00")
    assert [(a["invoice"], a["date"], a["amount"]) for a in data["allocations"]] == [
        (first.pk, "2026-03-10", "100.00"),
        (second.pk, "2026-03-12", "50.00"),
    ]
    again = api.post(url + "apply-credit/", body, format="json", HTTP_IDEMPOTENCY_KEY="ap-1")
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == data
    assert Allocation.objects.filter(payment_id=payment["id"]).count() == 2

    # more than the credit left: the refund screen's words, nothing written
    message = "Only 30.00 USD of credit is left on payment PAY-2026-00001."
    too_much = api.post(url + "refund/", {"amount": "50.00"}, format="json")
    assert (too_much.status_code, too_much["Content-Type"]) == (400, PROBLEM)
    assert too_much.json()["errors"] == {"amount": [message]}
    form = screen.post(
        reverse("payment-refund", args=[payment["id"]]),
        {"amount": "50.00", "date": "2026-03-15", "method": "bank_transfer"},
    )
    assert form.status_code == 200 and message in form.content.decode()
    assert CreditRefund.objects.count() == 0

    refund = {"amount": "30.00", "date": "2026-03-15", "reference": "RF-9"}
    paid_back = api.post(url + "refund/", refund, format="json", HTTP_IDEMPOTENCY_KEY="rf-1")
    assert paid_back.status_code == 200, paid_back.content
    data = paid_back.json()
    assert (data["refunded"], data["credit_left"]) == ("30.00", "0.00")
    [row] = data["refunds"]
    assert (row["date"], row["method"], row["amount"], row["reference"]) == (
        "2026-03-15",
        "bank_transfer",
        "30.00",
        "RF-9",
    )
    replay = api.post(url + "refund/", refund, format="json", HTTP_IDEMPOTENCY_KEY="rf-1")
    assert replay.json() == data and CreditRefund.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 2
    # Bank: +180 received - 30 paid back; AR: 150 invoiced - 180 + 30 = 0
    assert (balance("1010"), balance("1100")) == (150, 0)

    # a payment whose credit was refunded is never reversed (the screen says the same)
    words = "Credit from payment PAY-2026-00001 was refunded; it cannot be reversed."
    refused = api.post(url + "reverse/", {"reason": "Wrong customer"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": [words]}
    form = screen.post(reverse("payment-reverse", args=[payment["id"]]), {"reason": "Wrong"})
    assert form.status_code == 200 and words in form.content.decode()


def test_reverse_reopens_the_invoice_once(api, customer):
    invoice = issued(customer, "100.00")
    payment = record(api, customer, "100.00", [(invoice, "100.00")])
    url = f"/api/v1/payments/{payment['id']}/"
    no_reason = api.post(url + "reverse/", {"reason": " "}, format="json")
    assert no_reason.json()["errors"] == {"reason": ["Say why the payment is reversed."]}

    body = {"reason": "Cheque bounced", "date": "2026-03-20"}
    first = api.post(url + "reverse/", body, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    assert first.status_code == 200, first.content
    data = first.json()
    assert (data["status"], data["reversal_reason"], data["reversal_date"]) == (
        "reversed",
        "Cheque bounced",
        "2026-03-20",
    )
    assert (data["allocations"], data["allocated"]) == ([], "0.00")
    replay = api.post(url + "reverse/", body, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == data
    twice = api.post(url + "reverse/", body, format="json")
    assert twice.json()["errors"] == {
        "non_field_errors": ["Payment PAY-2026-00001 is already reversed."]
    }
    invoice_now = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (invoice_now["open_amount"], invoice_now["payment_status"]) == ("100.00", "overdue")
    # the payment entry and its one reversal; AR is back to the invoice
    assert JournalEntry.objects.filter(reverses__isnull=False).count() == 1
    assert balance("1100") == 100
    # no credit on a reversed payment
    credit = api.post(url + "apply-credit/", {"invoice": invoice.pk, "amount": "1.00"})
    assert credit.json()["errors"] == {
        "non_field_errors": ["Payment PAY-2026-00001 is reversed; it has no credit to use."]
    }


def test_credit_goes_only_to_the_payments_customer(api, customer):
    other = make_customer("Other Ltd")
    theirs = issued(other, "20.00")
    payment = record(api, customer, "40.00")
    url = f"/api/v1/payments/{payment['id']}/apply-credit/"
    answer = api.post(url, {"invoice": theirs.pk, "amount": "20.00"}, format="json")
    assert answer.json()["errors"] == {
        "amount": [f"Invoice {theirs.number} belongs to another customer."]
    }
    missing = api.post(url, {"invoice": 999999, "amount": "20.00"}, format="json")
    assert missing.json()["errors"] == {"invoice": ["Choose an existing invoice."]}
    assert Payment.objects.get().allocations.count() == 0


def test_portal_customer_reads_its_payments_and_changes_none(api, customer, make_user):
    portal = make_user("Customer", email="portal@example.test")
    customer.portal_user = portal
    customer.save()
    mine = record(api, customer, "10.00")
    theirs = record(api, make_customer("Other Ltd"), "10.00")
    client = token_client(portal)
    assert client.get(f"/api/v1/payments/{mine['id']}/").json()["credit_left"] == "10.00"
    assert client.get(f"/api/v1/payments/{theirs['id']}/").status_code == 404
    for action in ("apply-credit", "refund", "reverse"):
        answer = client.post(f"/api/v1/payments/{mine['id']}/{action}/", {}, format="json")
        assert answer.status_code == 403, action
