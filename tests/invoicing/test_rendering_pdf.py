"""The printed PDF: PDF/A-3b, Factur-X XML inside, pages, stamps, and a real raster."""

import io
import re
import subprocess
from dataclasses import replace

import facturx
import pytest
from PIL import Image
from pypdf import PdfReader

from apps.invoicing.rendering.document import Stamp
from apps.invoicing.rendering.facturx import facturx_xml
from apps.invoicing.rendering.pdf import pdf_render

from .documents import credit_note, long_invoice, multi_rate, with_logo


@pytest.fixture(scope="module")
def invoice():
    doc = with_logo(replace(multi_rate(), stamp=Stamp.DRAFT))
    return doc, pdf_render(doc)


@pytest.fixture(scope="module")
def long_pdf():
    doc = long_invoice(60)
    return doc, pdf_render(doc)


def xmp(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_is_pdf_a_3b_with_factur_x_metadata(invoice):
    _doc, pdf = invoice
    metadata = xmp(pdf)
    assert 'pdfaid:part="3"' in metadata
    assert 'pdfaid:conformance="B"' in metadata
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in metadata
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in metadata
    assert "<pdfaSchema:prefix>fx</pdfaSchema:prefix>" in metadata
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    (filespec,) = [ref.get_object() for ref in root["/AF"]]
    assert filespec["/F"] == "factur-x.xml"
    assert filespec["/AFRelationship"] == "/Data"
    embedded = filespec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/text/xml"
    assert embedded["/Params"]["/ModDate"] == "D:20260314000000Z"


def test_every_font_is_embedded(invoice):
    _doc, pdf = invoice
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts.append(("/FontFile2" in descriptor, str(font["/BaseFont"])))
    assert fonts and all(embedded for embedded, _name in fonts), fonts


def test_attached_xml_is_the_factur_x_xml(invoice):
    doc, pdf = invoice
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml == facturx_xml(doc)


def test_one_page_invoice(invoice):
    _doc, pdf = invoice
    (text,) = page_texts(pdf)
    assert "Page 1 of 1" in text
    assert "INV-2026-0042" in text
    assert "1,619.79" in text
    assert "RF73 INV2 0260 042" in text
    assert "DE89 3704 0044 0532 0130 00" in text
    assert "DRAFT" in text
    assert "Bank transfer".upper() in text.upper()
    assert "Please pay 1,619.79 EUR by 13 Apr 2026" in text


def test_sixty_lines_run_over_four_pages(long_pdf):
    doc, pdf = long_pdf
    texts = page_texts(pdf)
    assert len(texts) == 4
    assert [re.search(r"Page (\d) of (\d)", t).groups() for t in texts] == [
        ("1", "4"),
        ("2", "4"),
        ("3", "4"),
        ("4", "4"),
    ]
    # The table header repeats on every page; the totals come once, at the end.
    assert all("UNIT PRICE" in t for t in texts)
    assert "27,510.55" in texts[-1]
    assert not any("27,510.55" in t for t in texts[1:-1])  # page 1 shows it as amount due
    assert doc.totals.gross == doc.totals.net + doc.totals.tax


def test_same_document_renders_byte_identical():
    doc = multi_rate()
    assert pdf_render(doc) == pdf_render(doc)


def test_credit_note_prints_no_payment_block_and_no_stamp():
    doc = credit_note()
    pdf = pdf_render(doc)
    (text,) = page_texts(pdf)
    assert "CREDIT NOTE" in text
    assert "INV-2026-0042" in text
    assert "Bank transfer".upper() not in text.upper()
    assert "Scan to pay" not in text
    assert "DRAFT" not in text
    assert facturx.get_xml_from_pdf(pdf, check_xsd=True)[1] == facturx_xml(doc)


def test_paid_invoice_shows_paid_and_no_payment_block():
    doc = multi_rate()
    doc = replace(doc, stamp=Stamp.PAID, totals=replace(doc.totals, paid=doc.totals.gross))
    pdf = pdf_render(doc)
    (text,) = page_texts(pdf)
    assert "PAID" in text
    assert re.search(r"Paid\s*1,619.79", text)
    assert re.search(r"Amount due\s*0.00", text)
    assert "Bank transfer".upper() not in text.upper()
    assert "Please pay" not in text
    assert facturx.get_xml_from_pdf(pdf, check_xsd=True)[1] == facturx_xml(doc)


def test_non_euro_invoice_prints_bank_details_without_qr():
    doc = replace(multi_rate(), currency="CHF", stamp=Stamp.PAID)
    (text,) = page_texts(pdf_render(doc))
    assert "Total CHF" in text
    assert "DE89 3704 0044 0532 0130 00" in text
    assert "Scan to pay" not in text
    assert "PAID" in text


def test_pdftoppm_renders_page_one(invoice, tmp_path):
    _doc, pdf = invoice
    (tmp_path / "invoice.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "invoice.pdf",
            "page",
        ],
        cwd=tmp_path,
        check=True,
    )
    with Image.open(tmp_path / "page.png") as image:
        assert image.size == (414, 585)  # A4 at 50 dpi
        gray = image.convert("L")
        # The navy table header band across the page under the address blocks, and
        # the QR code's dark modules in the payment box: the page is really drawn.
        darkest, _lightest = gray.crop((30, 150, 384, 330)).getextrema()
        assert darkest < 80
        ink = sum(gray.histogram()[:128]) / (414 * 585)
        assert 0.02 < ink < 0.30


def test_logo_cannot_make_the_renderer_read_local_files(tmp_path):
    secret = tmp_path / "secret.png"
    from apps.invoicing.rendering.reference import qr_png

    secret.write_bytes(qr_png("not for the PDF", scale=20))
    logo = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="100" height="40"><image width="100" height="40"'
        f' xlink:href="file://{secret}"/></svg>'
    ).encode()
    doc = replace(
        multi_rate(), seller=replace(multi_rate().seller, logo=logo, logo_mime_type="image/svg+xml")
    )
    reader = PdfReader(io.BytesIO(pdf_render(doc)))
    images = [name for page in reader.pages for name in page.images]
    assert images == []
