"""Numbers typed or sent by anyone: Unicode digits and ids no column holds answer as bad
input, never a 500 (found by a black-box fuzz of every form and list of `make run`).

`str.isdigit()` is true for "²", which `int()` refuses: `?page=²` was a 500 on every list,
and a huge id in the Django admin's multiple choices reached the database driver."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from apps.core.numbers import MAX_DB_INT, is_digits, signed_number, whole_number
from apps.credit.selectors import sellers_matching
from apps.customers.selectors import filter_by_customer
from apps.sales.models import Order

pytestmark = pytest.mark.django_db

HUGE = str(2**70)


def test_whole_numbers_are_ascii_digits_within_range():
    assert whole_number(" 12 ") == 12
    assert whole_number("0") == 0
    assert whole_number(str(MAX_DB_INT)) == MAX_DB_INT
    assert whole_number(str(MAX_DB_INT + 1)) is None
    assert whole_number("5", most=4) is None
    for text in ("²", "１２", "١٢", "-1", "+1", "1.0", "1e3", "", " ", "12\n3", None, 12):
        assert whole_number(text) is None, repr(text)
    assert is_digits("0123") and not is_digits("12\n") and not is_digits("²")
    assert signed_number("-7") == -7 and signed_number(HUGE) == 2**70
    assert signed_number("--7") is None and signed_number("²") is None


def test_an_integer_in_lookup_leaves_out_ids_no_column_holds():
    permission = Permission.objects.order_by("pk").first()
    assert list(Permission.objects.filter(pk__in=[2**70])) == []
    assert list(Permission.objects.filter(pk__in=[-(2**70), permission.pk, 2**64])) == [permission]


def test_selectors_read_unicode_digits_as_text():
    assert list(sellers_matching("²")) == []
    assert list(filter_by_customer(Order.objects.all(), "²")) == []


def test_the_admins_group_form_refuses_a_huge_permission_id(role_user):
    admin = Client()
    admin.force_login(role_user("Admin", is_staff=True, is_superuser=True))
    answer = admin.post("/admin/auth/group/add/", {"name": "Fuzz", "permissions": [HUGE]})
    assert answer.status_code == 200
    assert f"Select a valid choice. {HUGE} is not one of the available choices." in (
        answer.content.decode()
    )
    assert not Group.objects.filter(name="Fuzz").exists()


def test_the_token_form_answers_bad_numbers_next_to_the_field(role_user):
    admin = Client()
    admin.force_login(role_user("Admin"))
    for user in ("²", " ", HUGE, "1.5"):
        assert admin.post("/accounts/tokens/new/", {"name": "x", "user": user}).status_code == 404
    for days in ("²", "0", "3651", HUGE):
        page = admin.post("/accounts/tokens/new/", {"name": "POS", "expires_in_days": days})
        assert page.status_code == 200, days
        assert "Give the expiry as 1 to 3650 days, or leave it empty." in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/payments/new/?invoice=²",
        f"/payments/new/?invoice={HUGE}",
        "/ledger/journal/?account=²",
        "/sales/orders/?customer=²",
        "/credit/transactions/?seller=²",
        "/inventory/movements/?user=²",
        "/catalog/products/?category=²",
    ],
)
def test_lists_and_forms_read_unicode_digits_as_text(role_user, url):
    admin = Client()
    admin.force_login(role_user("Admin"))
    assert admin.get(url).status_code == 200


def test_a_page_number_in_unicode_digits_is_read_as_text(role_user):
    admin = Client()
    admin.force_login(role_user("Admin"))
    for page in ("²", "abc"):  # the first page, as for any page that is not a number
        answer = admin.get(f"/catalog/products/?page={page}")
        assert answer.status_code == 200 and answer.context["table"].page.number == 1


# --- NUL characters, numbers past Decimal's context (PostgreSQL's DataError, 500s) -------


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/inventory/receive/", {"store": "1", "product": "\x00", "quantity": "1"}),
        ("post", "/inventory/transfer/", {"product": "A\x00"}),
        ("post", "/sales/orders/1/confirm/", {"idempotency_key": "k\x00"}),
        ("get", "/catalog/products/", {"q": "tea\x00"}),
        ("get", "/catalog/products/\x00/", {}),
    ],
)
def test_a_nul_character_anywhere_is_a_bad_request(role_user, method, url, data):
    from apps.inventory.models import StockMovement

    admin = Client()
    admin.force_login(role_user("Admin"))
    answer = getattr(admin, method)(url, data)
    assert answer.status_code == 400
    assert "The request holds a NUL character" in answer.content.decode()
    assert not StockMovement.objects.exists()


def test_a_nul_character_in_the_api_is_problem_json(role_user):
    admin = Client()
    admin.force_login(role_user("Admin"))
    answer = admin.get("/api/v1/products/", {"search": "\x00"})
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"].startswith("The request holds a NUL character")


def api_writes(client) -> list[tuple[str, str, list[str]]]:
    """(method, URL, the JSON body's fields) of every write of the API's schema."""
    schema = client.get("/api/schema/?format=json").json()
    writes = []
    for path, operations in schema["paths"].items():
        url = path.replace("{id}", "1")
        for method in ("post", "put", "patch"):
            body = (operations.get(method, {}).get("requestBody") or {}).get("content", {})
            if "application/json" in body:
                ref = body["application/json"]["schema"].get("$ref", "/")
                fields = schema["components"]["schemas"].get(ref.rsplit("/", 1)[1], {})
                writes.append((method, url, list(fields.get("properties", {})) or ["name"]))
    return writes


def test_a_nul_character_in_any_json_field_of_any_api_write_is_problem_json(role_user):
    """Found by a fuzz of the API's write bodies on PostgreSQL: 20 writes answered 500 (a
    NUL in a related field's key, such as a customer's currency, reached a query before
    the serializer's own check). Refused before any view now, on every database."""
    from apps.catalog.models import Category, Product
    from apps.customers.models import Customer

    def counts():
        return [model.objects.count() for model in (Category, Product, Customer, Order)]

    admin = Client()
    admin.force_login(role_user("Admin"))
    writes = api_writes(admin)
    assert len(writes) >= 40
    before = counts()
    answers = set()
    for method, url, fields in writes:
        for field in fields:
            answer = getattr(admin, method)(
                url, {field: "A\u0000B"}, content_type="application/json"
            )
            answers.add((answer.status_code, answer["Content-Type"], answer.json()["detail"][:30]))
    assert answers == {(400, "application/problem+json", "The request holds a NUL charac")}
    assert counts() == before


def test_an_escaped_backslash_before_u0000_is_text(role_user):
    from apps.catalog.models import Category

    admin = Client()
    admin.force_login(role_user("Admin"))
    body = '{"name": "C:\\\\u0000 drive"}'  # JSON for the text C:\u0000 drive
    answer = admin.post("/api/v1/categories/", body, content_type="application/json")
    assert answer.status_code == 201
    assert Category.objects.get(pk=answer.json()["id"]).name == "C:\\u0000 drive"


def test_a_request_past_the_upload_limit_is_a_bad_request(role_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    admin = Client()
    admin.force_login(role_user("Admin"))
    body = '{"name": "' + "x" * 2000 + '"}'
    answer = admin.post("/api/v1/categories/", body, content_type="application/json")
    assert (answer.status_code, answer["Content-Type"]) == (400, "application/problem+json")
    assert answer.json()["detail"] == "The request's data is too large; nothing was changed."
    page = admin.post("/catalog/categories/new/", {"name": "x" * 2000})
    assert page.status_code == 400
    assert "The request&#x27;s data is too large" in page.content.decode()


def test_an_amount_past_decimals_context_is_no_amount(role_user):
    from apps.finance import money

    with pytest.raises(money.MoneyError, match="Too large to be an amount"):
        money.quantize("1e400")
    accountant = Client()
    accountant.force_login(role_user("Accountant"))
    answer = accountant.post("/payments/new/", {"amount": "1e400", "customer": "x"})
    assert answer.status_code == 200
    assert answer.context["remaining"] == {"valid": False}
