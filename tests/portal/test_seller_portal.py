"""The seller portal: own balance, charges (htmx), top-up requests, own history only."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.credit import services
from apps.credit.models import CreditRequest, RequestStatus, TransactionLog
from apps.ledger.models import JournalEntry
from tests.credit.conftest import approver, make_seller  # noqa: F401  (fixtures)
from tests.ledger.conftest import books  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
PHONE = "+447911123456"


@pytest.fixture
def seller(make_seller):  # noqa: F811
    return make_seller("100.00", company="Sid's Phone Shop")


@pytest.fixture
def portal(seller):
    client = Client()
    client.force_login(seller.user)
    return client


def charge_post(client, data, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("portal-charge"), data, **headers)


def test_home_card_shows_the_real_balance_and_links(portal):
    response = portal.get(reverse("portal-home"))
    body = response.content.decode()
    assert 'id="seller-card"' in body
    assert "100.00 USD" in body
    assert reverse("portal-credit") in body and reverse("portal-transactions") in body


def test_sell_a_charge_with_htmx_refreshes_the_balance(portal, seller):
    page = portal.get(reverse("portal-credit"))
    key = page.context["charge_form"].initial["idempotency_key"]
    response = charge_post(
        portal, {"phone": "+44 7911 123456", "amount": "7.50", "idempotency_key": key}
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"creditChanged": {}}
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="charge"')
    assert "Charged 7.50 to +447911123456. New balance: 92.50." in body
    new_key = response.context_data["charge_form"].initial["idempotency_key"]
    assert new_key != key  # the next sale gets a fresh key
    balance = portal.get(reverse("portal-credit"), {"_partial": "balance"}, HTTP_HX_REQUEST="true")
    assert balance.content.decode().lstrip().startswith('<div id="balance"')
    assert "92.50 USD" in balance.content.decode()
    recent = portal.get(reverse("portal-credit"), {"_partial": "recent"}, HTTP_HX_REQUEST="true")
    assert "+447911123456" in recent.content.decode()
    # a double submit of the same form charges once
    again = charge_post(
        portal, {"phone": "+44 7911 123456", "amount": "7.50", "idempotency_key": key}
    )
    assert "already made" in again.content.decode()
    seller.refresh_from_db()
    assert seller.balance == Decimal("92.50")


def test_charge_without_htmx_redirects_with_a_message(portal):
    response = charge_post(
        portal, {"phone": PHONE, "amount": "5", "idempotency_key": "plain"}, htmx=False
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal-credit")
    assert "New balance: 95.00" in portal.get(reverse("portal-credit")).content.decode()


@pytest.mark.parametrize(
    ("amount", "phone", "field", "message"),
    [
        ("0", PHONE, "amount", "The amount must be greater than zero."),
        ("-5", PHONE, "amount", "The amount must be greater than zero."),
        ("1.005", PHONE, "amount", "Use at most 2 decimal places."),
        ("NaN", PHONE, "amount", "Enter a number."),
        ("Infinity", PHONE, "amount", "Enter a number."),
        ("-Infinity", PHONE, "amount", "Enter a number."),
        ("1e20", PHONE, "amount", "The amount is too large."),
        ("99999999999999999999", PHONE, "amount", "The amount is too large."),
        ("", PHONE, "amount", "This field is required."),
        ("five", PHONE, "amount", "Enter a number."),
        ("5", "07911 123456", "phone", "Enter a valid international phone number"),
        ("5", "+44 12", "phone", "Enter a valid international phone number"),
        ("5", "not a number", "phone", "Enter a valid international phone number"),
        ("5", "", "phone", "This field is required."),
        ("500.01", PHONE, "amount", "Insufficient credit: the balance is 100.00"),
    ],
)
def test_bad_charges_show_errors_next_to_the_field_and_post_nothing(
    portal, amount, phone, field, message
):
    entries = JournalEntry.objects.count()
    response = charge_post(portal, {"phone": phone, "amount": amount, "idempotency_key": "bad-1"})
    assert response.status_code == 200
    errors = response.context_data["charge_form"].errors
    assert any(message in e for e in errors[field]), errors
    assert "is-invalid" in response.content.decode()
    assert JournalEntry.objects.count() == entries
    assert not TransactionLog.objects.filter(type="charge").exists()


def test_suspended_seller_sees_a_clear_error(portal, seller):
    from apps.credit.models import SellerStatus

    services.seller_set_status(seller=seller, status=SellerStatus.SUSPENDED)
    response = charge_post(portal, {"phone": PHONE, "amount": "5", "idempotency_key": "s-1"})
    assert "This seller account is suspended" in response.content.decode()
    assert not TransactionLog.objects.filter(type="charge").exists()


def test_request_a_top_up_and_cancel_it(portal, seller):
    response = portal.post(
        reverse("portal-topup"), {"amount": "250.00", "note": "Weekend"}, HTTP_HX_REQUEST="true"
    )
    assert "Top-up of 250.00 requested" in response.content.decode()
    request = CreditRequest.objects.get(amount=Decimal("250.00"))
    assert (request.seller, request.status, request.note) == (
        seller,
        RequestStatus.PENDING,
        "Weekend",
    )
    bad = portal.post(reverse("portal-topup"), {"amount": "-1"}, HTTP_HX_REQUEST="true")
    assert "The amount must be greater than zero." in bad.content.decode()
    listing = portal.get(reverse("portal-requests"))
    assert "Cancel request" in listing.content.decode()
    portal.post(reverse("portal-request-cancel", args=[request.pk]))
    assert CreditRequest.objects.get(pk=request.pk).status == RequestStatus.CANCELLED


def test_own_history_filters_and_csv(portal, seller, make_seller):  # noqa: F811
    services.credit_charge(seller=seller, amount="3.00", phone=PHONE, idempotency_key="h1")
    other = make_seller("50.00", company="Other Shop")
    services.credit_charge(seller=other, amount="4.00", phone=PHONE, idempotency_key="h2")
    response = portal.get(reverse("portal-transactions"), {"type": "charge"})
    rows = [r.record for r in response.context["table"].page.object_list]
    assert [(r.seller_id, r.amount) for r in rows] == [(seller.pk, Decimal("-3.00"))]
    lines = (
        b"".join(portal.get(reverse("portal-transactions"), {"_export": "csv"}).streaming_content)
        .decode()
        .strip()
        .splitlines()
    )
    assert lines[0] == "When,Transaction,Type,Phone,Amount,Balance after,Status,Key"
    assert len(lines) == 3  # top-up and charge, both this seller's
    assert all("Other Shop" not in line for line in lines)


def test_another_sellers_data_answers_404(portal, make_seller):  # noqa: F811
    other = make_seller("50.00", company="Other Shop")
    theirs = TransactionLog.objects.get(seller=other)
    request = services.creditrequest_create(seller=other, amount="5.00")
    assert portal.get(reverse("portal-transaction-detail", args=[theirs.pk])).status_code == 404
    assert portal.post(reverse("portal-request-cancel", args=[request.pk])).status_code == 404
    assert CreditRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    mine = TransactionLog.objects.exclude(seller=other).get()
    assert portal.get(reverse("portal-transaction-detail", args=[mine.pk])).status_code == 200


def test_staff_cannot_use_the_seller_portal(client_for, books):  # noqa: F811
    for role in ("Accountant", "Admin", "Customer"):
        assert client_for(role).get(reverse("portal-credit")).status_code == 403


def test_seller_login_without_a_seller_record_gets_404(client_for, books):  # noqa: F811
    assert client_for("Seller").get(reverse("portal-credit")).status_code == 404


def test_opening_a_form_address_leads_to_its_page_not_a_405(portal, seller):
    response = portal.get(reverse("portal-topup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal-credit") + "#topup"
    assert portal.get(reverse("portal-charge"))["Location"] == reverse("portal-credit") + "#charge"
