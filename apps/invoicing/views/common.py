"""What the invoicing screens share: the area, service errors as form errors, downloads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from apps.accounts.roles import Area

from ..printing import document_pdf, document_xml


class InvoicesArea:
    area = Area.INVOICES


def add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def file_response(document, fmt: str, *, archived: bool = False) -> HttpResponse:
    """The PDF (inline) or the bare Factur-X XML (download) of one document, never a
    /media/ URL: the caller has already checked the reader's right to it."""
    name = document.number or f"draft-{document.pk}"
    if fmt == "xml":
        response = HttpResponse(document_xml(document), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{name}-factur-x.xml"'
    else:
        response = HttpResponse(
            document_pdf(document, archived=archived), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
