"""Dunning and recurring invoice screens: roles, forms with inline errors, tomorrow's run,
"Send reminder now", the recurring form with its lines."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.invoicing import services
from apps.invoicing.models import DunningLevel, Invoice, RecurringInvoice, Reminder
from apps.invoicing.services.dunning import company_today

from .conftest import free_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(levels, customer):
    """Due six days ago (company date): tomorrow it is 7 days overdue, the first level."""
    customer.email = "ap@acme.test"
    customer.save()
    issue = company_today() - dt.timedelta(days=16)
    return services.invoice_issue(
        invoice=free_invoice(customer, ("Audit", "1", "90.00", None), payment_terms_days=10),
        issue_date=issue,
    )


@pytest.fixture
def template(books, customer):
    return services.recurring_create(
        name="Hosting",
        customer=customer,
        interval="monthly",
        day_of_month=31,
        start_date=dt.date(2026, 1, 31),
        lines=[{"description": "Hosting", "quantity": "1", "unit_price": "20.00"}],
    )


def test_role_matrix(client_for, late, template):
    level = DunningLevel.objects.first()
    read = [
        reverse("dunning-list"),
        reverse("dunning-preview"),
        reverse("recurring-list"),
        reverse("recurring-detail", args=[template.pk]),
    ]
    write = [
        reverse("dunning-level-create"),
        reverse("dunning-level-update", args=[level.pk]),
        reverse("invoice-remind", args=[late.pk]),
        reverse("recurring-create"),
        reverse("recurring-update", args=[template.pk]),
    ]
    expected = {
        Role.ADMIN: (200, 200),
        Role.ACCOUNTANT: (200, 200),
        Role.SALES: (200, 403),
        Role.VIEWER: (200, 403),
        Role.WAREHOUSE: (403, 403),
        Role.CUSTOMER: (403, 403),
    }
    clients = {role: client_for(role) for role in expected}
    for role, (r, w) in expected.items():
        client = clients[role]
        assert [client.get(u).status_code for u in read] == [r] * len(read), role
        assert [client.get(u).status_code for u in write] == [w] * len(write), role
    viewer = clients[Role.VIEWER]
    assert viewer.post(reverse("invoice-remind", args=[late.pk])).status_code == 403
    assert viewer.post(reverse("recurring-run", args=[template.pk])).status_code == 403
    assert Reminder.objects.count() == 0


def test_nav_entries_for_readers_only(client_for, books):
    page = client_for(Role.SALES).get("/").content
    assert b'href="/invoices/dunning/"' in page and b'href="/invoices/recurring/"' in page
    page = client_for(Role.WAREHOUSE).get("/").content
    assert b'href="/invoices/dunning/"' not in page


def test_dunning_page_lists_levels_and_empty_reminders(client_for, levels):
    page = client_for(Role.ACCOUNTANT).get(reverse("dunning-list")).content.decode()
    assert "First reminder" in page and "Final notice" in page
    assert "No reminder sent yet." in page
    assert 'href="/invoices/dunning/levels/new/"' in page


def test_empty_states(client_for, books):
    client = client_for(Role.ACCOUNTANT)
    page = client.get(reverse("dunning-list")).content.decode()
    assert "No dunning level yet: no reminder will be sent." in page
    page = client.get(reverse("recurring-list")).content.decode()
    assert "No recurring invoice yet." in page
    page = client.get(reverse("dunning-preview")).content.decode()
    assert "Nothing to send tomorrow" in page


def test_level_form_shows_errors_next_to_the_field_and_saves(client_for, levels):
    client = client_for(Role.ACCOUNTANT)
    data = {"name": "Last", "days_after_due": "7", "fee": "0", "subject": "S", "body": "B"}
    response = client.post(reverse("dunning-level-create"), data)
    assert response.context["form"].errors["days_after_due"] == [
        "First reminder is already sent 7 days after due."
    ]
    data.update(days_after_due="60", subject="{nope}")
    response = client.post(reverse("dunning-level-create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["subject"][0].startswith("Unknown placeholder {nope}.")
    assert DunningLevel.objects.count() == 3
    data.update(subject="Last call {number}", active="on")
    response = client.post(reverse("dunning-level-create"), data)
    assert response.status_code == 302
    assert DunningLevel.objects.get(days_after_due=60).subject == "Last call {number}"
    level = DunningLevel.objects.get(days_after_due=60)
    data.update(fee="2.50")
    client.post(reverse("dunning-level-update", args=[level.pk]), data)
    level.refresh_from_db()
    assert str(level.fee) == "2.50"


def test_tomorrow_page_shows_what_the_job_will_send(client_for, late):
    page = client_for(Role.VIEWER).get(reverse("dunning-preview")).content.decode()
    tomorrow = company_today() + dt.timedelta(days=1)
    assert f"{tomorrow:%Y-%m-%d}" in page
    assert late.number in page and "First reminder" in page and "ap@acme.test" in page


def test_send_reminder_now_button_and_post(client_for, late):
    client = client_for(Role.ACCOUNTANT)
    page = client.get(late.get_absolute_url()).content.decode()
    assert "Send reminder now" in page and 'data-confirm="Send First reminder' in page
    response = client.post(reverse("invoice-remind", args=[late.pk]), follow=True)
    assert "First reminder sent to ap@acme.test." in response.content.decode()
    reminder = Reminder.objects.get()
    assert (reminder.level.name, reminder.trigger, reminder.days_overdue) == (
        "First reminder",
        "manual",
        6,
    )
    page = client.get(late.get_absolute_url()).content.decode()
    assert "Invoice reminder sent" in page  # the timeline
    assert 'data-confirm="Send Second reminder' in page


def test_send_reminder_now_on_a_paid_invoice_is_a_message_not_a_500(client_for, late):
    note = services.credit_note_create(invoice=late, reason="Settled")
    services.credit_note_issue(credit_note=note)
    client = client_for(Role.ACCOUNTANT)
    assert "Send reminder now" not in client.get(late.get_absolute_url()).content.decode()
    response = client.post(reverse("invoice-remind", args=[late.pk]), follow=True)
    assert f"Invoice {late.number} is paid; no reminder is sent." in response.content.decode()
    assert Reminder.objects.count() == 0


def test_recurring_form_with_lines_and_inline_errors(client_for, customer, books):
    client = client_for(Role.ACCOUNTANT)
    data = {
        "name": "Support plan",
        "customer": customer.code,
        "interval": "quarterly",
        "day_of_month": "31",
        "start_date": "2026-01-31",
        "payment_terms_days": "14",
        "auto_issue": "on",
        "active": "on",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
    }
    response = client.post(reverse("recurring-create"), data)
    assert response.status_code == 200
    assert "Add at least one line." in response.content.decode()
    data.update(
        {"lines-0-description": "Support", "lines-0-quantity": "1", "lines-0-unit_price": "300"}
    )
    data["end_date"] = "2025-01-01"
    response = client.post(reverse("recurring-create"), data)
    assert response.context["form"].errors["end_date"] == ["The end cannot be before the start."]
    data["end_date"] = ""
    response = client.post(reverse("recurring-create"), data)
    template = RecurringInvoice.objects.get()
    assert response.url == template.get_absolute_url()
    assert [(x.description, str(x.unit_price)) for x in template.lines.all()] == [
        ("Support", "300.00")
    ]
    page = client.get(template.get_absolute_url()).content.decode()
    assert "Create due invoices now" in page
    client.post(reverse("recurring-run", args=[template.pk]))
    made = template.periods.count()
    assert made >= 1 and Invoice.objects.count() == made
    client.post(reverse("recurring-run", args=[template.pk]))
    assert Invoice.objects.count() == made


def test_recurring_list_filters(client_for, template):
    client = client_for(Role.VIEWER)
    page = client.get(reverse("recurring-list"), {"q": "host"}).content.decode()
    assert "Hosting" in page
    page = client.get(reverse("recurring-list"), {"active": "inactive"}).content.decode()
    assert "Hosting" not in page
    page = client.get(reverse("recurring-list"), {"active": "active"}).content.decode()
    assert "Hosting" in page
    page = client.get(reverse("recurring-list"), {"interval": "yearly"}).content.decode()
    assert "Hosting" not in page and "Nothing matches these filters." in page
    response = client.get(reverse("recurring-list"), {"_export": "csv"})
    assert b"Hosting" in b"".join(
        response.streaming_content if response.streaming else [response.content]
    )
