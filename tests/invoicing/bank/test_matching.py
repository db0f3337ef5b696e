"""The matching table (issue 9): each statement line -> the exact suggestion it gets, or its
automatic application when the company setting is on."""

import pytest

from apps.invoicing.models import BankLine, MatchReason
from apps.invoicing.services.matching import find_references

from .conftest import issue
from .helpers import MAPPING, csv_file, import_file, suggestions

REF, NUM, PAYER, AMOUNT = (
    MatchReason.REFERENCE,
    MatchReason.NUMBER,
    MatchReason.AMOUNT_PAYER,
    MatchReason.AMOUNT,
)

# Acme Retail: INV-2026-00001 120.00, -00002 80.00, -00003 45.50, -00004 200.00;
# Bolt Supplies: INV-2026-00005 80.00.
TABLE = [
    (
        "structured RF reference",
        {"amount": "120.00", "ref": "RF76INV202600001", "payer": "ACME RETAIL LTD"},
        [(REF, [("INV-2026-00001", "120.00")], True)],
    ),
    (
        "RF reference printed in groups of four, in the text",
        {"amount": "120.00", "text": "RF76 INV2 0260 0001 thanks"},
        [(REF, [("INV-2026-00001", "120.00")], True)],
    ),
    (
        "number with spaces",
        {"amount": "200.00", "text": "Invoice inv 2026 00004"},
        [(NUM, [("INV-2026-00004", "200.00")], True)],
    ),
    (
        "number with dashes, short sequence",
        {"amount": "200.00", "text": "payment for INV-2026-4."},
        [(NUM, [("INV-2026-00004", "200.00")], True)],
    ),
    (
        "amount and payer name: one open invoice of Acme fits",
        {"amount": "80.00", "payer": "ACME RETAIL LTD", "text": "november"},
        [(PAYER, [("INV-2026-00002", "80.00")], True)],
    ),
    (
        "amount only, one candidate",
        {"amount": "45.50", "payer": "J. Doe"},
        [(AMOUNT, [("INV-2026-00003", "45.50")], True)],
    ),
    (
        "amount only, two candidates: both offered, a person picks",
        {"amount": "80.00", "payer": "J. Doe"},
        [
            (AMOUNT, [("INV-2026-00002", "80.00")], True),
            (AMOUNT, [("INV-2026-00005", "80.00")], True),
        ],
    ),
    (
        "one transfer for three invoices",
        {"amount": "245.50", "text": "INV-2026-00001, INV 2026 00002 and inv2026-00003"},
        [
            (
                NUM,
                [
                    ("INV-2026-00001", "120.00"),
                    ("INV-2026-00002", "80.00"),
                    ("INV-2026-00003", "45.50"),
                ],
                True,
            )
        ],
    ),
    (
        "partial payment by reference",
        {"amount": "50.00", "ref": "RF92INV202600004"},
        [(REF, [("INV-2026-00004", "50.00")], False)],
    ),
    (
        "overpayment: the rest becomes customer credit",
        {"amount": "150.00", "ref": "RF76INV202600001"},
        [(REF, [("INV-2026-00001", "120.00")], False)],
    ),
    (
        "a bad check digit is no reference; nothing else fits",
        {"amount": "120.01", "ref": "RF00INV202600001"},
        [],
    ),
    ("money out is never matched", {"amount": "-80.00", "text": "INV-2026-00002"}, []),
]


@pytest.fixture
def invoices(acme):
    from tests.sales.factories import make_customer

    bolt = make_customer("Bolt Supplies")
    return [issue(acme, a) for a in ("120.00", "80.00", "45.50", "200.00")] + [issue(bolt, "80.00")]


@pytest.mark.parametrize(("case", "row", "expected"), TABLE, ids=[c for c, _r, _e in TABLE])
def test_matching_table_suggestions(
    account, invoices, django_capture_on_commit_callbacks, case, row, expected
):
    statement = import_file(
        account,
        "table.csv",
        csv_file([row]),
        mapping=MAPPING,
        capture=django_capture_on_commit_callbacks,
    )
    line = BankLine.objects.get(statement=statement)
    assert suggestions(line) == [(r, a, e, "suggested") for r, a, e in expected]
    assert line.status == ("suggested" if expected else "unmatched")
    assert statement.matches_applied == 0  # the setting is off: a person confirms


def test_references_are_read_from_free_text():
    assert find_references("pay RF76 INV2 0260 0001 and rf49inv202600002, RF00INV1") == [
        "RF76INV202600001",
        "RF49INV202600002",
    ]
