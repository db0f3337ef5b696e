"""Background jobs (django-q2) of invoicing: storing issued PDFs, emailing documents."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from apps.core.models import CompanySettings

from .models import CreditNote, Invoice

MODELS = {"invoice": Invoice, "credit_note": CreditNote}


def _document(kind: str, pk: int):
    return MODELS[kind].all_objects.select_related("customer", "currency").get(pk=pk)


def document_store_pdf(kind: str, pk: int) -> bool:
    """Render and store the archived PDF of an issued document (idempotent)."""
    from .services import invoice_store_pdf

    return invoice_store_pdf(_document(kind, pk))


def document_email(kind: str, pk: int, to: str, message: str = "") -> str:
    """Send one document with its archived PDF attached, then record it as sent."""
    from .printing import document_pdf
    from .services.email import document_email_sent

    document = _document(kind, pk)
    invoice_store_pdf_first(document)
    document = _document(kind, pk)
    company = CompanySettings.load()
    title = "Invoice" if kind == "invoice" else "Credit note"
    body = message.strip() or (
        f"Dear {document.billing_name},\n\nplease find attached {title.lower()} "
        f"{document.number} of {document.total} {document.currency_id}.\n\n"
        f"Kind regards,\n{company.name}"
    )
    mail = EmailMessage(
        subject=f"{title} {document.number} from {company.name}",
        body=body,
        from_email=company.email or settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    mail.attach(f"{document.number}.pdf", document_pdf(document, archived=True), "application/pdf")
    mail.send()
    document_email_sent(document=document, to=to)
    return to


def invoice_store_pdf_first(document) -> None:
    """An email never waits on a missing PDF: store it now if the worker has not yet."""
    from .services import invoice_store_pdf

    invoice_store_pdf(document)


def statement_import_task(statement_id: int, user_id: int | None = None) -> dict:
    """Import a queued bank statement in the worker, as the user who started it."""
    from django.contrib.auth import get_user_model

    from apps.core.request_context import acting_as

    from .services.bank import statement_import

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with acting_as(user):
        statement = statement_import(statement_id=statement_id, user=user)
    return {
        "statement": statement.pk,
        "status": statement.status,
        "lines_added": statement.lines_added,
        "lines_duplicate": statement.lines_duplicate,
        "matches_applied": statement.matches_applied,
    }


def reminder_email(pk: int) -> str:
    """Email one dunning reminder with the invoice's (and its fee invoice's) PDF attached.
    The claim and the send share one transaction: a replay of the task sends nothing, a
    failed send leaves the reminder unclaimed for the retry."""
    from django.db import transaction

    from .models import Reminder
    from .printing import document_pdf
    from .services.dunning import reminder_emailed, reminder_texts

    reminder = Reminder.objects.select_related(
        "invoice__customer", "invoice__currency", "level", "fee_invoice"
    ).get(pk=pk)
    if reminder.emailed_at is not None or not reminder.to:
        return "nothing to send"
    documents = [reminder.invoice] + ([reminder.fee_invoice] if reminder.fee_invoice else [])
    attachments = []
    for document in documents:
        invoice_store_pdf_first(document)
        document = _document("invoice", document.pk)
        attachments.append((f"{document.number}.pdf", document_pdf(document, archived=True)))
    subject, body = reminder_texts(reminder)
    company = CompanySettings.load()
    mail = EmailMessage(
        subject=subject,
        body=body,
        from_email=company.email or settings.DEFAULT_FROM_EMAIL,
        to=[reminder.to],
    )
    for name, content in attachments:
        mail.attach(name, content, "application/pdf")
    with transaction.atomic():
        if not reminder_emailed(reminder=reminder):
            return "already sent"
        mail.send()
    return reminder.to


def dunning_daily_task() -> str:
    """The daily dunning run (backoffice/schedules.py)."""
    from .services.dunning import dunning_run

    run = dunning_run()
    return f"{run.today}: {len(run.sent)} reminders sent, {len(run.refused)} refused"


def recurring_daily_task() -> str:
    """The daily recurring-invoice run (backoffice/schedules.py)."""
    from .services.recurring import recurring_run_all

    run = recurring_run_all()
    return f"{run.today}: {len(run.invoices)} invoices created, {len(run.errors)} errors"


def next_morning():
    """07:00 company time tomorrow: when the daily invoicing jobs first run."""
    import datetime as dt

    company = CompanySettings.load()
    tomorrow = company.today() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(7), tzinfo=company.zone)
