"""The model -> PrintDocument adapter, the stored PDF and the downloads' bytes."""

import hashlib
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from apps.core.models import CompanySettings
from apps.invoicing import services
from apps.invoicing.models import Invoice
from apps.invoicing.printing import (
    document_pdf,
    document_xml,
    invoice_print_document,
)
from apps.invoicing.rendering.document import Stamp
from apps.invoicing.rendering.validation import facturx_failures

from .conftest import DAY

D = Decimal


@pytest.fixture
def company(books):
    settings = CompanySettings.load()
    settings.name = "Demo Trading Ltd"
    settings.address = "1 Market Street"
    settings.postal_code = "75001"
    settings.city = "Paris"
    settings.country_code = "FR"
    settings.tax_id = "FR40303265045"
    settings.iban = "FR7630006000011234567890189"
    settings.bic = "AGRIFRPP"
    settings.save()
    return settings


def attached_xml(pdf: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    return reader.attachments["factur-x.xml"][0]


@pytest.mark.django_db(transaction=True)
def test_issued_invoice_stores_a_valid_facturx_pdf_served_byte_identical(company, confirmed_order):
    draft = services.invoice_create_from_order(order=confirmed_order, issue_date=DAY)
    services.invoice_issue(invoice=draft)
    invoice = Invoice.objects.get(pk=draft.pk)
    # the on-commit task (django-q2, sync in tests) stored the PDF and its hash
    assert re.fullmatch(rf"invoicing/\d{{4}}/{invoice.number}(_\w+)?\.pdf", invoice.pdf.name)
    stored = invoice.pdf.read()
    assert invoice.pdf_sha256 == hashlib.sha256(stored).hexdigest()
    assert document_pdf(invoice) == stored
    assert document_pdf(Invoice.objects.get(pk=draft.pk)) == stored
    xml = attached_xml(stored)
    assert facturx_failures(xml) == []
    assert xml == document_xml(invoice)
    assert b"<ram:GrandTotalAmount>51.00</ram:GrandTotalAmount>" in xml
    assert b'<ram:TaxTotalAmount currencyID="USD">6.00</ram:TaxTotalAmount>' in xml
    doc = invoice_print_document(invoice)
    assert doc.creditor_reference.startswith("RF")
    assert doc.seller.iban == "FR7630006000011234567890189"
    assert [(line.sku, line.net, line.tax) for line in doc.lines] == [
        ("WID-1", D("30.00"), D("6.00")),
        ("BOLT-1", D("15.00"), D("0.00")),
    ]


@pytest.mark.django_db(transaction=True)
def test_void_and_draft_views_are_stamped_the_archive_is_not(company, customer):
    from .conftest import free_invoice

    draft = free_invoice(customer, ("Consulting", "2", "100.00", "20"), issue_date=DAY)
    assert invoice_print_document(draft).stamp is Stamp.DRAFT
    issued = services.invoice_issue(invoice=draft)
    stored = Invoice.objects.get(pk=issued.pk).pdf.read()
    services.invoice_void(invoice=issued, reason="Wrong customer")
    voided = Invoice.objects.get(pk=issued.pk)
    assert invoice_print_document(voided).stamp is Stamp.VOID
    assert invoice_print_document(voided, as_issued=True).stamp is Stamp.NONE
    assert document_pdf(voided, archived=True) == stored
    stamped = document_pdf(voided)
    assert stamped != stored
    assert "VOID" in PdfReader(io.BytesIO(stamped)).pages[0].extract_text()
