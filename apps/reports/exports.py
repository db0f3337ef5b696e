"""CSV and PDF of a finished report, both written from the stored JSON result."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.csvexport import csv_text

from .result import table_cells

# WeasyPrint lays out a table row of 12 cells in ~30 ms on a loaded 2-core machine (300
# rows: 8.7 s): a PDF prints the first rows of a long table, in the report's order (the
# totals still cover every row; the run page shows 500, the CSV lists them all).
PDF_ROWS = 50


def csv_rows(result: dict, parameters: dict):
    yield [result["title"]]
    if result.get("subtitle"):
        yield [result["subtitle"]]
    for key, value in sorted(parameters.items()):
        if key.endswith("_label"):
            yield [key.removesuffix("_label").replace("_", " ").title(), value]
    yield []
    for figure in result.get("figures", []):
        yield [figure["label"], figure["value"]]
    for table in result.get("tables", []):
        yield []
        yield [table["title"]]
        yield [c["label"] for c in table["columns"]]
        for row in table["rows"]:
            yield table_cells(table, row)
        if table.get("totals"):
            yield table_cells(table, table["totals"])


def render_csv(result: dict, parameters: dict) -> bytes:
    return csv_text(csv_rows(result, parameters)).encode("utf-8")


def render_pdf(result: dict, parameters: dict, *, run_id: int | None = None) -> bytes:
    from weasyprint import HTML

    from apps.core.models import CompanySettings

    html = render_to_string(
        "reports/report_pdf.html",
        {
            "result": result,
            "parameters": parameters,
            "company": CompanySettings.load(),
            "generated": timezone.localtime(),
            "run_id": run_id,
            "pdf_rows": PDF_ROWS,
            "pdf_rows_slice": f":{PDF_ROWS}",
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
