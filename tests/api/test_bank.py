"""Bank statements through the API: upload (multipart) -> preview -> import (the worker,
inline in tests) -> lines with suggestions -> confirm, match by hand, ignore, undo. The bank
screens' services and words; confirming and undoing are idempotent with a key."""

# ruff: noqa: F401, F811  (pytest fixtures imported from tests/invoicing)

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.invoicing.models import BankLine, BankMatch, Payment
from tests.invoicing.bank.conftest import (
    account,
    acme,
    sample_invoices,
    upload,
)
from tests.invoicing.conftest import books

from .conftest import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1/bank"


def imported(api, account, capture, name="camt053-demo.xml"):
    made = api.post(
        f"{API}/statements/", {"account": account.pk, "file": upload(name)}, format="multipart"
    )
    assert made.status_code == 201, made.content
    statement = made.json()
    assert made["Location"] == f"{statement['id']}/"
    url = f"{API}/statements/{statement['id']}/"
    with capture(execute=True):
        queued = api.post(url + "import/", HTTP_IDEMPOTENCY_KEY=f"import-{statement['id']}")
    assert (queued.status_code, queued.json()["status"]) == (202, "queued")
    return statement, api.get(url).json()


def lines_of(api, statement_id):
    answer = api.get(f"{API}/lines/", {"statement": statement_id})  # date, then id
    return answer.json()["results"]


def test_upload_preview_import_and_the_suggestions(
    api, account, sample_invoices, django_capture_on_commit_callbacks
):
    preview, done = imported(api, account, django_capture_on_commit_callbacks)
    assert (preview["format"], preview["status"], preview["row_count"]) == (
        "camt053",
        "previewed",
        5,
    )
    assert [row["amount"] for row in preview["preview"]] == [
        "120.00",
        "125.50",
        "50.00",
        "-12.50",
        "99.00",
    ]
    assert (done["status"], done["progress"], done["lines_added"], done["to_review"]) == (
        "imported",
        100,
        5,
        4,
    )
    again = api.post(f"{API}/statements/{done['id']}/import/")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This statement is not ready to import.",
    )
    lines = lines_of(api, done["id"])
    assert [(ln["amount"], ln["status"], len(ln["matches"])) for ln in lines] == [
        ("120.00", "suggested", 1),
        ("125.50", "suggested", 1),
        ("50.00", "suggested", 1),
        ("-12.50", "unmatched", 0),
        ("99.00", "unmatched", 0),
    ]
    first = lines[0]["matches"][0]
    assert (first["customer_name"], first["reason"], first["exact"]) == (
        "Acme Retail",
        "reference",
        True,
    )
    assert first["invoices"] == [
        {"invoice": sample_invoices[0].pk, "number": "INV-2026-00001", "amount": "120.00"}
    ]
    review = api.get(f"{API}/lines/", {"statement": done["id"], "review": "true"}).json()
    assert review["count"] == 4
    # the list's queries do not grow with its rows (matches and invoices prefetched)
    counts = []
    for limit in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            api.get(f"{API}/lines/", {"statement": done["id"], "limit": limit})
        counts.append(len(queries))
    assert counts[0] == counts[1]
    bad = api.post(
        f"{API}/statements/",
        {"account": account.pk, "file": upload("empty.csv", " ")},
        format="multipart",
    )
    assert bad.json()["errors"] == {"file": ["The file is empty."]}


def test_confirm_replay_undo_ignore_and_match_by_hand(
    api, accountant_user, account, sample_invoices, django_capture_on_commit_callbacks
):
    _, done = imported(api, account, django_capture_on_commit_callbacks)
    lines = lines_of(api, done["id"])
    match_id = lines[0]["matches"][0]["id"]
    url = f"{API}/matches/{match_id}/"

    applied = api.post(url + "apply/", HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert applied.status_code == 200, applied.content
    body = applied.json()
    payment = Payment.objects.get(pk=body["payment"])
    assert (body["status"], payment.amount, payment.customer.name) == (
        "applied",
        120,
        "Acme Retail",
    )
    replay = api.post(url + "apply/", HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == body
    invoice = api.get(f"/api/v1/invoices/{sample_invoices[0].pk}/").json()
    assert invoice["open_amount"] == "0.00"
    # without the key a second confirmation is refused with the screen's words
    twice = api.post(url + "apply/")
    assert twice.json()["errors"] == {"non_field_errors": ["This line is already matched."]}
    screen = Client()
    screen.force_login(accountant_user)
    page = screen.post(reverse("bank-match-apply", args=[match_id]), follow=True)
    assert "This line is already matched." in page.content.decode()
    assert Payment.objects.count() == 1

    # a matched line is not ignored; undo reverses its payment and reopens the invoice
    line_url = f"{API}/lines/{lines[0]['id']}/"
    refused = api.post(line_url + "ignore/")
    assert refused.json()["errors"] == {
        "non_field_errors": ["A matched line cannot be ignored; undo the match first."]
    }
    undo = {"reason": "Wrong customer"}
    undone = api.post(url + "undo/", undo, format="json", HTTP_IDEMPOTENCY_KEY="undo-1")
    assert undone.status_code == 200, undone.content
    assert undone.json()["status"] == "reversed"
    assert api.post(url + "undo/", undo, format="json", HTTP_IDEMPOTENCY_KEY="undo-1").json() == (
        undone.json()
    )
    payment.refresh_from_db()
    assert (payment.status, payment.reversal_reason) == ("reversed", "Wrong customer")
    assert api.get(line_url).json()["status"] == "suggested"  # proposed again
    invoice = api.get(f"/api/v1/invoices/{sample_invoices[0].pk}/").json()
    assert invoice["open_amount"] == "120.00"

    # the bank fee is ignored, then brought back
    fee_url = f"{API}/lines/{lines[3]['id']}/"
    assert api.post(fee_url + "ignore/").json()["status"] == "ignored"
    assert api.post(fee_url + "reopen/").json()["status"] == "unmatched"
    assert api.post(fee_url + "reopen/").json()["errors"] == {
        "non_field_errors": ["Only an ignored line can be brought back."]
    }

    # the 99.00 line by hand: 80.00 to INV-2026-00002, the rest is Acme's credit
    hand_url = f"{API}/lines/{lines[4]['id']}/match/"
    second = sample_invoices[1]
    over = {
        "customer": second.customer_id,
        "allocations": [{"invoice": second.pk, "amount": "100.00"}],
    }
    too_much = api.post(hand_url, over, format="json")
    assert too_much.json()["errors"] == {
        "allocations": ["The invoices take 100.00, more than the line's 99.00."]
    }
    over["allocations"][0]["amount"] = "80.00"
    matched = api.post(hand_url, over, format="json", HTTP_IDEMPOTENCY_KEY="hand-1")
    assert matched.status_code == 200, matched.content
    assert matched.json()["status"] == "matched"
    [applied_match] = [m for m in matched.json()["matches"] if m["status"] == "applied"]
    assert (applied_match["reason"], applied_match["invoices"][0]["amount"]) == ("manual", "80.00")
    hand_payment = api.get(f"/api/v1/payments/{applied_match['payment']}/").json()
    assert (hand_payment["amount"], hand_payment["allocated"], hand_payment["credit_left"]) == (
        "99.00",
        "80.00",
        "19.00",
    )
    assert BankLine.objects.filter(status="matched").count() == 1
    assert BankMatch.objects.filter(status="applied").count() == 1


def test_accounts_and_csv_mapping(api, books, django_capture_on_commit_callbacks):
    made = api.post(
        f"{API}/accounts/",
        {"name": "Savings", "iban": "de89 3704 0044 0532 0130 00", "currency": "USD"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["iban"] == "DE89370400440532013000"
    content = "When;Value;Memo\n02/11/2026;10.00;x\n"
    statement = api.post(
        f"{API}/statements/",
        {"account": made.json()["id"], "file": upload("odd.csv", content)},
        format="multipart",
    ).json()
    assert (statement["status"], statement["error"]) == (
        "invalid",
        "Choose which column holds what, then preview again.",
    )
    url = f"{API}/statements/{statement['id']}/"
    mapping = {"date": "When", "amount": "Value", "text": "Memo", "date_format": "%d/%m/%Y"}
    remapped = api.post(url + "mapping/", {"mapping": mapping}, format="json")
    assert remapped.status_code == 200, remapped.content
    assert (remapped.json()["status"], remapped.json()["row_count"]) == ("previewed", 1)
    assert remapped.json()["preview"][0]["amount"] == "10.00"
