"""Dunning and recurring invoices through the API: levels, "Send reminder now", the
plan and the run; recurring templates created, changed and run. The screens' services,
figures and words; the POSTs that issue invoices are idempotent with a key."""

# ruff: noqa: F401, F811  (pytest fixtures imported from tests/invoicing)

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from apps.invoicing import services
from apps.invoicing.models import Invoice, RecurringInvoice, Reminder
from apps.invoicing.services.dunning import company_today
from tests.invoicing.conftest import books, customer, free_invoice, levels
from tests.sales.factories import tax

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(customer, books):
    """90.00 due 40 days ago (company date): every level of `levels` is due."""
    customer.email = "ap@acme.test"
    customer.save()
    draft = free_invoice(customer, ("Audit", "1", "90.00", None), payment_terms_days=10)
    return services.invoice_issue(invoice=draft, issue_date=company_today() - dt.timedelta(50))


def test_levels_are_created_and_changed_with_the_screens_words(api, screen, levels):
    body = {
        "name": "Last call",
        "days_after_due": 45,
        "fee": "15.00",
        "subject": "Last call: {number}",
        "body": "{customer}, {open_amount} {currency} is still open.",
    }
    made = api.post("/api/v1/dunning/levels/", body, format="json")
    assert made.status_code == 201, made.content
    assert {k: made.json()[k] for k in ("name", "days_after_due", "fee", "active")} == {
        "name": "Last call",
        "days_after_due": 45,
        "fee": "15.00",
        "active": True,
    }
    clash = {**body, "name": "Again", "days_after_due": 7}
    refused = api.post("/api/v1/dunning/levels/", clash, format="json")
    words = "First reminder is already sent 7 days after due."
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"days_after_due": [words]}
    form = screen.post(reverse("dunning-level-create"), {**clash, "active": "on"})
    assert form.status_code == 200 and words in form.content.decode()
    changed = api.patch(f"/api/v1/dunning/levels/{made.json()['id']}/", {"fee": "12.5"})
    assert changed.status_code == 200 and changed.json()["fee"] == "12.50"
    braces = api.patch(f"/api/v1/dunning/levels/{made.json()['id']}/", {"subject": "Oops {"})
    assert braces.json()["errors"] == {
        "subject": ["Unbalanced { or }: write {{ and }} for a brace."]
    }
    listed = api.get("/api/v1/dunning/levels/").json()["results"]
    assert [(lv["days_after_due"], lv["fee"]) for lv in listed] == [
        (7, "0.00"),
        (14, "5.00"),
        (30, "10.00"),
        (45, "12.50"),
    ]


def test_send_reminder_now_replays_and_refuses_as_the_screen(
    api, screen, levels, overdue, customer
):
    body = {"invoice": overdue.pk}
    first = api.post("/api/v1/dunning/reminders/", body, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert first.status_code == 201, first.content
    sent = first.json()
    assert {k: sent[k] for k in ("number", "level_name", "days_overdue", "open_amount")} == {
        "number": overdue.number,
        "level_name": "First reminder",
        "days_overdue": 40,
        "open_amount": "90.00",
    }
    assert (sent["fee_invoice"], sent["to"], sent["trigger"]) == (None, "ap@acme.test", "manual")
    again = api.post("/api/v1/dunning/reminders/", body, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert again["Idempotent-Replayed"] == "true" and again.json() == sent
    assert Reminder.objects.count() == 1

    second = api.post("/api/v1/dunning/reminders/", body, format="json").json()
    fee = Invoice.objects.get(pk=second["fee_invoice"])
    assert (second["level_name"], fee.status, fee.total) == ("Second reminder", "issued", 5)
    api.post("/api/v1/dunning/reminders/", body, format="json")
    words = f"Every dunning level has been sent for invoice {overdue.number}."
    refused = api.post("/api/v1/dunning/reminders/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": [words]}
    page = screen.post(reverse("invoice-remind", args=[overdue.pk]), follow=True)
    assert words in page.content.decode()
    listed = api.get("/api/v1/dunning/reminders/", {"invoice": overdue.pk}).json()
    assert [r["level_name"] for r in listed["results"]] == [
        "Final notice",
        "Second reminder",
        "First reminder",
    ]


def test_plan_then_run_sends_each_level_once(api, levels, overdue, customer):
    today = company_today()
    plan = api.get("/api/v1/dunning/plan/").json()
    assert plan["date"] == today.isoformat()
    assert [
        (p["number"], p["level_name"], p["days_overdue"], p["fee"]) for p in plan["reminders"]
    ] == [(overdue.number, "Final notice", 40, "10.00")]
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert (
        api.get("/api/v1/dunning/plan/", {"date": tomorrow}).json()["reminders"][0]["days_overdue"]
        == 41
    )
    assert api.get("/api/v1/dunning/plan/", {"date": "soon"}).status_code == 400

    ran = api.post("/api/v1/dunning/run/", HTTP_IDEMPOTENCY_KEY="run-1")
    assert ran.status_code == 200, ran.content
    body = ran.json()
    assert (body["date"], body["refused"]) == (today.isoformat(), [])
    [reminder] = body["sent"]
    fee = Invoice.objects.get(pk=reminder["fee_invoice"])
    assert (reminder["level_name"], reminder["trigger"], fee.total) == ("Final notice", "job", 10)
    assert api.post("/api/v1/dunning/run/", HTTP_IDEMPOTENCY_KEY="run-1").json() == body
    assert api.post("/api/v1/dunning/run/").json()["sent"] == []  # nothing due twice
    assert api.get("/api/v1/dunning/plan/").json()["reminders"] == []
    assert Reminder.objects.count() == 1


def template_body(customer, **extra):
    return {
        "name": "Maintenance",
        "customer": customer.pk,
        "interval": "monthly",
        "day_of_month": 1,
        "start_date": "2026-09-01",
        "end_date": "2026-10-31",
        "lines": [
            {
                "description": "Maintenance",
                "quantity": "2",
                "unit_price": "50.00",
                "tax_rate": tax("20").pk,
            }
        ],
        **extra,
    }


def test_recurring_template_create_change_and_run(api, customer):
    no_issue = api.post(
        "/api/v1/recurring-invoices/",
        template_body(customer, auto_issue=False, auto_email=True),
        format="json",
    )
    assert no_issue.status_code == 400
    assert no_issue.json()["errors"] == {
        "auto_email": ["Only issued invoices are emailed: tick auto-issue."]
    }
    no_lines = api.post("/api/v1/recurring-invoices/", template_body(customer, lines=[]))
    assert no_lines.json()["errors"] == {"lines": ["Add at least one line."]}

    made = api.post("/api/v1/recurring-invoices/", template_body(customer), format="json")
    assert made.status_code == 201, made.content
    template = made.json()
    assert made["Location"] == f"{template['id']}/"
    assert (template["invoiced"], template["auto_issue"], template["upcoming"]) == (0, True, [])
    assert [(ln["description"], ln["quantity"], ln["unit_price"]) for ln in template["lines"]] == [
        ("Maintenance", "2.000", "50.00")
    ]
    url = f"/api/v1/recurring-invoices/{template['id']}/"

    ran = api.post(url + "run/", HTTP_IDEMPOTENCY_KEY="rec-1")
    assert ran.status_code == 200, ran.content
    body = ran.json()
    assert body["numbers"] == ["INV-2026-00001", "INV-2026-00002"]
    invoices = Invoice.objects.filter(pk__in=body["invoices"]).order_by("issue_date")
    assert [(i.issue_date, i.status, i.total) for i in invoices] == [
        (dt.date(2026, 9, 1), "issued", 120),
        (dt.date(2026, 10, 1), "issued", 120),
    ]
    assert api.post(url + "run/", HTTP_IDEMPOTENCY_KEY="rec-1").json() == body
    assert api.post(url + "run/").json()["invoices"] == []  # every period billed once
    detail = api.get(url).json()
    assert (detail["invoiced"], [p["period_date"] for p in detail["periods"]]) == (
        2,
        ["2026-10-01", "2026-09-01"],
    )

    moved = api.patch(url, {"start_date": "2026-08-01"}, format="json")
    assert moved.json()["errors"] == {
        "start_date": [
            "Invoices were already made on this schedule: end this template and start a new one."
        ]
    }
    renamed = api.patch(url, {"name": "Maintenance 2026", "active": False}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert (renamed.json()["name"], renamed.json()["active"]) == ("Maintenance 2026", False)
    assert RecurringInvoice.objects.get().lines.count() == 1


def test_sales_reads_dunning_and_recurring_but_changes_nothing(
    api_for, make_user, levels, customer
):
    sales = api_for("Sales")
    assert sales.get("/api/v1/dunning/reminders/").status_code == 200
    assert sales.get("/api/v1/recurring-invoices/").status_code == 200
    assert sales.post("/api/v1/dunning/run/").status_code == 403
    assert sales.post("/api/v1/recurring-invoices/", template_body(customer)).status_code == 403
    customer.portal_user = make_user("Customer", email="portal@example.test")
    customer.save()
    portal = token_client(customer.portal_user)
    assert portal.get("/api/v1/dunning/reminders/").status_code == 403
    assert portal.get("/api/v1/recurring-invoices/").status_code == 403
