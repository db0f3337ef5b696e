"""File downloads through the API (invoice PDF/XML, report CSV/PDF): private, never a
/media/ URL, served by an action after the same permission and party checks as any read.

A download action answers a plain HttpResponse with the file. Its renderers let a client
ask for the file's type (`Accept: application/pdf`) as well as JSON, and render the
problem+json errors (404, 403) whichever was asked for.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer


class FileRenderer(BaseRenderer):
    """Passes file bytes through; an error body (a dict) is written as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | bytearray):
            return bytes(data)
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


def file_renderer(media_type: str, fmt: str) -> type[FileRenderer]:
    return type(
        f"{fmt.title()}Renderer", (FileRenderer,), {"media_type": media_type, "format": fmt}
    )


PDF = "application/pdf"
XML = "application/xml"
CSV = "text/csv"
RENDERERS = {
    PDF: [JSONRenderer, file_renderer(PDF, "pdf")],
    XML: [JSONRenderer, file_renderer(XML, "xml")],
    CSV: [JSONRenderer, file_renderer(CSV, "csv")],
}


def file_action_options(media_type: str) -> dict:
    """`@action(detail=True, **file_action_options(PDF))`: a GET answering a file."""
    return {
        "methods": ["get"],
        "renderer_classes": RENDERERS[media_type],
        "pagination_class": None,
        "filter_backends": [],
    }


def file_responses(media_type: str, description: str) -> dict:
    """extend_schema(responses=...) of a download: the file on 200 (errors are added by
    apps.core.api.schema.Schema)."""
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)}


def download_headers(response, filename: str, *, inline: bool = False):
    """Private, uncached, not sniffed; the file's name for the browser."""
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
