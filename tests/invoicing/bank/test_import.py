"""Importing statements: preview, import in the worker, deduplication, bad files."""

import pytest
from django.core.exceptions import ValidationError

from apps.finance.models import Currency
from apps.invoicing.models import BankAccount, BankLine, BankMatch, BankStatement
from apps.invoicing.services import bank as service

from .conftest import sample, upload
from .helpers import import_file


def test_camt_sample_imports_every_line_and_suggests_matches(
    account, sample_invoices, django_capture_on_commit_callbacks
):
    statement = import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    assert (statement.status, statement.progress) == ("imported", 100)
    assert (statement.row_count, statement.lines_added, statement.lines_duplicate) == (5, 5, 0)
    assert list(BankLine.objects.order_by("date", "pk").values_list("amount", "status")) == [
        (pytest.approx(120), "suggested"),
        (pytest.approx(125.5), "suggested"),
        (pytest.approx(50), "suggested"),
        (pytest.approx(-12.5), "unmatched"),
        (pytest.approx(99), "unmatched"),
    ]
    assert BankMatch.objects.count() == 3


@pytest.mark.parametrize(
    ("name", "count"), [("camt053-demo.xml", 5), ("ofx-demo.ofx", 4), ("csv-demo.csv", 4)]
)
def test_reimporting_a_file_adds_nothing(
    account, sample_invoices, django_capture_on_commit_callbacks, name, count
):
    first = import_file(account, name, capture=django_capture_on_commit_callbacks)
    matches = BankMatch.objects.count()
    again = import_file(account, name, capture=django_capture_on_commit_callbacks)
    assert (first.lines_added, first.lines_duplicate) == (count, 0)
    assert (again.status, again.lines_added, again.lines_duplicate) == ("imported", 0, count)
    assert BankLine.objects.count() == count
    assert BankMatch.objects.count() == matches == 3


def test_an_overlapping_file_adds_only_its_new_lines(account, django_capture_on_commit_callbacks):
    mapping = {"date": "d", "amount": "a", "bank_reference": "id", "text": "t"}
    first = "d,a,id,t\n2026-11-02,10.00,A1,x\n2026-11-03,20.00,A2,y\n"
    second = "d,a,id,t\n2026-11-03,20.00,A2,y\n2026-11-04,30.00,A3,z\n"
    capture = django_capture_on_commit_callbacks
    import_file(account, "a.csv", first, mapping=mapping, capture=capture)
    statement = import_file(account, "b.csv", second, mapping=mapping, capture=capture)
    assert (statement.lines_added, statement.lines_duplicate) == (1, 1)
    assert sorted(BankLine.objects.values_list("bank_reference", flat=True)) == ["A1", "A2", "A3"]


def test_the_same_reference_on_another_day_or_amount_is_another_line(
    account, django_capture_on_commit_callbacks
):
    mapping = {"date": "d", "amount": "a", "bank_reference": "id"}
    content = "d,a,id\n2026-11-02,10.00,R\n2026-11-03,10.00,R\n2026-11-03,11.00,R\n"
    statement = import_file(
        account, "r.csv", content, mapping=mapping, capture=django_capture_on_commit_callbacks
    )
    assert statement.lines_added == 3


def test_csv_mapping_is_guessed_then_saved_on_the_account(
    account, django_capture_on_commit_callbacks
):
    import_file(account, "csv-demo.csv", capture=django_capture_on_commit_callbacks)
    account.refresh_from_db()
    assert account.csv_mapping["date_format"] == "%d.%m.%Y"
    assert account.csv_mapping["payer_iban"] == "IBAN"


def test_remap_reads_the_file_again_and_saves_the_mapping(account):
    content = "When;Value;Memo\n02/11/2026;10.00;x\n"
    statement = service.statement_upload(account=account, upload=upload("odd.csv", content))
    assert (statement.status, statement.error) == (
        "invalid",
        "Choose which column holds what, then preview again.",
    )
    mapping = {"date": "When", "amount": "Value", "text": "Memo", "date_format": "%d/%m/%Y"}
    statement = service.statement_remap(statement=statement, mapping=mapping)
    assert (statement.status, statement.row_count) == ("previewed", 1)
    assert BankAccount.objects.get(pk=account.pk).csv_mapping == mapping
    with pytest.raises(ValidationError) as caught:
        service.statement_remap(statement=statement, mapping={"date": "Nope"})
    assert caught.value.message_dict == {
        "date": ["The file has no column 'Nope'."],
        "amount": ["Choose the amount column, or the credit (and debit) columns."],
    }


@pytest.mark.parametrize(
    ("name", "content", "fmt", "message"),
    [
        ("empty.xml", "", "", "The file is empty."),
        ("bad.xml", "<Document><Stmt>", "camt053", "The file is not well-formed XML"),
        ("x.ofx", "OFXHEADER:100\nnonsense", "", "The file is not a readable OFX statement"),
        ("pic.csv", "\x89PNG only one", "csv", "The first row must name the columns"),
    ],
)
def test_an_unreadable_file_is_refused_and_nothing_is_written(account, name, content, fmt, message):
    with pytest.raises(ValidationError) as caught:
        service.statement_upload(account=account, upload=upload(name, content), fmt=fmt)
    assert list(caught.value.message_dict) == ["file"]
    assert caught.value.message_dict["file"][0].startswith(message)
    assert BankStatement.objects.count() == 0
    assert BankLine.objects.count() == 0


def test_rows_with_errors_block_the_import(account, django_capture_on_commit_callbacks):
    content = "date,amount,id\n2026-11-02,10.00,A\n2026-13-02,5.00,B\n"
    statement = service.statement_upload(
        account=account,
        upload=upload("e.csv", content),
        mapping={"date": "date", "amount": "amount", "bank_reference": "id"},
    )
    assert statement.status == "invalid"
    assert statement.errors == [
        {
            "line": 3,
            "date": "",
            "amount": "5.00",
            "bank_reference": "B",
            "payer_name": "",
            "payer_iban": "",
            "reference": "",
            "text": "",
            "currency": "",
            "errors": ["Date '2026-13-02' is not like 2026-03-31."],
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert service.statement_import_start(statement=statement) is False
    assert BankLine.objects.count() == 0


def test_a_statement_in_another_currency_than_the_account_is_refused(books):
    Currency.objects.filter(code="EUR").update(active=True)
    euro = BankAccount.objects.create(name="Euro account", currency_id="EUR")
    statement = service.statement_upload(
        account=euro, upload=upload("camt053-demo.xml", sample("camt053-demo.xml"))
    )
    assert statement.status == "invalid"
    assert {e for row in statement.errors for e in row["errors"]} == {
        "Currency USD but the account Euro account is in EUR."
    }


def test_starting_twice_imports_once(account, django_capture_on_commit_callbacks):
    statement = service.statement_upload(account=account, upload=upload("ofx-demo.ofx"))
    with django_capture_on_commit_callbacks(execute=True):
        assert service.statement_import_start(statement=statement) is True
        assert service.statement_import_start(statement=statement) is False
    assert BankLine.objects.count() == 4


def test_a_failed_import_can_be_started_again_and_adds_each_line_once(
    account, django_capture_on_commit_callbacks
):
    statement = service.statement_upload(account=account, upload=upload("ofx-demo.ofx"))
    with django_capture_on_commit_callbacks(execute=True):
        service.statement_import_start(statement=statement)
    # as if the worker had died after writing the lines
    BankStatement.objects.filter(pk=statement.pk).update(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        assert service.statement_import_start(statement=statement) is True
    statement.refresh_from_db()
    assert (statement.status, statement.lines_added, statement.lines_duplicate) == (
        "imported",
        4,
        0,
    )
    assert BankLine.objects.count() == 4
