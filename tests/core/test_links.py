"""reverse_pk (apps/core/links.py) writes the same URL as reverse(), for any key and prefix."""

from uuid import UUID, uuid4

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from apps.core.links import reverse_pk


@pytest.mark.parametrize(
    ("name", "pk"),
    [
        ("transaction-detail", UUID("00000000-0000-4000-8000-000000000001")),
        ("transaction-detail", uuid4()),
        ("seller-detail", 1),
        ("seller-detail", 918273645546372819),
        ("journalentry-detail", uuid4()),
        ("account-detail", 7),
        ("customer-detail", 123456),
        ("order-detail", 9),
    ],
)
def test_same_url_as_reverse(name, pk):
    assert reverse_pk(name, pk) == reverse(name, args=[pk])


def test_follows_the_script_prefix():
    assert reverse_pk("seller-detail", 5) == "/credit/sellers/5/"
    set_script_prefix("/bo/")
    try:
        assert reverse_pk("seller-detail", 5) == "/bo/credit/sellers/5/"
    finally:
        set_script_prefix("/")
    assert reverse_pk("seller-detail", 5) == "/credit/sellers/5/"


def test_other_keys_go_through_reverse():
    assert reverse_pk("seller-detail", "12") == "/credit/sellers/12/"
    with pytest.raises(NoReverseMatch):
        reverse_pk("seller-detail", -1)  # the int converter refuses it, as reverse() does
    with pytest.raises(NoReverseMatch):
        reverse_pk("seller-detail", uuid4())
