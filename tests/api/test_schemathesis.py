"""Schemathesis over the whole OpenAPI schema, in-process (WSGI), as an Admin and as a
portal customer: no 5xx, every status code documented, every response (incl. problem+json
errors and strict decimal strings) matches the schema.

Bounded for CI: a few examples per operation (SCHEMATHESIS_MAX_EXAMPLES, default 2).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.services import apitoken_create
from apps.customers.models import Customer
from apps.invoicing.models import BankAccount, Invoice
from apps.invoicing.services import (
    credit_note_create,
    dunning_level_create,
    invoice_create,
    invoice_issue,
    invoice_store_pdf,
    payment_record,
    pdf,
    recurring_create,
)
from apps.invoicing.services.bank import statement_upload
from apps.reports.models import ReportRun
from backoffice.wsgi import application
from tests.inventory.factories import StoreFactory
from tests.ledger.conftest import books  # noqa: F401  (fixture)
from tests.sales.factories import make_customer, make_order, make_product, stocked

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(autouse=True)
def in_process_requests(db):
    """In-process requests share the test's connection and transaction: keep Django from
    closing "old" connections at request end, as django.test.Client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def some_data(books, make_user, monkeypatch):  # noqa: F811
    """A little of everything, so ids 1, 2, ... often exist: an order of the portal
    customer, a report run (invoicing documents: `invoicing_data`)."""
    store = StoreFactory(name="Main", code="MAIN")
    product = stocked(store, make_product("10.00", sku="FZ-1"), 50)
    portal = make_user("Customer", email="fuzz-customer@example.test")
    customer = make_customer("Fuzz Ltd", portal_user=portal)
    make_order(customer, store, [(product, 2)])
    ReportRun.objects.create(type="sales", parameters={"end": "2026-01-31"})
    # downloads read stored bytes instead of running WeasyPrint in every example (the real
    # renderer is checked in tests/invoicing/test_printing.py)
    monkeypatch.setattr(pdf, "PDF_RENDERER", lambda doc: b"%PDF-1.7 " + doc.number.encode())
    return portal


INVOICING = tuple(
    f"/api/v1/{p}"
    for p in (
        "invoices",
        "credit-notes",
        "receivables",
        "payments",
        "bank",
        "dunning",
        "recurring-invoices",
    )
)


def invoicing_data(case) -> None:
    """An issued invoice with its archived PDF and a draft credit note, and a draft
    invoice, of the portal customer; a payment with credit left, a dunning level, a
    recurring template, a bank account with a previewed statement: made only for the
    invoicing operations (issuing posts and chains, too dear for the other two hundred
    cases), once per test."""
    if not case.operation.path.startswith(INVOICING) or Invoice.all_objects.exists():
        return
    customer = Customer.objects.get(name="Fuzz Ltd")
    line = {"description": "Fuzzing", "quantity": "2", "unit_price": "15.00"}
    issued = invoice_issue(invoice=invoice_create(customer=customer, lines=[line]))
    invoice_store_pdf(issued)
    credit_note_create(invoice=issued, reason="Fuzz", quantities={issued.lines.get().pk: "1"})
    invoice_create(customer=customer, lines=[line])
    payment_record(customer=customer, amount="50.00", allocations=[(issued, "10.00")])
    dunning_level_create(name="First", days_after_due=7, subject="{number}", body="{customer}")
    recurring_create(
        name="Fuzz rent",
        customer=customer,
        interval="monthly",
        day_of_month=1,
        start_date=dt.date(2026, 1, 1),
        lines=[line],
    )
    account = BankAccount.objects.create(name="Fuzz bank", currency_id=customer.currency_id)
    camt = Path(__file__).resolve().parents[2] / "docs" / "samples" / "camt053-demo.xml"
    statement_upload(account=account, upload=SimpleUploadedFile("s.xml", camt.read_bytes()))


# Loaded at collection: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.generation.update(modes=["positive"], max_examples=MAX_EXAMPLES, deterministic=True)
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)


@pytest.fixture
def admin_token(some_data, make_user):
    return apitoken_create(user=make_user("Admin", email="fuzz-admin@example.test"), name="f")[1]


@pytest.fixture
def portal_token(some_data):
    return apitoken_create(user=some_data, name="f")[1]


@pytest.mark.schemathesis
@schema.parametrize()
@FUZZ
def test_api_as_admin(case, admin_token):
    invoicing_data(case)
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=CHECKS)


# CI runs the customer's fuzz in its SQLite stage only (`once`, tests/conftest.py): its
# requests run the same views, filters and serializers as the admin's, fuzzed on both
# databases, and are mostly refused (403/404) before a query.
@pytest.mark.schemathesis
@pytest.mark.once
@schema.parametrize()
@FUZZ
def test_api_as_portal_customer(case, portal_token):
    invoicing_data(case)
    case.call_and_validate(headers={"Authorization": f"Token {portal_token}"}, checks=CHECKS)
