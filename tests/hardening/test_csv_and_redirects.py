"""CSV formula injection (issue 12 §6) and open redirects (§5)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.core.csvexport import csv_safe_cell
from apps.credit.models import CreditRequest, RequestStatus
from apps.credit.services import creditrequest_create
from tests.credit.conftest import approver, make_seller  # noqa: F401  (fixtures)
from tests.ledger.conftest import books  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
PAYLOAD = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7911", "'+44 7911"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (Decimal("-12.50"), "-12.50"),  # numbers stay numbers
        (-3, "-3"),
        (None, ""),
    ],
)
def test_csv_safe_cell(value, expected):
    assert csv_safe_cell(value) == expected


def test_seller_note_reaches_the_accountants_export_neutralised(client_for, make_seller):  # noqa: F811
    seller = make_seller()
    creditrequest_create(seller=seller, amount="10.00", note=PAYLOAD)
    response = client_for("Accountant").get(reverse("creditrequest-list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    note_col = rows[0].index("Note")
    assert [row[note_col] for row in rows[1:]] == ["'" + PAYLOAD]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("https://evil.example/phish", None),
        ("//evil.example/phish", None),
        ("0", None),
        ("javascript:alert(1)", None),
        ("/credit/requests/?status=pending", "/credit/requests/?status=pending"),
    ],
)
def test_approve_follows_only_local_next(client_for, make_seller, next_url, expected):  # noqa: F811
    seller = make_seller()
    credit_request = creditrequest_create(seller=seller, amount="10.00")
    client = client_for("Accountant")
    response = client.post(
        reverse("creditrequest-approve", args=[credit_request.pk]), {"next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == (expected or credit_request.get_absolute_url())
    credit_request.refresh_from_db()
    assert credit_request.status == RequestStatus.APPROVED
    assert CreditRequest.objects.count() == 1


def test_login_ignores_foreign_next(client, make_user, password):
    make_user("Sales", email="sam@example.test")
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "sam@example.test", "password": password, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_safe_next_helper(rf):
    from apps.core.redirects import safe_next

    request = rf.post("/x/", {"next": "https://evil.example/"})
    assert safe_next(request, "/fallback/") == "/fallback/"
    request = rf.post("/x/", {"next": "/ok/?a=1"})
    assert safe_next(request, "/fallback/") == "/ok/?a=1"
    request = rf.get("/x/", {"next": "/from-get/"})
    assert safe_next(request, "/fallback/") == "/from-get/"
