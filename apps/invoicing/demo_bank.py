"""Demo bank data: the company's account and the sample CAMT.053 statement of docs/samples/
imported through the real services (its lines name INV-2026-00001 .. 00004 by RF reference
or number, so the demo shows suggestions with their reasons). Idempotent."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.models import CompanySettings

from .models import BankAccount, BankStatement, StatementStatus
from .services import bank as service

SAMPLE = Path(settings.BASE_DIR) / "docs" / "samples" / "camt053-demo.xml"


def seed(*, stdout) -> None:
    if BankAccount.all_objects.exists() or not SAMPLE.exists():
        return
    company = CompanySettings.load()
    account = BankAccount.objects.create(
        name="Main account",
        iban="FR7630006000011234567890189",
        currency_id=company.base_currency,
    )
    statement = service.statement_upload(
        account=account, upload=SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes())
    )
    if statement.status != StatementStatus.PREVIEWED:
        stdout.write(f"  bank statement sample not imported: {statement.error}")
        return
    BankStatement.objects.filter(pk=statement.pk).update(status=StatementStatus.QUEUED)
    statement = service.statement_import(statement_id=statement.pk)
    stdout.write(
        f"  bank: 1 account, 1 statement ({statement.lines_added} lines, "
        f"{statement.lines.filter(status='suggested').count()} with suggestions)"
    )
