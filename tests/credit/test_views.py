"""Staff screens: sellers, the top-up queue, the transaction log (Area.CREDIT)."""

import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from apps.credit import services
from apps.credit.models import CreditRequest, RequestStatus, Seller, SellerStatus, TransactionLog
from tests.binding import plan

pytestmark = pytest.mark.django_db
PHONE = "+447911123456"


def csv_lines(response):
    return b"".join(response.streaming_content).decode().strip().splitlines()


def test_seller_list_shows_balances_filters_and_exports(client_for, make_seller):
    make_seller("125.50", company="Alpha Phones")
    make_seller("0.00", company="Beta Mobile")
    client = client_for("Viewer")
    response = client.get(reverse("seller-list"))
    rows = [
        (r.record.company, r.record.balance) for r in response.context["table"].page.object_list
    ]
    assert rows == [("Alpha Phones", Decimal("125.50")), ("Beta Mobile", Decimal("0.00"))]
    assert b"125.50" in response.content
    lines = csv_lines(client.get(reverse("seller-list"), {"q": "alpha", "_export": "csv"}))
    assert lines[0] == "Company,Login,Phone,Status,Balance,Account"
    assert lines[1].startswith("Alpha Phones,seller") and ",Active,125.50,2100-" in lines[1]
    assert len(lines) == 2


def test_create_seller_through_the_form(client_for, books):
    client = client_for("Accountant")
    bad = client.post(
        reverse("seller-create"),
        {"company": "Gamma", "email": "gamma@example.test", "phone": "12345", "password": ""},
    )
    assert bad.status_code == 200
    assert "phone" in bad.context["form"].errors
    no_password = client.post(
        reverse("seller-create"), {"company": "Gamma", "email": "gamma@example.test"}
    )
    assert "password" in no_password.context["form"].errors
    assert not Seller.objects.exists()
    ok = client.post(
        reverse("seller-create"),
        {
            "company": "Gamma",
            "email": "gamma@example.test",
            "phone": "+44 7911 123456",
            "password": "gamma-pass-2026",
        },
    )
    seller = Seller.objects.get()
    assert ok["Location"] == seller.get_absolute_url()
    assert str(seller.phone) == "+447911123456"


def test_queue_approves_and_rejects_with_messages(client_for, make_seller):
    seller = make_seller()
    first = services.creditrequest_create(seller=seller, amount="40.00")
    second = services.creditrequest_create(seller=seller, amount="60.00")
    client = client_for("Accountant")
    queue = client.get(reverse("creditrequest-list"))
    assert [r.record.pk for r in queue.context["table"].page.object_list] == [second.pk, first.pk]
    assert b"Approve</button>" in queue.content
    response = client.post(reverse("creditrequest-approve", args=[first.pk]), follow=True)
    assert "Top-up of 40.00 approved" in response.content.decode()
    again = client.post(reverse("creditrequest-approve", args=[first.pk]), follow=True)
    assert "This request is already approved; nothing was changed." in again.content.decode()
    empty_reason = client.post(reverse("creditrequest-reject", args=[second.pk]), {"reason": ""})
    assert CreditRequest.objects.get(pk=second.pk).status == RequestStatus.PENDING
    assert empty_reason.status_code == 302
    client.post(reverse("creditrequest-reject", args=[second.pk]), {"reason": "No transfer seen"})
    assert CreditRequest.objects.get(pk=second.pk).reason == "No transfer seen"
    seller.refresh_from_db()
    assert seller.balance == Decimal("40.00")


def test_viewer_reads_but_cannot_approve_or_reverse(client_for, make_seller):
    seller = make_seller("10.00")
    request = services.creditrequest_create(seller=seller, amount="5.00")
    client = client_for("Viewer")
    assert client.get(reverse("creditrequest-list")).status_code == 200
    assert b"Approve</button>" not in client.get(reverse("creditrequest-list")).content
    assert client.post(reverse("creditrequest-approve", args=[request.pk])).status_code == 403
    log = TransactionLog.objects.get()
    assert (
        client.post(reverse("transaction-reverse", args=[log.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert client.get(reverse("seller-create")).status_code == 403
    assert CreditRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING


@pytest.mark.parametrize("role", ["Sales", "Warehouse", "Customer", "Seller"])
def test_roles_without_credit_read_get_403(client_for, books, role):
    client = client_for(role)
    for name in ("seller-list", "creditrequest-list", "transaction-list"):
        assert client.get(reverse(name)).status_code == 403


def test_transaction_log_filters_csv_and_reversal(client_for, make_seller):
    alpha, beta = make_seller("50.00", company="Alpha"), make_seller("50.00", company="Beta")
    services.credit_charge(seller=alpha, amount="7.00", phone=PHONE, idempotency_key="a1")
    charge = services.credit_charge(
        seller=beta, amount="9.00", phone="+4915123456789", idempotency_key="b1"
    ).transaction
    client = client_for("Accountant")
    response = client.get(reverse("transaction-list"), {"type": "charge", "seller": beta.pk})
    assert [r.record.pk for r in response.context["table"].page.object_list] == [charge.pk]
    by_phone = client.get(reverse("transaction-list"), {"q": "4915123"})
    assert [r.record.pk for r in by_phone.context["table"].page.object_list] == [charge.pk]
    lines = csv_lines(client.get(reverse("transaction-list"), {"type": "charge", "_export": "csv"}))
    assert lines[0] == "When,Transaction,Seller,Type,Phone,Amount,Balance after,Status,Key"
    assert sorted(line.split(",")[2] for line in lines[1:]) == ["Alpha", "Beta"]
    assert client.get(charge.get_absolute_url()).status_code == 200
    client.post(reverse("transaction-reverse", args=[charge.pk]), {"reason": "Wrong number"})
    beta.refresh_from_db()
    assert beta.balance == Decimal("50.00")


def test_transaction_log_seller_is_a_typed_lookup(client_for, make_seller):
    """No <select> of every seller: a text box with suggestions; an id (the seller page's
    link), a suggestion or part of a company, login or phone picks the sellers; text that
    names no seller is an error under the box and an empty list, never every transaction."""
    alpha = make_seller("50.00", company="Alpha Phones", email="alpha@example.test")
    beta = make_seller("50.00", company="Beta Mobile", email="beta@example.test")
    gamma = make_seller("50.00", company="Alphabet Resale", email="gamma@example.test")
    charges = {
        seller.pk: services.credit_charge(
            seller=seller, amount="7.00", phone=PHONE, idempotency_key=f"k{seller.pk}"
        ).transaction.pk
        for seller in (alpha, beta, gamma)
    }
    client = client_for("Accountant")
    url = reverse("transaction-list")

    def shown(**query):
        response = client.get(url, {"type": "charge", **query})
        return response, {r.record.pk for r in response.context["table"].page.object_list}

    page = client.get(url).content.decode()
    assert 'list="seller-options"' in page and '<datalist id="seller-options">' in page
    assert "Beta Mobile</option>" not in page  # no option per seller
    by_id, rows = shown(seller=beta.pk)
    assert rows == {charges[beta.pk]}
    assert 'value="Beta Mobile · beta@example.test"' in by_id.content.decode()
    assert shown(seller="Alpha Phones · alpha@example.test")[1] == {charges[alpha.pk]}
    assert shown(seller="alpha")[1] == {charges[alpha.pk], charges[gamma.pk]}
    assert shown(seller="BETA@example")[1] == {charges[beta.pk]}
    nobody, rows = shown(seller="Zeta")
    assert rows == set()
    assert "No seller matches “Zeta”." in nobody.content.decode()
    partial = client.get(url, {"seller": "Zeta"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="table"')
    assert "Seller: No seller matches “Zeta”." in partial  # typing swaps only #table
    assert shown(seller="99999999")[1] == set()
    assert shown(seller=str(10**30))[1] == set()  # no overflow, just nobody

    options = client.get(reverse("seller-lookup"), {"seller": "alpha"}).content.decode()
    assert options.count("<option") == 2
    assert '<option value="Alpha Phones · alpha@example.test">' in options
    assert '<option value="Alphabet Resale · gamma@example.test">' in options
    assert client.get(reverse("seller-lookup")).content.decode().strip() == ""
    assert client_for("Sales").get(reverse("seller-lookup"), {"q": "a"}).status_code == 403


def test_credit_requests_filter_by_a_typed_seller(client_for, make_seller):
    alpha = make_seller("10.00", company="Alpha Phones")
    make_seller("20.00", company="Beta Mobile")
    client = client_for("Accountant")
    response = client.get(reverse("creditrequest-list"), {"seller": "alpha"})
    assert [r.record.seller_id for r in response.context["table"].page.object_list] == [alpha.pk]
    assert '<datalist id="seller-options">' in response.content.decode()


def test_suspend_and_reactivate(client_for, make_seller):
    seller = make_seller("10.00")
    client = client_for("Admin")
    client.post(
        reverse("seller-status", args=[seller.pk]), {"status": "suspended", "reason": "KYC"}
    )
    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.SUSPENDED
    client.post(reverse("seller-status", args=[seller.pk]), {"status": "active"})
    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.ACTIVE
    detail = client.get(seller.get_absolute_url())
    assert b"Suspend seller" in detail.content


def test_unknown_seller_status_is_refused_with_a_message(client_for, make_seller):
    seller = make_seller("10.00")
    client = client_for("Admin")
    response = client.post(
        reverse("seller-status", args=[seller.pk]), {"status": "closed"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Unknown status."]
    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.ACTIVE


def test_list_query_counts_do_not_grow_with_rows(
    client_for, make_seller, django_assert_max_num_queries
):
    sellers = [make_seller("100.00") for _ in range(6)]
    for n, seller in enumerate(sellers):
        for k in range(4):
            services.credit_charge(
                seller=seller, amount="1.00", phone=PHONE, idempotency_key=f"{n}-{k}"
            )
    client = client_for("Viewer")
    for name in ("seller-list", "transaction-list", "creditrequest-list"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def test_dashboard_cards_show_credit_and_books_figures(client_for, make_seller):
    seller = make_seller("80.00")
    services.credit_charge(seller=seller, amount="5.00", phone=PHONE, idempotency_key="d1")
    services.creditrequest_create(seller=seller, amount="20.00")
    response = client_for("Accountant").get(reverse("dashboard"))
    cards = {card.title: list(card.figures) for card in response.context["cards"]}
    assert cards["Seller credit"] == [
        ("Active sellers", "1 of 1"),
        ("Credit held by sellers", "75.00"),
        ("Top-ups waiting", "1"),
        ("Charges today", "1 · 5.00"),
    ]
    assert cards["Books"][:2] == [("Entries posted today", "2"), ("Trial balance", "balanced")]
    sales = client_for("Sales").get(reverse("dashboard"))
    assert {card.title for card in sales.context["cards"]}.isdisjoint({"Seller credit", "Books"})


def test_the_log_search_finds_a_transaction_by_the_short_id_its_list_shows(make_seller):
    """Lists show an id's last 8 digits (a time-ordered id's first 8 are the same for a
    minute); the search takes those, or the full id from its start."""
    from apps.credit.filters import SellerTransactionFilter

    seller = make_seller("20.00")
    logs = [
        services.credit_charge(
            seller=seller, amount="1.00", phone=PHONE, idempotency_key=f"s{n}"
        ).transaction
        for n in range(2)
    ]
    everything = TransactionLog.objects.all()
    for log in logs:
        assert log.short_id == str(log.pk)[-8:]
        # a start past the first 13 characters (the millisecond: two charges can share it)
        for text in (log.short_id, str(log.pk)[:23], str(log.pk)):
            found = SellerTransactionFilter(data={"q": text}, queryset=everything).qs
            assert list(found) == [log], text


def test_the_log_search_by_idempotency_key_phone_and_id_start(make_seller, monkeypatch):
    """Every part of the search (credit.selectors.transactions_matching), also with more
    sellers than are listed for the idempotency key's look-up."""
    from apps.credit import selectors
    from apps.credit.filters import SellerTransactionFilter

    seller = make_seller("20.00")
    first, second = (
        services.credit_charge(
            seller=seller, amount="1.00", phone=phone, idempotency_key=key
        ).transaction
        for phone, key in ((PHONE, "order-a"), ("+4915112345678", "order-b"))
    )
    everything = TransactionLog.objects.all()

    def found(text):
        return set(SellerTransactionFilter(data={"q": text}, queryset=everything).qs)

    for listed in (selectors.SELLERS_LISTED, 0):
        monkeypatch.setattr(selectors, "SELLERS_LISTED", listed)
        assert found("order-a") == {first}
        assert found("order-") == set()  # the key is matched whole
    assert found("1511234") == {second}  # digits anywhere in the phone
    start = str(second.pk)[:8].upper()
    assert second in found(start)
    assert found(start) == {log for log in everything if str(log.pk)[:8] == start.lower()}
    assert found("+49 151 1234") == {second}  # written as a phone: spaces, a plus sign
    # Neither an id's start nor a phone number: nothing, not the phones holding its digits.
    for text in (str(second.pk)[:9].replace("-", "x"), str(second.pk)[:7] + "-"):
        assert found(text) == set(), text
    # A short id whose digits ("45") are in every phone here finds its transaction alone.
    first_short = "4bfaafe5"
    pk = TransactionLog._meta.pk
    with connection.cursor() as cursor:  # the log is append-only to the ORM
        cursor.execute(
            f"UPDATE {TransactionLog._meta.db_table} SET id = %s WHERE id = %s",
            [
                pk.get_db_prep_value(uuid.UUID(str(first.pk)[:-8] + first_short), connection),
                pk.get_db_prep_value(first.pk, connection),
            ],
        )
    assert {log.short_id for log in found(first_short)} == {first_short}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_each_part_of_the_log_search_is_read_from_its_own_index(make_seller):
    """No scan of the log: the idempotency key seller by seller, the phone's trigrams, the
    id's range and the short id's index, ORed (sequential and plain index scans forbidden,
    so a part without its index could only fail)."""
    from apps.credit.selectors import transactions_matching

    make_seller("20.00")
    text = plan(TransactionLog.objects.filter(transactions_matching("01234567")))
    for index in ("credit_log_phone_trgm", "credit_transactionlog_pkey", "credit_log_short_id_idx"):
        assert f"Bitmap Index Scan on {index}" in text, text
    # the key seller by seller, or (few sellers' rows) all their rows through the seller's
    assert re.search(r"Bitmap Index Scan on credit_log_(idempotency_key|seller_idx)", text)
