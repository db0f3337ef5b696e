from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts.roles import Role
from apps.customers import services
from apps.customers.models import Address, Contact, Customer
from apps.sales import services as sales
from tests.sales.factories import currency, make_customer, make_order

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "kind": "company",
        "name": "Bluebird Cafés",
        "email": "Hello@Bluebird.example",
        "phone": "+33 4 72 00 00 01",
        "tax_id": "FR123",
        "currency": "USD",
        "opening_balance": "12.50",
        "credit_limit": "5000",
        "portal_user": "",
        "active": "on",
        "notes": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Pat Buyer",
        "contacts-0-email": "pat@bluebird.example",
        "contacts-0-phone": "+44 20 7946 0018",
        "contacts-0-role": "Purchasing",
        "addresses-TOTAL_FORMS": "2",
        "addresses-INITIAL_FORMS": "0",
        "addresses-0-kind": "shipping",
        "addresses-0-line1": "1 Quai",
        "addresses-0-city": "Lyon",
        "addresses-0-country": "France",
        "addresses-0-is_default": "on",
        "addresses-1-kind": "shipping",
        "addresses-1-line1": "2 Rue",
        "addresses-1-city": "Lyon",
        "addresses-1-country": "France",
        "addresses-1-is_default": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def sales_client(client_for):
    return client_for(Role.SALES)


def test_sales_creates_a_customer_with_contacts_and_addresses(sales_client):
    currency("USD")
    response = sales_client.post(reverse("customer-create"), form_data())
    customer = Customer.objects.get()
    assert response["Location"] == customer.get_absolute_url()
    assert (customer.code, customer.email, str(customer.phone)) == (
        "CUST-00001",
        "hello@bluebird.example",
        "+33472000001",
    )
    assert customer.opening_balance == Decimal("12.50")
    contact = Contact.objects.get()
    assert (contact.name, contact.phone.as_e164) == ("Pat Buyer", "+442079460018")
    # two addresses marked default: the last one marked keeps it
    defaults = list(Address.objects.filter(is_default=True).values_list("line1", flat=True))
    assert defaults == ["2 Rue"]
    second = sales_client.post(reverse("customer-create"), form_data(name="Other"))
    assert second.status_code == 302
    assert Customer.objects.get(name="Other").code == "CUST-00002"
    page = sales_client.get(customer.get_absolute_url())
    assert b"Pat Buyer" in page.content and b"+33 4 72 00 00 01" in page.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "01234", "Enter a valid phone number"),
        ("contacts-0-phone", "not a phone", "Enter a valid phone number"),
        ("name", "", "This field is required."),
        ("opening_balance", "1.234", "Ensure that there are no more than 2 decimal places."),
        ("credit_limit", "-5", "Ensure this value is greater than or equal to 0."),
        ("email", "nope", "Enter a valid email address."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(
    sales_client, field, value, message
):
    currency("USD")
    response = sales_client.post(reverse("customer-create"), form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_portal_login_must_be_a_customer_user_and_only_one_customer(make_user):
    portal = make_user(Role.CUSTOMER, email="cora@example.test")
    staff = make_user(Role.SALES, email="sam@example.test")
    with pytest.raises(ValidationError) as info:
        make_customer("A", portal_user=staff)
    assert info.value.message_dict["portal_user"] == [
        "sam@example.test does not have the Customer role."
    ]
    make_customer("B", portal_user=portal)
    with pytest.raises(ValidationError, match="already the portal login of CUST-00001 · B"):
        make_customer("C", portal_user=portal)


def test_search_finds_code_name_email_and_phones_of_contacts(sales_client):
    a = make_customer("Alpha Foods", email="buy@alpha.example", phone="+12125550100")
    b = make_customer(
        "Beta Ltd",
        contacts=[
            {"name": "Zed", "email": "zed@beta.example", "phone": "+442079460099", "role": ""}
        ],
    )
    url = reverse("customer-list")

    def codes(**params):
        # The full page's table (the htmx partial writes its table in one pass,
        # apps/core/table_html.py, which renders no template the test client records).
        response = sales_client.get(url, params)
        return [row.record.code for row in response.context["table"].page.object_list]

    assert codes(q="alpha") == [a.code]
    assert codes(q=b.code) == [b.code]
    assert codes(q="buy@alpha") == [a.code]
    assert codes(q="555 0100") == [a.code]  # the customer's phone, typed with spaces
    assert codes(q="7946 0099") == [b.code]  # a contact's phone
    assert codes(q="zed@") == [b.code]
    assert codes(kind="individual") == []
    csv = sales_client.get(url, {"_export": "csv"})
    lines = b"".join(csv.streaming_content).decode().strip().splitlines()
    assert lines[0] == "Code,Name,Kind,Email,Phone,Currency,Credit limit,Active"
    assert lines[1].startswith(f"{a.code},Alpha Foods,Company,buy@alpha.example,+12125550100,USD")


def test_detail_shows_orders_balance_and_timeline(sales_client, store, widget):
    customer = make_customer(
        "Shown", opening_balance=Decimal("100.00"), credit_limit=Decimal("500.00")
    )
    order = make_order(customer, store, [(widget, 3)])
    sales.order_confirm(order=order)
    html = sales_client.get(customer.get_absolute_url()).content.decode()
    assert order.number in html
    assert 'id="open-balance">100.00' in html  # the receivable: the posted opening balance
    assert "30.00" in html  # the confirmed, uninvoiced order
    assert "370.00" in html  # available credit
    assert "Created" in html  # the customer's timeline


def test_customer_with_open_orders_cannot_be_deleted(sales_client, store, widget):
    customer = make_customer("Busy")
    make_order(customer, store, [(widget, 1)])
    response = sales_client.post(reverse("customer-delete", args=[customer.pk]), follow=True)
    assert "Busy has 1 open order; fulfil or cancel them first." in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
    idle = make_customer("Idle")
    sales_client.post(reverse("customer-delete", args=[idle.pk]))
    assert not Customer.objects.filter(pk=idle.pk).exists()
    assert Customer.all_objects.get(pk=idle.pk).is_deleted


def test_editing_keeps_the_code_and_syncs_contacts(sales_client):
    customer = make_customer(
        "Edit Me",
        contacts=[{"name": "Old", "email": "", "phone": "", "role": ""}],
    )
    contact = customer.contacts.get()
    data = form_data(
        name="Edited",
        **{
            "contacts-TOTAL_FORMS": "2",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(contact.pk),
            "contacts-0-name": "Old",
            "contacts-0-DELETE": "on",
            "contacts-1-name": "New",
            "addresses-TOTAL_FORMS": "0",
        },
    )
    response = sales_client.post(reverse("customer-update", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.code, customer.name) == ("CUST-00001", "Edited")
    assert list(customer.contacts.values_list("name", flat=True)) == ["New"]


def test_roles_on_customer_screens(client_for):
    customer = make_customer()
    assert client_for(Role.WAREHOUSE).get(reverse("customer-list")).status_code == 403
    viewer = client_for(Role.VIEWER)
    assert viewer.get(customer.get_absolute_url()).status_code == 200
    assert viewer.get(reverse("customer-create")).status_code == 403
    assert (
        viewer.post(reverse("customer-update", args=[customer.pk]), form_data()).status_code == 403
    )
    assert client_for(Role.CUSTOMER).get(reverse("customer-list")).status_code == 403


def test_codes_are_gapless_when_a_create_fails():
    currency("USD")
    make_customer("One")
    with pytest.raises(ValidationError):
        services.customer_create(name="", currency=currency("USD"))
    assert make_customer("Two").code == "CUST-00002"


def test_the_list_writes_the_rows_tables2_wrote_for_awkward_customers(admin_client):
    """CustomerTable's cell writers (apps.core.table_rows) against tables2's own cell loop:
    inactive, no e-mail or phone, markup in the name, a limit of zero."""
    from tests.core.test_table_rows import CELL_LOOP, ONE_LOOP, _render

    make_customer(name="<Tea> & 'co'", email="", active=False, credit_limit=Decimal("0"))
    make_customer(name="Big", phone="+33 4 72 00 00 01", credit_limit=Decimal("1234567.89"))
    table = admin_client.get(reverse("customer-list")).context["table"]
    rows = _render(ONE_LOOP, table)
    assert rows == _render(CELL_LOOP, table)
    assert ("span", [("class", "false")]) in rows and ("span", [("class", "true")]) in rows
    assert "<Tea> & 'co'" in rows  # escaped in the HTML: the parser reads it back as text
