"""The customer portal's invoices: only its own (404 otherwise), PDF/XML, statement."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from apps.accounts.roles import Role
from apps.invoicing import services
from apps.invoicing.models import Invoice
from tests.sales.factories import make_customer

from .conftest import free_invoice

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def portal(books, make_user):
    user_a = make_user(Role.CUSTOMER, email="a@example.test")
    user_b = make_user(Role.CUSTOMER, email="b@example.test")
    a = make_customer("Customer A", portal_user=user_a)
    b = make_customer("Customer B", portal_user=user_b)
    invoice_a = services.invoice_issue(
        invoice=free_invoice(a, ("Service A", "1", "100.00", "20")),
        issue_date=dt.date(2026, 2, 10),
    )
    invoice_b = services.invoice_issue(
        invoice=free_invoice(b, ("Service B", "1", "70.00", None)),
        issue_date=dt.date(2026, 2, 11),
    )
    client = Client()
    client.force_login(user_a)
    return client, a, invoice_a, invoice_b


def test_a_customer_sees_and_downloads_only_its_own_documents(portal):
    client, a, invoice_a, invoice_b = portal
    draft_a = free_invoice(a, ("Not yet", "1", "10.00", None))
    listing = client.get(reverse("portal-invoices")).content.decode()
    assert invoice_a.number in listing and invoice_b.number not in listing
    assert "Not yet" not in listing
    pdf = client.get(reverse("portal-invoice-pdf", args=[invoice_a.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "private, no-store"
    assert invoice_a.number in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    xml = client.get(reverse("portal-invoice-xml", args=[invoice_a.pk]))
    assert b"<ram:GrandTotalAmount>120.00</ram:GrandTotalAmount>" in xml.content
    for name in ("portal-invoice-pdf", "portal-invoice-xml"):
        assert client.get(reverse(name, args=[invoice_b.pk])).status_code == 404
        assert client.get(reverse(name, args=[draft_a.pk])).status_code == 404
        assert client.get(reverse(name, args=[999999])).status_code == 404
    note_b = services.credit_note_issue(
        credit_note=services.credit_note_create(invoice=invoice_b, reason="Goodwill")
    )
    for name in ("portal-credit-note-pdf", "portal-credit-note-xml"):
        assert client.get(reverse(name, args=[note_b.pk])).status_code == 404
    # staff URLs stay closed to customers
    assert client.get(reverse("invoice-pdf", args=[invoice_a.pk])).status_code == 403
    assert client.get(reverse("invoice-list")).status_code == 403


def test_statement_page_and_pdf_with_running_balance(portal):
    client, a, invoice_a, _invoice_b = portal
    later = services.invoice_issue(
        invoice=free_invoice(a, ("Service C", "2", "25.00", None)),
        issue_date=dt.date(2026, 3, 5),
    )
    services.credit_note_issue(
        credit_note=services.credit_note_create(
            invoice=later, reason="One unit back", quantities={later.lines.get().pk: "1"}
        ),
        issue_date=dt.date(2026, 3, 6),
    )
    page = client.get(reverse("portal-statement"), {"start": "2026-03-01", "end": "2026-03-31"})
    statement = page.context["statement"]
    assert statement.opening == D("120.00")
    assert [(r.kind, r.amount, r.balance) for r in statement.rows] == [
        ("invoice", D("50.00"), D("170.00")),
        ("credit_note", D("-25.00"), D("145.00")),
    ]
    assert statement.closing == D("145.00")
    html = page.content.decode()
    assert later.number in html and "145.00" in html
    pdf = client.get(
        reverse("portal-statement"), {"start": "2026-03-01", "end": "2026-03-31", "format": "pdf"}
    )
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert pdf["Content-Type"] == "application/pdf"
    assert "Statement of account" in text and "145.00" in text and "Customer B" not in text
    bad = client.get(reverse("portal-statement"), {"start": "2026-04-01", "end": "2026-03-01"})
    assert "The period ends before it starts." in bad.content.decode()


@pytest.mark.django_db(transaction=True)
def test_pdf_downloads_are_the_stored_bytes_every_time(books, make_user, client_for):
    user = make_user(Role.CUSTOMER, email="c@example.test")
    customer = make_customer("Customer C", portal_user=user)
    invoice = services.invoice_issue(invoice=free_invoice(customer, ("Job", "1", "80.00", "20")))
    stored = Invoice.objects.get(pk=invoice.pk).pdf.read()
    portal = Client()
    portal.force_login(user)
    staff = client_for(Role.VIEWER)
    downloads = [
        portal.get(reverse("portal-invoice-pdf", args=[invoice.pk])).content,
        portal.get(reverse("portal-invoice-pdf", args=[invoice.pk])).content,
        staff.get(reverse("invoice-pdf", args=[invoice.pk])).content,
        staff.get(reverse("invoice-pdf", args=[invoice.pk]), {"archived": "1"}).content,
    ]
    assert all(d == stored for d in downloads)
    name = Invoice.objects.get(pk=invoice.pk).pdf.name
    assert staff.get(f"/media/{name}").status_code == 404  # stored outside MEDIA_ROOT
