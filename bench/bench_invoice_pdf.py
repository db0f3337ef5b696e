"""1-page invoice PDF: our pipeline next to a bare WeasyPrint render of the same HTML.

    .venv/bin/python bench/bench_invoice_pdf.py        # BENCH_REPEAT=15 by default

"pipeline" is `pdf_render(doc)`: the Django template, the Factur-X XML, WeasyPrint with
pdf/a-3b, the attached factur-x.xml and the Factur-X XMP. "bare" is
`HTML(string=html).write_pdf()` of the HTML the pipeline renders (made once, outside the
timing). Runs alternate so both see the same machine load; medians and the ratio are
printed (goal: pipeline <= 1.2 x bare). No database is needed.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.test")
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))


def main() -> None:
    import django

    django.setup()
    logging.disable(logging.INFO)
    from weasyprint import HTML

    from apps.invoicing.rendering.facturx import facturx_xml
    from apps.invoicing.rendering.pdf import PDF_VARIANT, pdf_html, pdf_render
    from tests.invoicing.documents import multi_rate, with_logo

    doc = with_logo(multi_rate())
    html = pdf_html(doc)

    def pipeline():
        return pdf_render(doc)

    def bare():
        return HTML(string=html).write_pdf()

    def bare_pdfa():
        return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)

    def parts():
        pdf_html(doc)
        facturx_xml(doc)

    variants = {"pipeline": pipeline, "bare": bare, "bare pdf/a-3b": bare_pdfa, "html+xml": parts}
    for function in variants.values():  # warm fonts, template and CSS caches
        function()
    wall: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(REPEAT):
        for name, function in variants.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    wall_ms = {name: statistics.median(values) * 1000 for name, values in wall.items()}
    cpu_ms = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
    print(f"1-page invoice, {REPEAT} alternating runs, median ms (wall / CPU of this process):")
    for name in variants:
        print(f"  {name:14s} {wall_ms[name]:7.1f} {cpu_ms[name]:7.1f}")
    print(
        f"  pipeline / bare = {wall_ms['pipeline'] / wall_ms['bare']:.2f} wall, "
        f"{cpu_ms['pipeline'] / cpu_ms['bare']:.2f} CPU"
    )
    print(f"  bytes: pipeline {len(pipeline())}, bare {len(bare())}")


if __name__ == "__main__":
    main()
