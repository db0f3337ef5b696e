"""Invoicing screens: role matrix per URL, the editor's HTMX partials, list filters and
query counts, issue / void / credit note / email / delete from the browser's requests."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core.audit import events_for
from apps.invoicing import services
from apps.invoicing.models import CreditNote, Invoice, InvoiceStatus
from tests.sales.factories import make_customer, tax

from .conftest import DAY, free_invoice

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
D = Decimal


@pytest.fixture
def accountant(client_for):
    return client_for(Role.ACCOUNTANT)


@pytest.fixture
def issued(customer):
    draft = free_invoice(customer, ("Consulting", "2", "100.00", "20"), issue_date=DAY)
    return services.invoice_issue(invoice=draft)


def test_role_matrix_per_url(client_for, customer, issued):
    draft = free_invoice(customer, ("Audit", "1", "50.00", None))
    note = services.credit_note_create(invoice=issued, reason="Discount agreed")
    read_urls = [
        reverse("invoice-list"),
        reverse("invoice-detail", args=[issued.pk]),
        reverse("invoice-detail", args=[draft.pk]),
        reverse("invoice-xml", args=[issued.pk]),
        reverse("credit-note-list"),
        reverse("credit-note-detail", args=[note.pk]),
    ]
    write_urls = [
        reverse("invoice-create"),
        reverse("invoice-update", args=[draft.pk]),
        reverse("invoice-void", args=[issued.pk]),
        reverse("invoice-delete", args=[draft.pk]),
        reverse("invoice-email", args=[issued.pk]),
        reverse("credit-note-create", args=[issued.pk]),
    ]
    expected = {
        Role.ADMIN: (200, 200),
        Role.ACCOUNTANT: (200, 200),
        Role.SALES: (200, 403),
        Role.VIEWER: (200, 403),
        Role.WAREHOUSE: (403, 403),
        Role.CUSTOMER: (403, 403),
    }
    for role, (read, write) in expected.items():
        client = client_for(role)
        assert [client.get(u).status_code for u in read_urls] == [read] * len(read_urls), role
        assert [client.get(u).status_code for u in write_urls] == [write] * len(write_urls), role
        posted = client.post(reverse("invoice-issue", args=[draft.pk]))
        assert posted.status_code == (302 if write == 200 else 403), role
        if write == 200:
            break  # the draft is issued now
    assert client_for(Role.SALES).post(reverse("invoice-void", args=[issued.pk])).status_code == 403


def test_nav_shows_invoices_to_readers_only(client_for):
    assert b'href="/invoices/"' in client_for(Role.VIEWER).get("/").content
    assert b'href="/invoices/credit-notes/"' in client_for(Role.ACCOUNTANT).get("/").content
    assert b'href="/invoices/"' not in client_for(Role.WAREHOUSE).get("/").content


def test_list_filters_search_csv_and_query_count(
    accountant, customer, issued, django_assert_max_num_queries
):
    other = make_customer("Other Co")
    draft = free_invoice(other, ("Audit", "3", "40.00", None))
    late = services.invoice_issue(
        invoice=free_invoice(other, ("Old job", "1", "10.00", None)),
        issue_date=dt.date(2026, 1, 2),
    )
    fresh = services.invoice_issue(invoice=free_invoice(customer, ("Fresh", "1", "10.00", None)))
    url = reverse("invoice-list")

    def ids(**params):
        partial = accountant.get(url, params, **HX)
        assert partial.content.lstrip().startswith(b'<div id="table"')  # the partial only
        # The rows from the full page's table (the partial writes its table in one pass,
        # apps/core/table_html.py, which renders no template the test client records).
        response = accountant.get(url, params)
        return [row.record.pk for row in response.context["table"].page.object_list]

    assert ids(status="draft") == [draft.pk]
    assert ids(status="overdue") == [issued.pk, late.pk]  # due 2026-04-01 and 2026-02-01
    assert ids(status="unpaid") == [fresh.pk]  # issued today, due in 30 days
    assert ids(customer=customer.pk) == [fresh.pk, issued.pk]
    assert ids(q="other", status="issued") == [late.pk]
    assert ids(q=issued.number) == [issued.pk]
    assert ids(min_total="200") == [issued.pk]
    assert ids(max_total="50", status="issued") == [fresh.pk, late.pk]
    assert ids(start="2026-03-01", end="2026-03-31", status="issued") == [issued.pk]
    csv = accountant.get(url, {"status": "overdue", "customer": customer.pk, "_export": "csv"})
    rows = b"".join(csv.streaming_content).decode().strip().splitlines()
    assert rows[0] == "Number,Date,Customer,Series,Status,Due,Total,Open,Currency"
    assert (
        rows[1]
        == f"{issued.number},2026-03-02,Acme Retail,INV,overdue,2026-04-01,240.00,240.00,USD"
    )
    assert len(rows) == 2
    with django_assert_max_num_queries(14) as few:
        accountant.get(url, **HX)
    for n in range(10):
        services.invoice_issue(invoice=free_invoice(customer, (f"Job {n}", "1", "5.00", "20")))
    with django_assert_max_num_queries(len(few.captured_queries)):
        accountant.get(url, **HX)
    with django_assert_max_num_queries(14) as few_notes:
        accountant.get(reverse("credit-note-list"), **HX)
    services.invoice_void(invoice=late, reason="Duplicate")
    with django_assert_max_num_queries(len(few_notes.captured_queries)):
        accountant.get(reverse("credit-note-list"), **HX)


def test_editor_adds_lines_and_answers_only_the_changed_regions(accountant, customer):
    tax("20")
    response = accountant.post(reverse("invoice-create"), {"customer": customer.code})
    invoice = Invoice.objects.get()
    assert response.url == reverse("invoice-update", args=[invoice.pk])
    page = accountant.get(response.url)
    assert b"Issue invoice" in page.content and b'id="add-product"' in page.content
    rate = tax("20")
    added = accountant.post(
        reverse("invoice-line-add", args=[invoice.pk]),
        {"description": "Consulting", "quantity": "3", "unit_price": "120.00", "tax_rate": rate.pk},
        **HX,
    )
    assert added.content.lstrip().startswith(b'<div id="editor">')
    line = invoice.lines.get()
    assert (line.net, line.tax, line.total) == (D("360.00"), D("72.00"), D("432.00"))
    changed = accountant.post(
        reverse("invoice-line-update", args=[invoice.pk, line.pk]),
        {
            f"l{line.pk}-description": "Consulting",
            f"l{line.pk}-quantity": "2",
            f"l{line.pk}-unit_price": "120.00",
            f"l{line.pk}-discount_percent": "10",
            f"l{line.pk}-tax_rate": rate.pk,
        },
        **HX,
    )
    html = changed.content.decode()
    assert html.lstrip().startswith(f'<div id="line-{line.pk}-amount"')
    assert 'id="invoice-totals" hx-swap-oob="true"' in html
    assert 'id="add-product"' not in html  # the inputs are never overwritten
    assert "259.20" in html  # 2 x 120 - 10 % = 216.00 + 43.20 tax
    invoice.refresh_from_db()
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        D("216.00"),
        D("43.20"),
        D("259.20"),
    )
    bad = accountant.post(
        reverse("invoice-line-update", args=[invoice.pk, line.pk]),
        {
            f"l{line.pk}-description": "Consulting",
            f"l{line.pk}-quantity": "-1",
            f"l{line.pk}-unit_price": "120.00",
        },
        **HX,
    )
    assert "Enter a quantity greater than zero." in bad.content.decode()
    assert Invoice.objects.get().total == D("259.20")
    header = accountant.post(
        reverse("invoice-update", args=[invoice.pk]),
        {
            "header-payment_terms_days": "14",
            "header-discount_amount": "16.00",
            "header-billing_name": "Acme Retail SA",
        },
        **HX,
    )
    assert header.status_code == 200
    invoice.refresh_from_db()
    assert (invoice.payment_terms_days, invoice.net_total, invoice.total) == (
        14,
        D("200.00"),
        D("240.00"),
    )


def test_invoice_an_order_issue_void_and_credit(accountant, confirmed_order):
    page = accountant.get(reverse("order-detail", args=[confirmed_order.pk]))
    assert b"Invoice this order" in page.content
    lines = list(confirmed_order.lines.order_by("position"))
    form = accountant.get(reverse("invoice-create-from-order", args=[confirmed_order.pk]))
    assert f'name="line_{lines[0].pk}"'.encode() in form.content
    created = accountant.post(
        reverse("invoice-create-from-order", args=[confirmed_order.pk]),
        {f"line_{lines[0].pk}": "2", f"line_{lines[1].pk}": "0"},
    )
    invoice = Invoice.objects.get()
    assert created.url == reverse("invoice-update", args=[invoice.pk])
    assert invoice.total == D("24.00")  # 2 x 10.00 + 20 %
    too_many = accountant.post(
        reverse("invoice-create-from-order", args=[confirmed_order.pk]),
        {f"line_{lines[0].pk}": "5"},
    )
    assert "WID-1: at most 1 can be invoiced" in too_many.content.decode()
    accountant.post(reverse("invoice-issue", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.number.startswith("INV-")
    detail = accountant.get(invoice.get_absolute_url()).content.decode()
    assert "Void invoice" in detail and "Email invoice" in detail and "invoice.issued" not in detail
    credit = accountant.post(
        reverse("credit-note-create", args=[invoice.pk]),
        {"reason": "One damaged", [f"line_{x.pk}" for x in invoice.lines.all()][0]: "1"},
    )
    note = CreditNote.objects.get()
    assert credit.url == note.get_absolute_url() and note.total == D("12.00")
    accountant.post(reverse("credit-note-issue", args=[note.pk]))
    note.refresh_from_db()
    assert note.number.startswith("CN-")
    no_reason = accountant.post(reverse("invoice-void", args=[invoice.pk]), {"reason": ""})
    assert "This field is required." in no_reason.content.decode()
    accountant.post(reverse("invoice-void", args=[invoice.pk]), {"reason": "Order cancelled"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert CreditNote.objects.issued().count() == 2
    assert sum(n.total for n in CreditNote.objects.all()) == D("24.00")


def test_delete_draft_asks_first_and_issued_cannot_be_deleted(accountant, customer, issued):
    draft = free_invoice(customer, ("Audit", "1", "50.00", None))
    ask = accountant.get(reverse("invoice-delete", args=[draft.pk]))
    assert b"Delete draft" in ask.content and Invoice.objects.filter(pk=draft.pk).exists()
    accountant.post(reverse("invoice-delete", args=[draft.pk]))
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    accountant.post(reverse("invoice-delete", args=[issued.pk]))
    assert Invoice.objects.get(pk=issued.pk).status == InvoiceStatus.ISSUED


def test_email_sends_the_pdf_and_records_date_and_recipient(
    accountant, issued, django_capture_on_commit_callbacks
):
    bad = accountant.post(reverse("invoice-email", args=[issued.pk]), {"to": "not-an-email"})
    assert "Enter a valid email address." in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        accountant.post(
            reverse("invoice-email", args=[issued.pk]), {"to": "billing@acme.test", "message": ""}
        )
    (message,) = mail.outbox
    assert message.to == ["billing@acme.test"]
    assert message.subject.startswith(f"Invoice {issued.number} from ")
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (f"{issued.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    issued.refresh_from_db()
    assert issued.sent_to == "billing@acme.test" and issued.sent_at is not None
    assert [e.event for e in events_for(issued)][:2] == ["invoice.emailed", "invoice.email_queued"]
    assert b"Emailed" in accountant.get(issued.get_absolute_url()).content


def test_dashboard_invoices_card_counts_open_overdue_and_month(accountant, customer, issued):
    services.invoice_issue(
        invoice=free_invoice(customer, ("Old", "1", "10.00", None)),
        issue_date=dt.date(2026, 1, 2),
    )
    from apps.invoicing.selectors import dashboard_figures

    def figures_now():
        return dict(dashboard_figures())

    services.invoice_issue(invoice=free_invoice(customer, ("New", "1", "5.00", None)))
    assert figures_now() == {
        "Open": "3 · 255.00 USD",
        "Overdue": "2 · 250.00 USD",  # both issued long before today
        "Issued this month": "1 · 5.00 USD",
    }
    page = accountant.get("/").content.decode()
    assert "Issued this month" in page and "Coming soon" not in page.split("Invoices")[1][:400]


def test_customer_page_shows_the_receivable(accountant, customer, issued):
    services.credit_note_issue(
        credit_note=services.credit_note_create(
            invoice=issued, reason="Goodwill", quantities={issued.lines.get().pk: "1"}
        )
    )
    html = accountant.get(customer.get_absolute_url()).content.decode()
    assert 'id="customer-invoices"' in html and issued.number in html
    assert 'id="customer-credit-notes"' in html and "CN-" in html
    assert "120.00" in html  # open after the credit note: 240.00 - 120.00
