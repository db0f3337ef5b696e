"""Storing an issued document's PDF, once, after its issuing transaction commits.

The renderer (apps.invoicing.rendering, built in parallel) is wired through
`PDF_RENDERER`: a callable (document) -> PDF bytes. Until it is set, issuing still works
and the document simply has no stored PDF yet (`pdf` empty); `invoice_store_pdf` is
idempotent, so running it again later stores the PDF exactly once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile

logger = logging.getLogger(__name__)

# Hook to wire to apps.invoicing.rendering once it lands: document -> PDF/A-3 bytes.
PDF_RENDERER: Callable | None = None


def invoice_store_pdf(document) -> bool:
    """Render and store the PDF of an issued invoice or credit note unless it already has
    one (later downloads are byte-identical). Returns True when a PDF was stored."""
    if document.is_draft or document.pdf:
        return False
    if PDF_RENDERER is None:
        logger.debug("No PDF renderer wired yet; %s stored without a PDF.", document)
        return False
    data = PDF_RENDERER(document)
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
