"""Applying matches: automatic (company setting), confirm, correct, ignore, undo; every
figure checked, and the books still agree afterwards."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.invoicing.models import BankLine, BankMatch, Invoice, PayerAccount
from apps.invoicing.selectors import invoice_open_amount, payment_status
from apps.invoicing.services import bank as service
from tests.invoicing.conftest import assert_books_ok

from .conftest import issue
from .helpers import MAPPING, csv_file, import_file

D = Decimal


def _open(invoices):
    return [invoice_open_amount(Invoice.objects.get(pk=i.pk)) for i in invoices]


def _line(amount: str) -> BankLine:
    return BankLine.objects.get(amount=D(amount))


def test_exact_matches_are_applied_automatically_when_the_setting_is_on(
    account, sample_invoices, auto_apply, django_capture_on_commit_callbacks
):
    statement = import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    assert statement.matches_applied == 2
    assert _open(sample_invoices) == [D("0.00"), D("0.00"), D("0.00"), D("200.00")]
    first, second = _line("120.00"), _line("125.50")
    assert (first.status, second.status, _line("50.00").status) == (
        "matched",
        "matched",
        "suggested",
    )
    applied = BankMatch.objects.get(line=second, status="applied")
    assert applied.automatic is True
    assert applied.payment.amount == D("125.50")
    assert sorted((a.invoice.number, a.amount) for a in applied.payment.allocations.all()) == [
        ("INV-2026-00002", D("80.00")),
        ("INV-2026-00003", D("45.50")),
    ]
    assert [payment_status(Invoice.objects.get(pk=i.pk)) for i in sample_invoices[:3]] == [
        "paid"
    ] * 3
    assert_books_ok()


def test_with_the_setting_off_a_person_confirms_each_suggestion(
    account, sample_invoices, django_capture_on_commit_callbacks
):
    import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    assert _open(sample_invoices) == [D("120.00"), D("80.00"), D("45.50"), D("200.00")]
    for amount in ("120.00", "125.50", "50.00"):
        match = BankMatch.objects.get(line=_line(amount))
        service.bank_match_apply(match=match)
    assert _open(sample_invoices) == [D("0.00"), D("0.00"), D("0.00"), D("150.00")]
    partial = BankMatch.objects.get(line=_line("50.00"))
    assert (partial.status, partial.automatic, partial.payment.amount) == (
        "applied",
        False,
        D("50.00"),
    )
    assert PayerAccount.objects.get().customer == sample_invoices[0].customer
    with pytest.raises(ValidationError, match="This line is already matched."):
        service.bank_match_apply(match=partial)
    assert partial.payment.customer.payments.count() == 3
    assert_books_ok()


def test_confirming_one_alternative_dismisses_the_other(
    account, acme, django_capture_on_commit_callbacks
):
    from tests.sales.factories import make_customer

    mine = issue(acme, "80.00")
    theirs = issue(make_customer("Bolt Supplies"), "80.00")
    import_file(
        account,
        "two.csv",
        csv_file([{"amount": "80.00", "payer": "J. Doe"}]),
        mapping=MAPPING,
        capture=django_capture_on_commit_callbacks,
    )
    line = _line("80.00")
    first, second = line.matches.order_by("id")
    service.bank_match_apply(match=second)
    first.refresh_from_db()
    assert (first.status, line.matches.get(pk=second.pk).status) == ("dismissed", "applied")
    assert _open([mine, theirs]) == [D("80.00"), D("0.00")]


def test_correct_a_line_by_hand_with_the_rest_as_credit(
    account, sample_invoices, django_capture_on_commit_callbacks
):
    import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    line = _line("99.00")
    acme = sample_invoices[0].customer
    with pytest.raises(ValidationError) as caught:
        service.bank_match_correct(
            line=line, customer=acme, allocations=[(sample_invoices[3], D("100.00"))]
        )
    assert caught.value.message_dict == {
        "allocations": ["The invoices take 100.00, more than the line's 99.00."]
    }
    assert BankMatch.objects.filter(line=line).count() == 0
    match = service.bank_match_correct(
        line=line, customer=acme, allocations=[(sample_invoices[3], D("60.00"))]
    )
    assert (match.reason, match.exact, match.payment.amount) == ("manual", False, D("99.00"))
    assert _open(sample_invoices)[3] == D("140.00")
    line.refresh_from_db()
    assert line.status == "matched"
    assert_books_ok()


def test_ignore_then_bring_back(account, sample_invoices, django_capture_on_commit_callbacks):
    import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    line = _line("120.00")
    suggestion = line.matches.get()
    service.bank_line_ignore(line=line)
    line.refresh_from_db()
    suggestion.refresh_from_db()
    assert (line.status, suggestion.status) == ("ignored", "dismissed")
    with pytest.raises(ValidationError, match="This line is already ignored."):
        service.bank_match_apply(match=suggestion)
    service.bank_line_reopen(line=line)
    line.refresh_from_db()
    assert line.status == "suggested"
    assert list(line.matches.values_list("status", flat=True)) == ["dismissed", "suggested"]


def test_undo_reverses_the_payment_and_reopens_invoice_and_line(
    account, sample_invoices, auto_apply, django_capture_on_commit_callbacks
):
    import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    line = _line("125.50")
    applied = line.matches.get(status="applied")
    service.bank_match_undo(match=applied, reason="Paid by the sister company")
    applied.refresh_from_db()
    line.refresh_from_db()
    assert applied.status == "reversed"
    assert applied.payment.is_reversed
    assert _open(sample_invoices)[1:3] == [D("80.00"), D("45.50")]
    assert line.status == "suggested"  # a fresh suggestion to confirm or correct
    assert line.matches.filter(status="suggested").count() == 1
    assert_books_ok()


def test_a_stale_suggestion_is_refused_and_writes_nothing(
    account, sample_invoices, django_capture_on_commit_callbacks
):
    from apps.invoicing.services.payments import payment_record

    import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    # the invoice is paid another way before the person confirms
    payment_record(
        customer=sample_invoices[0].customer,
        amount=D("120.00"),
        allocations=[(sample_invoices[0], D("120.00"))],
    )
    match = BankMatch.objects.get(line=_line("120.00"))
    with pytest.raises(ValidationError, match="The suggestion no longer fits"):
        service.bank_match_apply(match=match)
    match.refresh_from_db()
    assert match.status == "suggested"
    assert sample_invoices[0].customer.payments.count() == 1


def test_check_books_sees_a_bank_match_and_its_payment_disagree(
    account, sample_invoices, auto_apply, django_capture_on_commit_callbacks
):
    from apps.invoicing.models import Payment
    from tests.invoicing.conftest import invoicing_violations

    import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    assert invoicing_violations("invoicing.bank") == {"invoicing.bank": []}
    line = _line("120.00")
    payment = line.matches.get(status="applied").payment
    Payment.objects.filter(pk=payment.pk).update(date="2026-11-25")
    assert invoicing_violations("invoicing.bank") == {
        "invoicing.bank": [
            f"Bank line {line.pk} (2026-11-26 120.00): payment {payment.number} is 120.00 on "
            f"2026-11-25 from customer {payment.customer_id}, the match says customer "
            f"{payment.customer_id}"
        ]
    }
