"""The statement parsers on the sample files of docs/samples/ and on broken files."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.invoicing.bank import (
    StatementFileError,
    csv_headers,
    detect_format,
    guess_mapping,
    parse_statement,
)

from .conftest import sample

D = Decimal


def test_camt_sample_gives_every_booked_entry_with_payer_and_references():
    rows = parse_statement("camt053", sample("camt053-demo.xml"))
    assert [(r.date, r.amount, r.bank_reference) for r in rows] == [
        (dt.date(2026, 11, 26), D("120.00"), "2026112800001"),
        (dt.date(2026, 11, 26), D("125.50"), "2026112800002"),
        (dt.date(2026, 11, 27), D("50.00"), "2026112800003"),
        (dt.date(2026, 11, 27), D("-12.50"), "2026112800004"),
        (dt.date(2026, 11, 28), D("99.00"), "2026112800005"),
    ]
    first = rows[0]
    assert (first.payer_name, first.payer_iban, first.reference, first.currency) == (
        "ACME RETAIL LTD",
        "DE89370400440532013000",
        "RF76INV202600001",
        "USD",
    )
    assert rows[1].text == "Invoices INV 2026 00002 + INV-2026-00003"
    assert rows[3].text == "Account fees November"
    assert all(not r.errors for r in rows)


def test_ofx_sample():
    rows = parse_statement("ofx", sample("ofx-demo.ofx"))
    assert [(r.date, r.amount, r.bank_reference, r.payer_name, r.text) for r in rows] == [
        (
            dt.date(2026, 11, 26),
            D("120.00"),
            "OFX-20261126-001",
            "ACME RETAIL LTD",
            "RF76 INV2 0260 0001",
        ),
        (
            dt.date(2026, 11, 26),
            D("125.50"),
            "OFX-20261126-002",
            "ACME RETAIL LTD",
            "Invoices INV 2026 00002 + INV-2026-00003",
        ),
        (
            dt.date(2026, 11, 27),
            D("50.00"),
            "OFX-20261127-001",
            "Acme Retail",
            "INV202600004 first instalment",
        ),
        (
            dt.date(2026, 11, 27),
            D("-12.50"),
            "OFX-20261127-002",
            "Account fees",
            "Account fees November",
        ),
    ]
    assert {r.currency for r in rows} == {"USD"}


def test_csv_sample_with_its_mapping():
    content = sample("csv-demo.csv")
    headers = csv_headers(content)
    assert headers == ["Booking date", "Amount", "Transaction ID", "Payer", "IBAN", "Details"]
    mapping = guess_mapping(headers, content)
    assert mapping == {
        "date": "Booking date",
        "amount": "Amount",
        "bank_reference": "Transaction ID",
        "payer_name": "Payer",
        "payer_iban": "IBAN",
        "text": "Details",
        "date_format": "%d.%m.%Y",
        "decimal": ",",
    }
    rows = parse_statement("csv", content, mapping)
    assert [(r.line, r.date, r.amount, r.bank_reference) for r in rows] == [
        (2, dt.date(2026, 11, 26), D("120.00"), "CSV-0001"),
        (3, dt.date(2026, 11, 26), D("125.50"), "CSV-0002"),
        (4, dt.date(2026, 11, 27), D("50.00"), "CSV-0003"),
        (5, dt.date(2026, 11, 27), D("-12.50"), "CSV-0004"),
    ]


def test_csv_rows_with_errors_are_reported_by_line():
    content = (
        "date,amount,text\n"
        "2026-11-02,10.00,ok\n"
        "02/11/2026,5.00,bad date\n"
        "2026-11-03,abc,bad amount\n"
        "2026-11-03,0,zero\n"
        "2026-11-03,1.005,three decimals\n"
    )
    rows = parse_statement("csv", content, {"date": "date", "amount": "amount", "text": "text"})
    assert [(r.line, r.errors) for r in rows] == [
        (2, []),
        (3, ["Date '02/11/2026' is not like 2026-03-31."]),
        (4, ["Amount 'abc' is not a number."]),
        (5, ["The amount is zero."]),
        (6, ["Amount 1.005 has more than two decimals."]),
    ]


def test_csv_credit_and_debit_columns_and_identical_rows_keep_apart():
    content = (
        "Date;In;Out;Memo\n2026-11-02;10,00;;fee back\n2026-11-02;;3,50;fee\n2026-11-02;;3,50;fee\n"
    )
    mapping = {
        "date": "Date",
        "credit": "In",
        "debit": "Out",
        "text": "Memo",
        "decimal": ",",
    }
    rows = parse_statement("csv", content, mapping)
    assert [r.amount for r in rows] == [D("10.00"), D("-3.50"), D("-3.50")]
    # no bank reference column: a digest of the row, and two identical rows stay two lines
    assert rows[1].bank_reference.startswith("row:")
    assert rows[1].bank_reference != rows[2].bank_reference
    again = parse_statement("csv", content, mapping)
    assert [r.bank_reference for r in again] == [r.bank_reference for r in rows]


@pytest.mark.parametrize(
    ("fmt", "content", "message"),
    [
        ("camt053", "<Document><Broken>", "The file is not well-formed XML"),
        ("camt053", "<?xml version='1.0'?><Invoice/>", "not a CAMT.053 bank statement"),
        ("ofx", "hello, this is not OFX", "not a readable OFX statement"),
        ("csv", "<?xml version='1.0'?><Document/>", "This is not a CSV file"),
        ("csv", "justonecolumn\n1\n", "The first row must name the columns"),
        ("csv", "date,amount\n", "The file has a header but no rows."),
    ],
)
def test_unreadable_files_raise_a_clear_error(fmt, content, message):
    mapping = {"date": "date", "amount": "amount"}
    with pytest.raises(StatementFileError, match=message):
        parse_statement(fmt, content, mapping)


def test_format_is_recognised_from_the_content():
    assert detect_format(sample("camt053-demo.xml")) == "camt053"
    assert detect_format(sample("ofx-demo.ofx")) == "ofx"
    assert detect_format(sample("csv-demo.csv")) == "csv"
