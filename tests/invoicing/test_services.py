"""Invoices and credit notes through the services, against the real database and ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.customers.services import customer_update
from apps.invoicing import selectors, services
from apps.invoicing.models import Allocation, CreditNote, Invoice, InvoiceLine, InvoiceStatus
from apps.invoicing.services import InvoicingError
from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry
from apps.sales import services as sales
from apps.sales.models import ReturnDisposition
from tests.sales.factories import make_customer, rate

from .conftest import DAY, D, assert_books_ok, free_invoice

pytestmark = pytest.mark.django_db


def balance(code: str) -> Decimal:
    return Account.objects.get(code=code).balance


def test_an_order_is_invoiced_issued_and_posted(confirmed_order):
    invoice = services.invoice_create_from_order(order=confirmed_order)
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        D("45.00"),
        D("6.00"),
        D("51.00"),
    )
    invoice = services.invoice_issue(invoice=invoice, issue_date=DAY)
    assert invoice.number == "INV-2026-00001"
    assert invoice.due_date == dt.date(2026, 4, 1)
    assert invoice.exchange_rate == 1 and invoice.total_base == D("51.00")
    assert (balance(chart.AR), balance(chart.SALES_REVENUE), balance(chart.TAX_PAYABLE)) == (
        D("51.00"),
        D("45.00"),
        D("6.00"),
    )
    assert len(invoice.content_hash) == 64 and invoice.previous_hash == "0" * 64
    assert selectors.payment_status(invoice, today=dt.date(2026, 3, 5)) == "unpaid"
    assert selectors.payment_status(invoice, today=dt.date(2026, 4, 2)) == "overdue"
    assert selectors.customer_receivable(invoice.customer).balance == D("51.00")
    assert_books_ok()


def test_partial_invoices_never_exceed_the_order(confirmed_order):
    widget, bolt = confirmed_order.lines.order_by("position", "id")
    first = services.invoice_create_from_order(order=confirmed_order, quantities={widget.pk: 2})
    assert first.total == D("24.00")
    with pytest.raises(InvoicingError) as err:
        services.invoice_create_from_order(order=confirmed_order, quantities={widget.pk: 2})
    assert err.value.messages == [
        "WID-1: at most 1 can be invoiced (3 ordered, 0 returned, 2 invoiced)."
    ]
    rest = services.invoice_create_from_order(order=confirmed_order)
    assert sorted(rest.lines.values_list("sku", "quantity")) == [
        ("BOLT-1", D("2")),
        ("WID-1", D("1")),
    ]
    with pytest.raises(InvoicingError, match="fully invoiced"):
        services.invoice_create_from_order(order=confirmed_order)
    assert Invoice.objects.count() == 2
    # deleting a draft frees its units again
    services.invoice_delete(invoice=first)
    again = services.invoice_create_from_order(order=confirmed_order)
    assert list(again.lines.values_list("sku", "quantity")) == [("WID-1", D("2"))]


def test_free_invoice_with_invoice_discount_and_breakdown(customer):
    invoice = free_invoice(
        customer,
        ("Consulting", "1.5", "100.00", "20"),
        ("Travel", "1", "33.33", None),
        ("Books", "3", "9.99", "5.5"),
        discount_amount="10.00",
    )
    lines = list(invoice.lines.all())
    assert sum(line.document_discount for line in lines) == D("10.00")
    assert invoice.subtotal == D("213.30")
    assert invoice.net_total == D("203.30")
    assert invoice.tax_total == sum(line.tax for line in lines)
    groups = selectors.invoice_breakdown(invoice)
    assert [g.percent for g in groups] == [D("0"), D("5.5"), D("20")]
    assert sum(g.tax for g in groups) == invoice.tax_total
    assert sum(g.net for g in groups) == invoice.net_total


def test_issuing_twice_is_refused_and_changes_nothing(customer):
    invoice = services.invoice_issue(invoice=free_invoice(customer, ("Work", "1", "10.00", None)))
    entries = JournalEntry.objects.count()
    with pytest.raises(InvoicingError, match=f"Invoice {invoice.number} is already issued."):
        services.invoice_issue(invoice=invoice)
    assert JournalEntry.objects.count() == entries


def test_issued_invoices_are_immutable_through_the_services(customer):
    invoice = services.invoice_issue(invoice=free_invoice(customer, ("Work", "1", "10.00", None)))
    line = invoice.lines.get()
    refused = [
        lambda: services.invoice_line_add(
            invoice=invoice, description="x", quantity=1, unit_price="1"
        ),
        lambda: services.invoice_line_update(line=line, quantity=2),
        lambda: services.invoice_line_remove(line=line),
        lambda: services.invoice_update(invoice=invoice, terms="new"),
    ]
    for call in refused:
        with pytest.raises(InvoicingError, match="only drafts can be edited"):
            call()
    with pytest.raises(InvoicingError, match="can never be deleted; void it instead"):
        services.invoice_delete(invoice=invoice)
    assert InvoiceLine.objects.get().quantity == 1


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "Enter a quantity greater than zero."),
        ({"quantity": "-2"}, "quantity", "Enter a quantity greater than zero."),
        ({"quantity": "1.2345"}, "quantity", "Use at most 3 decimal places."),
        ({"unit_price": "1.234"}, "unit_price", "Use at most 2 decimal places."),
        ({"unit_price": "-1"}, "unit_price", "The amount cannot be negative."),
        ({"discount_percent": "101"}, "discount_percent", "Enter a percentage between 0 and 100."),
        ({"tax_rate": 999999}, "tax_rate", "Unknown tax rate: 999999."),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(customer, line, field, message):
    row = {"description": "Work", "quantity": "1", "unit_price": "10.00", **line}
    with pytest.raises(InvoicingError) as err:
        services.invoice_create(customer=customer, lines=[row])
    assert err.value.message_dict == {field: [message]}
    assert Invoice.objects.count() == 0 and InvoiceLine.objects.count() == 0


def test_a_missing_rate_is_a_clear_error(books):
    customer = make_customer("Euro GmbH", code="EUR")
    with pytest.raises(InvoicingError) as err:
        free_invoice(customer, ("Work", "1", "10.00", None), issue_date=DAY)
    assert err.value.message_dict == {
        "currency": [
            "No exchange rate for EUR on or before 2026-03-02. Add one under Finance > Exchange rates."
        ]
    }
    assert Invoice.objects.count() == 0


def test_foreign_currency_posts_base_amounts_from_the_rate_snapshot(books):
    rate("EUR", "1.08500000", dt.date(2026, 1, 1))
    customer = make_customer("Euro GmbH", code="EUR")
    invoice = free_invoice(
        customer, ("A", "3", "33.33", "19.6"), ("B", "1", "0.05", "7"), issue_date=DAY
    )
    invoice = services.invoice_issue(invoice=invoice)
    entry = invoice.journal_entry
    lines = list(entry.lines.all())
    assert sum(x.base_debit for x in lines) == sum(x.base_credit for x in lines)
    assert sum(x.debit for x in lines) == sum(x.credit for x in lines) == invoice.total
    assert invoice.total == D("119.64") and invoice.total_base == D("129.81")  # x 1.085
    assert balance(chart.AR) == invoice.total_base
    assert_books_ok()


def test_credit_note_applies_to_the_invoice_then_leaves_credit(confirmed_order):
    invoice = services.invoice_issue(
        invoice=services.invoice_create_from_order(order=confirmed_order), issue_date=DAY
    )
    widget = invoice.lines.get(sku="WID-1")
    note = services.credit_note_create(invoice=invoice, quantities={widget.pk: 1}, reason="Damaged")
    assert (note.net_total, note.tax_total, note.total) == (D("10.00"), D("2.00"), D("12.00"))
    note = services.credit_note_issue(credit_note=note, issue_date=DAY)
    assert note.number == "CN-2026-00001" and note.previous_hash == invoice.content_hash
    assert selectors.invoice_open_amount(invoice) == D("39.00")
    assert selectors.payment_status(invoice, today=DAY) == "partially_paid"
    assert (balance(chart.AR), balance(chart.SALES_RETURNS), balance(chart.TAX_PAYABLE)) == (
        D("39.00"),
        D("-10.00"),
        D("4.00"),
    )
    with pytest.raises(InvoicingError) as err:
        services.credit_note_create(invoice=invoice, quantities={widget.pk: 3}, reason="Too much")
    assert err.value.messages == [
        "WID-1: at most 2 can be credited (3 invoiced, 1 already credited)."
    ]
    # void: a credit note for everything left, the invoice closes at zero
    services.invoice_void(invoice=invoice, reason="Wrong customer")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert CreditNote.objects.aggregate(t=Sum("total"))["t"] == D("51.00")
    assert selectors.invoice_open_amount(invoice) == D("0.00")
    assert (balance(chart.AR), balance(chart.SALES_RETURNS), balance(chart.TAX_PAYABLE)) == (
        D("0.00"),
        D("-45.00"),
        D("0.00"),
    )
    assert_books_ok()


def test_void_needs_a_reason(customer):
    invoice = services.invoice_issue(invoice=free_invoice(customer, ("Work", "1", "10.00", None)))
    with pytest.raises(InvoicingError) as err:
        services.invoice_void(invoice=invoice, reason=" ")
    assert err.value.message_dict == {"reason": ["Give a reason for voiding the invoice."]}


def test_credit_note_from_a_return_and_unapplied_credit(confirmed_order):
    invoice = services.invoice_issue(
        invoice=services.invoice_create_from_order(order=confirmed_order), issue_date=DAY
    )
    # the first credit note settles most of the invoice ...
    services.credit_note_issue(
        credit_note=services.credit_note_create(
            invoice=invoice, quantities={invoice.lines.get(sku="WID-1").pk: 3}, reason="Price"
        ),
        issue_date=DAY,
    )
    assert selectors.invoice_open_amount(invoice) == D("15.00")
    widget_line = confirmed_order.lines.get(product_sku="BOLT-1")
    ret = sales.return_create(
        order=confirmed_order,
        quantities={widget_line.pk: 2},
        reason="Unwanted",
        disposition=ReturnDisposition.WRITE_OFF,
    )
    (note,) = services.credit_note_create_from_return(return_doc=ret)
    assert note.return_doc == ret and note.total == D("15.00")
    services.credit_note_issue(credit_note=note, issue_date=DAY)
    assert Allocation.objects.aggregate(t=Sum("amount"))["t"] == D("51.00")
    with pytest.raises(InvoicingError, match="no credit note is needed"):
        services.credit_note_create_from_return(return_doc=ret)
    assert_books_ok()


def test_credit_notes_settle_the_invoice_to_exactly_zero(customer):
    first = services.invoice_issue(
        invoice=free_invoice(customer, ("A", "1", "100.00", None)), issue_date=DAY
    )
    half = services.credit_note_create(
        invoice=first, quantities={first.lines.get().pk: "0.5"}, reason="Half"
    )
    services.credit_note_issue(credit_note=half, issue_date=DAY)
    note = CreditNote.objects.get()
    assert selectors.invoice_open_amount(first) == D("50.00")
    full = services.credit_note_issue(
        credit_note=services.credit_note_create(invoice=first, reason="Rest"), issue_date=DAY
    )
    assert full.total == D("50.00") and selectors.invoice_open_amount(first) == D("0.00")
    assert note.allocations.get().amount == D("50.00")
    assert selectors.customer_receivable(customer).balance == D("0.00")


def test_opening_balances_are_posted_and_follow_changes(customer):
    customer_update(customer=customer, opening_balance=D("120.00"))
    assert balance(chart.AR) == D("120.00")
    assert balance(chart.OPENING_BALANCE_EQUITY) == D("120.00")
    customer_update(customer=customer, opening_balance=D("100.00"))
    customer_update(customer=customer, opening_balance=D("100.00"))
    assert list(customer.opening_documents.values_list("amount", flat=True)) == [
        D("120.00"),
        D("-20.00"),
    ]
    assert balance(chart.AR) == D("100.00")
    assert selectors.customer_receivable(customer).balance == D("100.00")
    assert_books_ok()


def test_credit_limit_counts_receivable_and_uninvoiced_orders(confirmed_order):
    customer = confirmed_order.customer
    assert selectors.customer_exposure(customer) == D("51.00")
    widget = confirmed_order.lines.get(product_sku="WID-1")
    invoice = services.invoice_create_from_order(order=confirmed_order, quantities={widget.pk: 3})
    assert selectors.customer_exposure(customer) == D("51.00")  # a draft bills nothing yet
    services.invoice_issue(invoice=invoice, issue_date=DAY)
    summary = selectors.customer_summary(customer)
    assert (summary.balance, summary.uninvoiced_orders, summary.exposure) == (
        D("36.00"),
        D("15.00"),
        D("51.00"),
    )


def test_the_django_admin_cannot_edit_invoicing_documents():
    from django.contrib import admin

    from apps.invoicing.models import CreditNoteLine

    for model in (Invoice, InvoiceLine, CreditNote, CreditNoteLine, Allocation):
        assert model not in admin.site._registry


def test_the_pdf_is_stored_once_after_commit(customer, settings, tmp_path, monkeypatch):
    import hashlib

    from apps.invoicing.services import pdf

    settings.MEDIA_ROOT = tmp_path
    calls = []

    def render(document):
        calls.append(document.number)
        return b"%PDF-1.7 " + document.number.encode()

    draft = free_invoice(customer, ("Work", "1", "10.00", None))
    assert pdf.invoice_store_pdf(draft) is False  # a draft has no PDF
    invoice = services.invoice_issue(invoice=draft, issue_date=DAY)
    # (the real renderer, apps.invoicing.printing, is tested in test_printing.py)
    monkeypatch.setattr(pdf, "PDF_RENDERER", render)
    assert pdf.invoice_store_pdf(invoice) is True
    invoice.refresh_from_db()
    assert invoice.pdf.read() == b"%PDF-1.7 INV-2026-00001"
    assert invoice.pdf_sha256 == hashlib.sha256(b"%PDF-1.7 INV-2026-00001").hexdigest()
    assert pdf.invoice_store_pdf(invoice) is False and calls == ["INV-2026-00001"]
    assert invoice.content_hash == services.common.document_hash(invoice)  # not in the hash
