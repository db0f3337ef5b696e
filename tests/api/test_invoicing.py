"""Invoicing through the API: the screens' services, figures and words; idempotent issue
and void; the archived files private to readers and to the customer they belong to."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from apps.core.models import CompanySettings, IdempotencyRecord
from apps.invoicing import services
from apps.invoicing.models import CreditNote, Invoice, InvoiceStatus, Payment
from apps.ledger.models import JournalEntry
from tests.invoicing.conftest import books, confirmed_order, customer, free_invoice  # noqa: F401
from tests.sales.factories import make_customer, tax

from .conftest import token_client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def today(books):  # noqa: F811
    return CompanySettings.load().today()


@pytest.fixture
def accountant(api_for):
    return api_for("Accountant")


def draft_body(customer, **extra):  # noqa: F811
    return {
        "customer": customer.pk,
        "lines": [
            {
                "description": "Consulting",
                "quantity": "2",
                "unit_price": "100.00",
                "tax_rate": tax("20").pk,
            }
        ],
        **extra,
    }


def test_draft_edit_issue_replay_and_void(accountant, customer, today):  # noqa: F811
    made = accountant.post("/api/v1/invoices/", draft_body(customer), format="json")
    assert made.status_code == 201, made.content
    draft = made.json()
    assert made["Location"] == f"{draft['id']}/"
    assert (draft["status"], draft["number"], draft["payment_status"]) == ("draft", None, None)
    assert (draft["net_total"], draft["tax_total"], draft["total"]) == ("200.00", "40.00", "240.00")
    assert draft["open_amount"] == "0.00"
    assert draft["tax_breakdown"] == [
        {"percent": "20.000", "name": "Tax 20", "net": "200.00", "tax": "40.00"}
    ]
    url = f"/api/v1/invoices/{draft['id']}/"

    edited = accountant.patch(url, {"discount_amount": "20.00"}, format="json")
    assert edited.status_code == 200, edited.content
    assert (edited.json()["net_total"], edited.json()["total"]) == ("180.00", "216.00")
    more = accountant.post(
        url + "lines/", [{"description": "Travel", "quantity": "1.5", "unit_price": "40.00"}]
    )
    assert more.status_code == 201, more.content
    lines = more.json()["lines"]
    assert [(ln["description"], ln["quantity"], ln["total"]) for ln in lines] == [
        ("Consulting", "2.000", "221.54"),  # 200 - 15.38 (200/260 of the discount) + 20 %
        ("Travel", "1.500", "55.38"),  # 60 - 4.62, no tax
    ]
    assert more.json()["total"] == "276.92"
    changed = accountant.patch(url + f"lines/{lines[1]['id']}/", {"quantity": "1"})
    assert changed.status_code == 200, changed.content
    # 200 - 16.67 + 20 % = 220.00; 40 - 3.33 = 36.67
    assert [ln["total"] for ln in changed.json()["lines"]] == ["220.00", "36.67"]
    assert changed.json()["total"] == "256.67"
    removed = accountant.delete(url + f"lines/{lines[1]['id']}/")
    assert removed.status_code == 200 and removed.json()["total"] == "216.00"

    first = accountant.post(url + "issue/", {}, format="json", HTTP_IDEMPOTENCY_KEY="issue-1")
    assert first.status_code == 200, first.content
    issued = first.json()
    number = f"INV-{today.year}-00001"
    assert (issued["status"], issued["number"]) == ("issued", number)
    assert (issued["issue_date"], issued["due_date"]) == (
        today.isoformat(),
        (today + dt.timedelta(days=30)).isoformat(),
    )
    assert (issued["payment_status"], issued["open_amount"]) == ("unpaid", "216.00")
    again = accountant.post(url + "issue/", {}, format="json", HTTP_IDEMPOTENCY_KEY="issue-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == issued
    other = accountant.post(
        url + "issue/", {"issue_date": "2026-01-05"}, format="json", HTTP_IDEMPOTENCY_KEY="issue-1"
    )
    assert other.status_code == 422 and other["Content-Type"] == PROBLEM
    no_key = accountant.post(url + "issue/", {}, format="json")
    assert no_key.status_code == 400
    assert no_key.json()["errors"] == {"non_field_errors": [f"Invoice {number} is already issued."]}
    assert JournalEntry.objects.filter(reference=number).count() == 1

    kept = accountant.delete(url)
    assert kept.status_code == 409 and kept["Content-Type"] == PROBLEM
    assert kept.json()["detail"] == (
        f"Invoice {number} is issued and can never be deleted; void it instead."
    )
    no_reason = accountant.post(url + "void/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"] == {"reason": ["Give a reason for voiding the invoice."]}
    void = accountant.post(
        url + "void/", {"reason": "Wrong customer"}, format="json", HTTP_IDEMPOTENCY_KEY="void-1"
    )
    assert void.status_code == 200, void.content
    body = void.json()
    assert (body["status"], body["void_reason"], body["open_amount"]) == (
        "void",
        "Wrong customer",
        "0.00",
    )
    assert body["payment_status"] is None
    [note] = CreditNote.objects.filter(invoice_id=draft["id"])
    assert (note.number, note.total, note.status) == (f"CN-{today.year}-00001", 216, "issued")
    assert body["credit_notes"] == [note.pk]
    assert [(a["kind"], a["amount"]) for a in body["allocations"]] == [("credit_note", "216.00")]
    replay = accountant.post(
        url + "void/", {"reason": "Wrong customer"}, format="json", HTTP_IDEMPOTENCY_KEY="void-1"
    )
    assert replay.json() == body and CreditNote.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 2


def test_draft_refusals_are_problems_with_the_screens_words(accountant, customer):  # noqa: F811
    bad = draft_body(customer)
    bad["lines"][0]["quantity"] = "two"
    answer = accountant.post("/api/v1/invoices/", bad, format="json")
    assert answer.status_code == 400 and answer["Content-Type"] == PROBLEM
    assert answer.json()["errors"] == {"quantity": ["Enter a quantity, e.g. 2 or 1.5."]}
    cents = accountant.post(
        "/api/v1/invoices/", draft_body(customer, discount_amount="1.005"), format="json"
    )
    assert cents.json()["errors"] == {"discount_amount": ["Use at most 2 decimal places."]}
    days = accountant.post(
        "/api/v1/invoices/", draft_body(customer, payment_terms_days=400), format="json"
    )
    assert days.json()["errors"] == {"payment_terms_days": ["Enter between 0 and 365 days."]}
    missing = accountant.post("/api/v1/invoices/", {"customer": 999999}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {
        "customer": ['Invalid pk "999999" - object does not exist.']
    }
    assert not Invoice.all_objects.exists()
    empty = accountant.post("/api/v1/invoices/", {"customer": customer.pk}, format="json")
    refused = accountant.post(f"/api/v1/invoices/{empty.json()['id']}/issue/", {}, format="json")
    assert refused.json()["errors"] == {
        "non_field_errors": ["Add at least one line before issuing."]
    }
    assert accountant.delete(f"/api/v1/invoices/{empty.json()['id']}/").status_code == 204
    assert not Invoice.all_objects.filter(status=InvoiceStatus.DRAFT).exists()


def test_invoice_an_order_in_two_parts(accountant, confirmed_order):  # noqa: F811
    widget = confirmed_order.lines.get(product_sku="WID-1")
    body = {"order": confirmed_order.pk, "lines": [{"order_line": widget.pk, "quantity": "2"}]}
    part = accountant.post("/api/v1/invoices/from-order/", body, format="json")
    assert part.status_code == 201, part.content
    assert (part.json()["order"], part.json()["total"]) == (confirmed_order.pk, "24.00")
    too_many = {"order": confirmed_order.pk, "lines": [{"order_line": widget.pk, "quantity": "2"}]}
    over = accountant.post("/api/v1/invoices/from-order/", too_many, format="json")
    assert over.status_code == 400
    assert over.json()["errors"] == {
        "non_field_errors": [
            "WID-1: at most 1 can be invoiced (3 ordered, 0 returned, 2 invoiced)."
        ]
    }
    rest = accountant.post(
        "/api/v1/invoices/from-order/", {"order": confirmed_order.pk}, format="json"
    )
    assert rest.status_code == 201
    assert [(ln["sku"], ln["quantity"]) for ln in rest.json()["lines"]] == [
        ("WID-1", "1.000"),
        ("BOLT-1", "2.000"),
    ]
    assert rest.json()["total"] == "27.00"  # 24.00 + 27.00 = the order's 51.00
    done = accountant.post(
        "/api/v1/invoices/from-order/", {"order": confirmed_order.pk}, format="json"
    )
    assert done.json()["detail"] == f"Order {confirmed_order.number} is fully invoiced."


def test_list_filters_and_search(accountant, customer, today):  # noqa: F811
    other = make_customer("Zenith Ltd")
    old = services.invoice_issue(
        invoice=free_invoice(customer, ("Old job", "1", "50.00", None)),
        issue_date=today - dt.timedelta(days=60),
    )
    new = services.invoice_issue(invoice=free_invoice(other, ("New job", "3", "10.00", "20")))
    draft = free_invoice(customer, ("Later", "1", "5.00", None))

    def ids(**params):
        answer = accountant.get("/api/v1/invoices/", params)
        assert answer.status_code == 200, answer.content
        return [row["id"] for row in answer.json()["results"]]

    assert ids() == [draft.pk, new.pk, old.pk]  # drafts first, on SQLite and PostgreSQL
    assert ids(status="overdue") == [old.pk]
    assert ids(status="unpaid") == [new.pk]
    assert ids(status="draft") == [draft.pk]
    assert ids(status="paid") == []
    assert ids(customer=other.pk) == [new.pk]
    assert ids(search="zenith") == [new.pk]
    assert ids(search=old.number) == [old.pk]
    assert ids(min_total="36.00", max_total="36.00") == [new.pk]
    assert ids(issue_date_before=(today - dt.timedelta(days=1)).isoformat()) == [old.pk]
    assert ids(series="inv", ordering="total") == [draft.pk, new.pk, old.pk]
    rows = accountant.get("/api/v1/invoices/", {"status": "overdue"}).json()["results"]
    assert (rows[0]["payment_status"], rows[0]["open_amount"]) == ("overdue", "50.00")
    bad = accountant.get("/api/v1/invoices/", {"status": "late"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_roles_and_the_portal_customers_own_documents(api_for, make_user, customer, today):  # noqa: F811
    login = make_user("Customer", email="buyer@example.test")
    mine = make_customer("Mine Ltd", portal_user=login)
    own = services.invoice_issue(invoice=free_invoice(mine, ("Service", "1", "100.00", "20")))
    own_draft = free_invoice(mine, ("Not yet", "1", "10.00", None))
    theirs = services.invoice_issue(invoice=free_invoice(customer, ("Other", "1", "70.00", None)))
    portal = token_client(login)

    listed = portal.get("/api/v1/invoices/").json()
    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert portal.get(f"/api/v1/invoices/{own.pk}/").json()["total"] == "120.00"
    for pk in (theirs.pk, own_draft.pk, 999999):
        for path in ("", "pdf/", "xml/"):
            hidden = portal.get(f"/api/v1/invoices/{pk}/{path}")
            assert hidden.status_code == 404, (pk, path)
            assert hidden["Content-Type"] == PROBLEM
    pdf = portal.get(f"/api/v1/invoices/{own.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "private, no-store"
    assert own.number in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    xml = portal.get(f"/api/v1/invoices/{own.pk}/xml/")
    assert b"<ram:GrandTotalAmount>120.00</ram:GrandTotalAmount>" in xml.content
    assert portal.post(f"/api/v1/invoices/{own.pk}/issue/", {}).status_code == 403
    assert portal.post(f"/api/v1/invoices/{own.pk}/email/", {"to": "a@b.test"}).status_code == 403
    assert portal.post("/api/v1/invoices/", {}, format="json").status_code == 403
    assert [r["customer"] for r in portal.get("/api/v1/receivables/").json()["results"]] == [
        mine.pk
    ]
    assert portal.get(f"/api/v1/receivables/{customer.pk}/").status_code == 404

    viewer, sales = api_for("Viewer"), api_for("Sales")
    assert viewer.get(f"/api/v1/invoices/{theirs.pk}/xml/").status_code == 200
    assert sales.get("/api/v1/invoices/").json()["count"] == 3
    assert sales.post("/api/v1/invoices/", draft_body(customer), format="json").status_code == 403
    assert sales.post(f"/api/v1/invoices/{own.pk}/void/", {"reason": "x"}).status_code == 403
    assert api_for("Warehouse").get(f"/api/v1/invoices/{own.pk}/pdf/").status_code == 403
    accept_pdf = viewer.get(f"/api/v1/invoices/{own.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert accept_pdf.status_code == 200 and accept_pdf.content.startswith(b"%PDF")
    draft_pdf = viewer.get(f"/api/v1/invoices/{own_draft.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert draft_pdf.status_code == 404
    assert draft_pdf.json()["detail"] == "A draft has no archived file; issue it first."


def test_email_is_queued_for_issued_documents_only(accountant, customer):  # noqa: F811
    draft = free_invoice(customer, ("Job", "1", "80.00", None))
    url = f"/api/v1/invoices/{draft.pk}/email/"
    early = accountant.post(url, {"to": "ap@acme.test"}, format="json")
    assert early.json()["errors"] == {
        "non_field_errors": ["Only issued documents are emailed; issue the draft first."]
    }
    issued = services.invoice_issue(invoice=draft)
    wrong = accountant.post(url, {"to": "not-an-address"}, format="json")
    assert wrong.json()["errors"] == {"to": ["Enter one valid email address."]}
    sent = accountant.post(url, {"to": " ap@acme.test ", "message": "Thanks"}, format="json")
    assert sent.status_code == 202
    assert sent.json() == {
        "document": issued.number,
        "to": "ap@acme.test",
        "detail": f"{issued.number} is on its way to ap@acme.test.",
    }


def test_credit_note_issue_replay_and_the_receivable(accountant, customer, today):  # noqa: F811
    invoice = services.invoice_issue(invoice=free_invoice(customer, ("Widget", "4", "25.00", "20")))
    line = invoice.lines.get()
    body = {
        "invoice": invoice.pk,
        "reason": "One broken",
        "lines": [{"invoice_line": line.pk, "quantity": "1"}],
    }
    made = accountant.post("/api/v1/credit-notes/", body, format="json")
    assert made.status_code == 201, made.content
    note = made.json()
    assert (note["status"], note["net_total"], note["tax_total"], note["total"]) == (
        "draft",
        "25.00",
        "5.00",
        "30.00",
    )
    assert [(ln["invoice_line"], ln["quantity"], ln["total"]) for ln in note["lines"]] == [
        (line.pk, "1.000", "30.00")
    ]
    second = accountant.post("/api/v1/credit-notes/", body, format="json")
    assert second.json()["errors"] == {
        "non_field_errors": [
            f"Invoice {invoice.number} already has a draft credit note; issue or delete it first."
        ]
    }
    url = f"/api/v1/credit-notes/{note['id']}/issue/"
    first = accountant.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="cn-1")
    assert first.status_code == 200, first.content
    number = f"CN-{today.year}-00001"
    assert (first.json()["status"], first.json()["number"]) == ("issued", number)
    again = accountant.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="cn-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CreditNote.objects.get().allocations.get().amount == 30

    shown = accountant.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (shown["payment_status"], shown["allocated"], shown["open_amount"]) == (
        "partially_paid",
        "30.00",
        "90.00",
    )
    over = {**body, "lines": [{"invoice_line": line.pk, "quantity": "4"}]}
    refused = accountant.post("/api/v1/credit-notes/", over, format="json")
    assert refused.json()["errors"] == {
        "non_field_errors": ["Widget: at most 3 can be credited (4 invoiced, 1 already credited)."]
    }
    kept = accountant.delete(f"/api/v1/credit-notes/{note['id']}/")
    assert kept.status_code == 409
    assert kept.json()["detail"] == f"Credit note {number} is issued and can never be deleted."
    listed = accountant.get("/api/v1/credit-notes/", {"invoice": invoice.pk}).json()
    assert [row["number"] for row in listed["results"]] == [number]

    owed = accountant.get(f"/api/v1/receivables/{customer.pk}/").json()
    assert owed == {
        "customer": customer.pk,
        "code": customer.code,
        "name": "Acme Retail",
        "currency": "USD",
        "opening": "0.00",
        "invoices_open": "90.00",
        "unapplied_credit": "0.00",
        "balance": "90.00",
        "uninvoiced_orders": "0.00",
        "exposure": "90.00",
        "credit_limit": None,
        "available_credit": None,
    }
    day = today.isoformat()
    statement = accountant.get(
        f"/api/v1/receivables/{customer.pk}/statement/", {"start": day, "end": day}
    ).json()
    assert (statement["opening"], statement["closing"]) == ("0.00", "90.00")
    assert [(r["kind"], r["number"], r["amount"], r["balance"]) for r in statement["rows"]] == [
        ("invoice", invoice.number, "120.00", "120.00"),
        ("credit_note", number, "-30.00", "90.00"),
    ]
    backwards = accountant.get(
        f"/api/v1/receivables/{customer.pk}/statement/", {"start": day, "end": "2000-01-01"}
    )
    assert backwards.status_code == 400
    assert backwards.json()["errors"] == {"non_field_errors": ["The period ends before it starts."]}
    unknown = accountant.get(
        f"/api/v1/receivables/{customer.pk}/statement/", {"start": day, "currency": "JPY"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {
        "currency": ["Select a valid choice. JPY is not one of the available choices."]
    }
    everyone = accountant.get("/api/v1/receivables/").json()["results"]
    assert [(r["name"], r["balance"]) for r in everyone] == [("Acme Retail", "90.00")]


def test_record_a_payment_once_and_read_it(accountant, customer, make_user):  # noqa: F811
    invoice = services.invoice_issue(invoice=free_invoice(customer, ("Job", "1", "100.00", "20")))
    body = {
        "customer": customer.pk,
        "amount": "150.00",
        "reference": "BANK-1",
        "allocations": [{"invoice": invoice.pk, "amount": "120.00"}],
    }
    first = accountant.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert first.status_code == 201, first.content
    paid = first.json()
    assert (paid["amount"], paid["allocated"], paid["credit_left"], paid["status"]) == (
        "150.00",
        "120.00",
        "30.00",
        "posted",
    )
    assert [(a["invoice"], a["amount"]) for a in paid["allocations"]] == [(invoice.pk, "120.00")]
    again = accountant.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert again.json() == paid and again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    shown = accountant.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (shown["payment_status"], shown["open_amount"]) == ("paid", "0.00")
    assert [a["payment"] for a in shown["allocations"]] == [paid["id"]]
    owed = accountant.get(f"/api/v1/receivables/{customer.pk}/").json()
    assert (owed["invoices_open"], owed["unapplied_credit"], owed["balance"]) == (
        "0.00",
        "30.00",
        "-30.00",
    )

    twice = accountant.post("/api/v1/payments/", body, format="json")
    assert twice.status_code == 400
    assert twice.json()["errors"] == {"allocations": [f"Invoice {invoice.number} is already paid."]}
    zero = accountant.post("/api/v1/payments/", {**body, "amount": "0"}, format="json")
    assert zero.json()["errors"] == {"amount": ["Enter an amount greater than zero."]}
    assert Payment.objects.count() == 1

    sales = token_client(make_user("Sales", email="sales-desk@example.test"))
    assert sales.get(f"/api/v1/payments/{paid['id']}/").status_code == 200
    assert sales.post("/api/v1/payments/", body, format="json").status_code == 403
    login = make_user("Customer", email="stranger@example.test")
    make_customer("Stranger Ltd", portal_user=login)
    stranger = token_client(login)
    assert stranger.get(f"/api/v1/payments/{paid['id']}/").status_code == 404
    assert stranger.get("/api/v1/payments/").json()["results"] == []
