"""Django admin is no back door around the books (issue 12 §3) nor the job queue (§4)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from apps.core.admin import BOOKS_MODELS, is_books_model
from apps.core.books import run_checks
from apps.inventory.services import stock_receive
from apps.ledger.models import Account, JournalEntry
from tests.catalog.factories import ProductFactory
from tests.credit.conftest import approver, make_seller  # noqa: F401  (fixtures)
from tests.inventory.factories import StoreFactory
from tests.ledger.conftest import books  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted_books(make_seller):  # noqa: F811
    """A seller top-up (journal entry, accounts with postings) and a stock receipt."""
    make_seller("100.00", company="Alpha")
    stock_receive(store=StoreFactory(), product=ProductFactory(), quantity=5, reference="PO-1")
    assert run_checks()[0]


@pytest.fixture
def admin_user_client(role_user):
    client = Client()
    client.force_login(role_user("Admin"))  # the Admin role, not a superuser
    return client


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_books_models_are_declared():
    assert {"ledger", "credit", "sales", "invoicing"} <= {m.split(".")[0] for m in BOOKS_MODELS}
    assert is_books_model(Account) and is_books_model(JournalEntry)


def test_every_admin_model_refuses_writes_to_posted_financial_rows(posted_books, admin_user_client):
    client = admin_user_client
    checked = []
    for model in list(admin.site._registry):
        assert client.get(admin_url(model, "changelist")).status_code in (200, 403), model
        if not is_books_model(model):
            continue
        row = model._default_manager.order_by("pk").last()
        assert row is not None, f"no posted {model._meta.label} row to attack"
        before = model._default_manager.filter(pk=row.pk).values().get()
        assert client.get(admin_url(model, "add")).status_code == 403, model
        assert client.post(admin_url(model, "add"), {}).status_code == 403, model
        data = {k: "" if v is None else v for k, v in before.items()}
        change = client.post(admin_url(model, "change", row.pk), {**data, "type": "expense"})
        assert change.status_code == 403, model
        delete = client.post(admin_url(model, "delete", row.pk), {"post": "yes"})
        assert delete.status_code == 403, model
        assert model._default_manager.filter(pk=row.pk).values().get() == before
        checked.append(model._meta.label)
    assert sorted(checked) == [
        "inventory.StockLevel",
        "inventory.StockMovement",
        "ledger.Account",
        "ledger.JournalEntry",
    ]
    assert run_checks()[0]


def test_changing_the_type_of_an_account_with_postings_is_refused(posted_books, admin_user_client):
    account = Account.objects.filter(lines__isnull=False).order_by("pk").first()
    response = admin_user_client.post(
        admin_url(Account, "change", account.pk),
        {
            "code": account.code,
            "name": account.name,
            "type": "expense",
            "currency": account.currency_id,
        },
    )
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).type == account.type


def test_job_queue_models_are_not_in_the_admin(admin_user_client):
    labels = {m._meta.app_label for m in admin.site._registry}
    assert "django_q" not in labels
    assert admin_user_client.get("/admin/django_q/schedule/add/").status_code == 404
