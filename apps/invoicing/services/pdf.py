"""Storing an issued document's PDF, once, after its issuing transaction commits.

The issuing services call `pdf_queue(document)`: after commit, a django-q2 task
(`apps.invoicing.tasks.document_store_pdf`, run in the worker; synchronous in tests)
renders the PDF/A-3 through `apps.invoicing.printing.render_issued_pdf` and stores it with
its SHA-256. `PDF_RENDERER` overrides the renderer (a callable document -> bytes).
`invoice_store_pdf` is idempotent, so running it again later stores the PDF exactly once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile

logger = logging.getLogger(__name__)

# Override of the renderer (document -> PDF/A-3 bytes); None: apps.invoicing.printing.
PDF_RENDERER: Callable | None = None


def pdf_queue(document) -> None:
    """Queue the rendering of an issued document's PDF once the transaction commits."""
    from django.db import transaction

    kind = "invoice" if type(document).__name__ == "Invoice" else "credit_note"
    pk = document.pk

    def queue():
        from django_q.tasks import async_task

        async_task("apps.invoicing.tasks.document_store_pdf", kind, pk, group="invoice-pdf")

    transaction.on_commit(queue)


def invoice_store_pdf(document) -> bool:
    """Render and store the PDF of an issued invoice or credit note unless it already has
    one (later downloads are byte-identical). Returns True when a PDF was stored."""
    if document.is_draft or document.pdf:
        return False
    if PDF_RENDERER is None:
        from ..printing import render_issued_pdf as renderer
    else:
        renderer = PDF_RENDERER
    data = renderer(document)
    model = type(document)
    name = f"{document.number}.pdf"
    document.pdf.save(name, ContentFile(data), save=False)
    # a conditional update: two racing renders store one file reference
    updated = model.all_objects.filter(pk=document.pk, pdf="").update(
        pdf=document.pdf.name, pdf_sha256=hashlib.sha256(data).hexdigest()
    )
    if not updated:
        document.pdf.storage.delete(document.pdf.name)
    return bool(updated)
