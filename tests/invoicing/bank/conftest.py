import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.models import CompanySettings
from apps.invoicing import services
from apps.invoicing.models import BankAccount
from tests.invoicing.conftest import free_invoice
from tests.sales.factories import make_customer

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
ISSUED = dt.date(2026, 11, 2)


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def upload(name: str, content: str | bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = (SAMPLES / name).read_bytes()
    if isinstance(content, str):
        content = content.encode()
    return SimpleUploadedFile(name, content)


def issue(customer, amount: str, *, day: dt.date = ISSUED):
    """An issued invoice of `amount` (no tax) dated in fiscal year 2026."""
    draft = free_invoice(customer, ("Services", "1", amount, None), issue_date=day)
    return services.invoice_issue(invoice=draft, issue_date=day)


@pytest.fixture
def account(books):
    return BankAccount.objects.create(
        name="Main account", iban="FR7630006000011234567890189", currency_id="USD"
    )


@pytest.fixture
def acme(books):
    return make_customer("Acme Retail")


@pytest.fixture
def sample_invoices(acme):
    """The four invoices docs/samples/ pay: INV-2026-00001 .. 00004 of Acme Retail."""
    return [issue(acme, a) for a in ("120.00", "80.00", "45.50", "200.00")]


@pytest.fixture
def auto_apply(books):
    company = CompanySettings.load()
    company.bank_auto_apply = True
    company.save()


D = Decimal
