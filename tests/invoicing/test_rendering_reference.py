"""ISO 11649 creditor references and EPC069-12 payment QR payloads."""

from decimal import Decimal

import pytest

from apps.invoicing.rendering.reference import (
    ReferenceError,
    creditor_reference,
    creditor_reference_is_valid,
    creditor_reference_print,
    epc_payload,
    epc_qr,
    qr_png,
    qr_svg,
)

# Published examples: ISO 11649 / EPC guidance (RF18 5390 0754 7034) and the worked
# examples of common implementations (AB2G5 -> RF68AB2G5, 12345 12345 -> RF451234512345).
PUBLISHED = [
    ("539007547034", "RF18539007547034"),
    ("AB2G5", "RF68AB2G5"),
    ("12345 12345", "RF451234512345"),
    ("AB2G5 9X56 V543", "RF19AB2G59X56V543"),
]


@pytest.mark.parametrize(("body", "reference"), PUBLISHED)
def test_creditor_reference_matches_published_examples(body, reference):
    assert creditor_reference(body) == reference
    assert creditor_reference_is_valid(reference)


def test_invoice_numbers_lose_separators_and_case():
    assert creditor_reference("inv-2026-0042") == "RF73INV20260042"
    assert creditor_reference("INV/2026/0042") == "RF73INV20260042"


@pytest.mark.parametrize(
    "text",
    [
        "RF19539007547034",  # wrong check digits
        "RF18539007547035",  # changed body
        "XX18539007547034",  # not RF
        "RF18",  # no body
        "RF18" + "1" * 22,  # body longer than 21
    ],
)
def test_invalid_references_are_refused(text):
    assert not creditor_reference_is_valid(text)


def test_paper_format_validates_too():
    assert creditor_reference_print("RF18539007547034") == "RF18 5390 0754 7034"
    assert creditor_reference_is_valid("rf18 5390 0754 7034")


@pytest.mark.parametrize("body", ["", "--//", "1234567890123456789012"])
def test_reference_needs_one_to_21_characters(body):
    with pytest.raises(ReferenceError):
        creditor_reference(body)


def test_epc_payload_exact_text():
    payload = epc_payload(
        name="Backoffice Demo GmbH",
        iban="DE89 3704 0044 0532 0130 00",
        bic="COBADEFFXXX",
        amount=Decimal("1619.79"),
        reference="RF73 INV2 0260 042",
    )
    assert payload == (
        "BCD\n002\n1\nSCT\nCOBADEFFXXX\nBackoffice Demo GmbH\nDE89370400440532013000\n"
        "EUR1619.79\n\nRF73INV20260042"
    )


def test_epc_payload_with_text_and_without_bic():
    payload = epc_payload(
        name="Backoffice Demo GmbH",
        iban="DE89370400440532013000",
        amount=Decimal("5"),
        text="Invoice INV-2026-0042",
    )
    assert payload == (
        "BCD\n002\n1\nSCT\n\nBackoffice Demo GmbH\nDE89370400440532013000\nEUR5.00\n\n\n"
        "Invoice INV-2026-0042"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"currency": "USD"}, "euro"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("1000000000.00")}, "amount"),
        ({"iban": "DE89"}, "IBAN"),
        ({"name": " "}, "name"),
        ({"reference": "RF18539007547034", "text": "both"}, "not both"),
        ({"reference": "RF19539007547034"}, "creditor reference"),
    ],
)
def test_epc_payload_refuses_what_the_standard_forbids(kwargs, message):
    values = {"name": "Seller", "iban": "DE89370400440532013000", "amount": Decimal("10")}
    values.update(kwargs)
    with pytest.raises(ReferenceError, match=message):
        epc_payload(**values)


def test_qr_uses_level_m_and_fits_version_13():
    payload = epc_payload(
        name="N" * 70,
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        amount=Decimal("999999999.99"),
        text="T" * 140,
    )
    code = epc_qr(payload)
    assert code.error == "M"
    assert code.version <= 13
    assert qr_svg(payload).startswith("<svg")
    assert qr_png(payload).startswith(b"\x89PNG\r\n\x1a\n")
