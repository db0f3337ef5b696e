"""Emailing an issued invoice or credit note with its PDF attached (DESIGN.md §11).

The service only checks and records the request; the mail goes out from a django-q2 task
queued on commit (`apps.invoicing.tasks.document_email`), which attaches the archived PDF
and writes the sent date and recipient on the document and its timeline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from apps.core.audit import audit_record

from ..models import CreditNote, Invoice
from .common import InvoicingError, acting


def _kind(document) -> str:
    return "invoice" if isinstance(document, Invoice) else "credit_note"


@transaction.atomic
def document_email_send(
    *, document: Invoice | CreditNote, to: str, message: str = "", user=None
) -> None:
    """Queue the email of an issued document to `to` (one address)."""
    user = acting(user)
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError as exc:
        raise InvoicingError({"to": "Enter one valid email address."}) from exc
    if document.is_draft:
        raise InvoicingError("Only issued documents are emailed; issue the draft first.")
    kind = _kind(document)
    audit_record(
        subject=document,
        event=f"{kind}.email_queued",
        actor=user,
        changes={"to": to},
        message=message,
    )
    pk = document.pk

    def queue():
        from django_q.tasks import async_task

        async_task("apps.invoicing.tasks.document_email", kind, pk, to, message, group="email")

    transaction.on_commit(queue)


@transaction.atomic
def document_email_sent(*, document: Invoice | CreditNote, to: str) -> None:
    """Record that the mail left: sent date + recipient on the document and its timeline.
    (Neither is part of the hashed content: sending does not change the document.)"""
    from django.utils import timezone

    now = timezone.now()
    type(document).all_objects.filter(pk=document.pk).update(sent_at=now, sent_to=to)
    audit_record(subject=document, event=f"{_kind(document)}.emailed", changes={"to": to})
