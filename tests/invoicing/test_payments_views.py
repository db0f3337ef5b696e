"""Payment screens: list, detail, record from an invoice and from a customer (htmx
partials), reverse, apply and refund credit; roles; bad input stays on the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.invoicing import services
from apps.invoicing.models import Payment, PaymentState
from apps.invoicing.selectors import invoice_open_amount

from .payments_helpers import DAY, D, issued

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def accountant(client_for):
    return client_for("Accountant")


def test_record_from_invoice_prefills_open_amount_and_pays_it(accountant, customer):
    invoice = issued(customer, "120.00")
    services.payment_record(
        customer=customer, amount="20.00", date=DAY, allocations={invoice: "20"}
    )
    page = accountant.get(reverse("payment-create") + f"?invoice={invoice.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="amount" value="100.00"' in html
    assert f'name="alloc_{invoice.pk}" id="id_alloc_{invoice.pk}" value="100.00"' in html
    key = page.context["form"].initial["idempotency_key"]
    data = {
        "idempotency_key": key,
        "invoice": invoice.pk,
        "customer": customer.code,
        "date": "2026-03-05",
        "method": "bank_transfer",
        "amount": "100.00",
        f"alloc_{invoice.pk}": "100.00",
        "reference": "TRF 42",
    }
    response = accountant.post(reverse("payment-create"), data)
    assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
    assert invoice_open_amount(invoice) == D("0.00")
    again = accountant.post(reverse("payment-create"), data)  # double submit: nothing more
    assert again.status_code == 302
    assert Payment.objects.count() == 2


def test_customer_screen_lists_open_invoices_and_keeps_remaining_live(accountant, customer):
    old = issued(customer, "50.00", day=DAY, terms=10)
    new = issued(customer, "70.00", day=DAY, terms=30)
    page = accountant.get(reverse("payment-create") + f"?customer={customer.code}")
    rows = [inv.pk for inv, _ in page.context["rows"]]
    assert rows == [old.pk, new.pk]  # oldest due first
    partial = accountant.get(
        reverse("payment-create"), {"customer": customer.code, "_partial": "allocation"}, **HX
    )
    assert partial.content.decode().lstrip().startswith('<div id="allocation">')
    live = accountant.post(
        reverse("payment-create"),
        {
            "_partial": "remaining",
            "amount": "100",
            f"alloc_{old.pk}": "50",
            "customer": customer.code,
        },
        **HX,
    )
    text = live.content.decode()
    assert text.lstrip().startswith('<div id="remaining"')
    assert '<strong id="remaining-amount">50.00</strong>, kept as customer credit' in text
    suggested = accountant.post(
        reverse("payment-create"),
        {"_action": "suggest", "amount": "100.00", "customer": customer.code, "date": "2026-03-05"},
    )
    form = suggested.context["form"]
    assert form.data[f"alloc_{old.pk}"] == "50.00" and form.data[f"alloc_{new.pk}"] == "50.00"


def test_over_allocation_is_a_field_error_and_changes_nothing(accountant, customer):
    invoice = issued(customer, "40.00")
    response = accountant.post(
        reverse("payment-create"),
        {
            "customer": customer.code,
            "date": "2026-03-05",
            "method": "cash",
            "amount": "100.00",
            f"alloc_{invoice.pk}": "45.00",
        },
    )
    assert response.status_code == 200
    assert "has only 40.00 USD open" in response.content.decode()
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    "amount,error",
    [
        ("-5", "Ensure this value is greater than or equal to"),
        ("abc", "Enter a number."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_bad_amounts_stay_on_the_form(accountant, customer, amount, error):
    response = accountant.post(
        reverse("payment-create"),
        {"customer": customer.code, "date": "2026-03-05", "method": "cash", "amount": amount},
    )
    assert response.status_code == 200
    assert Payment.objects.count() == 0
    if amount == "-5":
        assert "The amount cannot be negative." in response.content.decode()
    else:
        assert error in response.content.decode()


def test_detail_list_csv_reverse_and_credit(accountant, customer):
    a = issued(customer, "30.00")
    b = issued(customer, "25.00")
    payment = services.payment_record(
        customer=customer, amount="50.00", date=DAY, allocations={a: "30"}, reference="REF-7"
    )
    detail = accountant.get(payment.get_absolute_url()).content.decode()
    assert 'id="payment-credit">20.00 USD' in detail
    listing = accountant.get(reverse("payment-list"), {"q": "REF-7"})
    assert payment.number in listing.content.decode()
    empty = accountant.get(reverse("payment-list"), {"q": "nothing-like-this"})
    assert "No payments match these filters" in empty.content.decode()
    csv = accountant.get(reverse("payment-list"), {"_export": "csv"})
    assert (
        payment.number
        in b"".join(csv.streaming_content if csv.streaming else [csv.content]).decode()
    )
    apply = accountant.get(reverse("payment-credit-apply", args=[payment.pk]))
    key = apply.context["form"].initial["idempotency_key"]
    accountant.post(
        reverse("payment-credit-apply", args=[payment.pk]),
        {"idempotency_key": key, "invoice": b.pk, "amount": "20.00"},
    )
    assert invoice_open_amount(b) == D("5.00")
    refused = accountant.post(reverse("payment-reverse", args=[payment.pk]), {"reason": ""})
    assert refused.status_code == 200 and Payment.objects.get().status == PaymentState.POSTED
    done = accountant.post(
        reverse("payment-reverse", args=[payment.pk]), {"reason": "Wrong customer"}
    )
    assert done.status_code == 302
    assert invoice_open_amount(a) == D("30.00") and invoice_open_amount(b) == D("25.00")


@pytest.mark.parametrize(
    "role,list_code,create_code",
    [("Viewer", 200, 403), ("Sales", 200, 403), ("Warehouse", 403, 403), ("Admin", 200, 200)],
)
def test_roles(client_for, books, role, list_code, create_code):
    client = client_for(role)
    assert client.get(reverse("payment-list")).status_code == list_code
    assert client.get(reverse("payment-create")).status_code == create_code
