"""No developer's word on screen (issue 13 item 7): filter choices, object types,
timelines and job names read as a person says them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core.jobs import schedules_ensure
from tests.sales.factories import make_customer

pytestmark = pytest.mark.django_db


def _options(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", block)


def _input(html: str, input_id: str) -> str:
    return re.search(rf'<input[^>]*id="{input_id}"[^>]*>', html).group(0)


def test_filter_empty_choices_say_any_and_types_are_named(client_for):
    html = client_for(Role.ADMIN).get(reverse("audit-list")).content.decode()
    assert "---------" not in html
    assert 'list="user-options"' in _input(html, "id_actor")  # typed, not a select of every user
    assert _options(html, "id_action")[0] == "Any action"
    types = _options(html, "id_content_type")
    assert types[0] == "Any type"
    assert "Credit request" in types and "Customer" in types
    assert not any("|" in t for t in types)
    html = client_for(Role.ACCOUNTANT).get(reverse("creditrequest-list")).content.decode()
    assert _options(html, "id_status")[0] == "Any status"
    assert 'list="seller-options"' in _input(html, "id_seller")  # typed: 1,000+ sellers at scale


def test_yes_no_filters_offer_any_not_unknown(client_for):
    """A yes/no filter's choices say what they filter ("Portal login: any"), not Django's
    "Unknown / Yes / No" (which reads as customers whose portal login is unknown); "any"
    filters nothing."""
    customer = make_customer("Lumen", credit_limit=Decimal("500.00"))
    client = client_for(Role.SALES)
    html = client.get(reverse("customer-list")).content.decode()
    assert _options(html, "id_portal") == [
        "Portal login: any",
        "Portal login: yes",
        "Portal login: no",
    ]
    assert _options(html, "id_active") == ["Active: any", "Active: yes", "Active: no"]
    assert "Unknown" not in html
    html = client.get(reverse("customer-list"), {"active": "unknown"}).content.decode()
    assert "Lumen" in html and customer.pk
    html = client.get(reverse("customer-list"), {"active": "false"}).content.decode()
    assert "Lumen" not in html


def test_timeline_shows_labelled_values_and_hides_ids(client_for):
    customer = make_customer("Lumen", credit_limit=Decimal("500.00"))
    html = client_for(Role.SALES).get(customer.get_absolute_url()).content.decode()
    timeline = html[html.index('id="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert "Credit limit: 500.00" in timeline
    for raw in ("id:", "_id", "deleted_at", "deleted at", "created_at"):
        assert raw not in timeline


def test_jobs_have_a_title_and_a_sentence(admin_client):
    schedules_ensure()
    html = admin_client.get(reverse("job-list")).content.decode()
    assert "<strong>Check books</strong>" in html
    assert "Verify every invariant" in html
    assert "backoffice:" not in html


def test_books_check_page_promises_only_what_is_built(client_for):
    html = client_for(Role.ACCOUNTANT).get(reverse("books-check")).content.decode()
    page = html[html.index("<main") : html.index("</main>")].lower()  # not the menu
    assert "payment" not in page and "dunning" not in page and "DESIGN.md" not in html
