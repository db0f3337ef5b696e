"""apps/core/phones.py: a stored number read as PhoneNumberField reads it, parsed once per
process, each row with its own object."""

import pytest
from phonenumber_field.phonenumber import PhoneNumber, to_python

from apps.core.phones import PhoneField, international, stored_phone
from apps.customers.models import Customer
from tests.sales.factories import make_customer


@pytest.mark.parametrize("text", ["+442079460000", "+1 212 555 0100", "not a number", "", None])
def test_the_same_value_as_the_library_gives(text):
    ours, theirs = stored_phone(text), to_python(text)
    assert type(ours) is type(theirs)
    assert ours == theirs
    if isinstance(theirs, PhoneNumber):
        assert vars(ours) == vars(theirs)
        assert ours.as_international == theirs.as_international


def test_each_read_gets_its_own_object():
    first, second = stored_phone("+442079460000"), stored_phone("+442079460000")
    assert first == second and first is not second
    first.extension = "12"  # a change to one row's number stays with it
    assert stored_phone("+442079460000").extension is None


@pytest.mark.django_db
def test_rows_read_through_the_field():
    assert isinstance(Customer._meta.get_field("phone"), PhoneField)
    make_customer("Acme", phone="+442079460000")
    make_customer("Bolt", phone="+442079460000")
    a, b = Customer.objects.filter(phone="+442079460000")
    assert a.phone == b.phone == to_python("+442079460000") and a.phone is not b.phone
    assert a.phone.as_international == "+44 20 7946 0000"


@pytest.mark.parametrize(
    "text, written",
    [
        ("+4930123456", "+49 30 123456"),
        ("+390612345678", "+39 06 1234 5678"),  # Italy's leading zero
        ("+3900612345", "+39 00612345"),  # two leading zeros
        ("+14155552671 ext. 123", "+1 415-555-2671 ext. 123"),
        ("+442079460000", "+44 20 7946 0000"),
        ("not a number", "None"),  # the library's text for a number that never parsed
    ],
)
def test_international_writes_what_the_library_writes(text, written):
    """`international` keeps each number's written form once per process: the same text as
    `as_international`, the first time and the next."""
    for _ in range(2):
        phone = to_python(text)
        assert (international(phone), phone.as_international) == (written, written)
