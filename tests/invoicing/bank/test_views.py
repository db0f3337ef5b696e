"""Bank statement screens: roles, upload -> preview -> import with its progress, the lines
with their suggestions, empty states, the navigation entry."""

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.invoicing.models import BankAccount, BankMatch, BankStatement
from apps.invoicing.services import bank as service

from .conftest import upload

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def accountant(client_for):
    return client_for(Role.ACCOUNTANT)


def test_only_accountant_and_admin_open_the_bank_screens(client_for, account):
    statement = service.statement_upload(account=account, upload=upload("ofx-demo.ofx"))
    urls = [
        reverse("bank-statement-list"),
        reverse("bank-statement-create"),
        reverse("bank-statement-detail", args=[statement.pk]),
        reverse("bank-account-list"),
        reverse("bank-account-create"),
    ]
    expected = {
        Role.ADMIN: 200,
        Role.ACCOUNTANT: 200,
        Role.SALES: 403,
        Role.VIEWER: 403,
        Role.WAREHOUSE: 403,
        Role.CUSTOMER: 403,
    }
    for role, status in expected.items():
        client = client_for(role)
        assert [client.get(url).status_code for url in urls] == [status] * len(urls), role
        menu = client.get(reverse("portal-home") if role == Role.CUSTOMER else "/").content
        assert (b'href="/payments/bank/"' in menu) == (status == 200), role


def test_empty_states(accountant, books):
    page = accountant.get(reverse("bank-statement-list")).content.decode()
    assert "No bank account yet." in page
    assert "No statement imported yet." in page
    accounts = accountant.get(reverse("bank-account-list")).content.decode()
    assert "No bank account yet. Add the account your customers pay into." in accounts


def test_account_create_keeps_a_compact_iban(accountant, books):
    response = accountant.post(
        reverse("bank-account-create"),
        {
            "name": "Main account",
            "iban": "fr76 3000 6000 0112 3456 7890 189",
            "currency": "USD",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert BankAccount.objects.get().iban == "FR7630006000011234567890189"


def test_upload_preview_import_and_lines(
    accountant, account, sample_invoices, django_capture_on_commit_callbacks
):
    response = accountant.post(
        reverse("bank-statement-create"),
        {"account": account.pk, "format": "", "file": upload("camt053-demo.xml")},
    )
    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == statement.get_absolute_url()
    preview = accountant.get(statement.get_absolute_url()).content.decode()
    assert "All 5 rows are readable. Nothing has been written yet." in preview
    assert preview.count('<tr class="">') == 5
    with django_capture_on_commit_callbacks(execute=True):
        accountant.post(statement.get_absolute_url(), {"action": "import"})
    page = accountant.get(statement.get_absolute_url()).content.decode()
    assert "5 new lines, 0 already imported before" in page
    assert page.count('class="card mb-2 bank-line"') == 5
    assert page.count("Confirm match") == 3
    assert "Reference RF76 INV2 0260 0001 names INV-2026-00001" in page
    assert "pays 50.00 of 200.00 open (partial)" in page
    # the "to review" filter swaps only the lines
    review = accountant.get(statement.get_absolute_url() + "?show=unmatched").content.decode()
    assert review.count('class="card mb-2 bank-line"') == 2
    listing = accountant.get(reverse("bank-statement-list")).content.decode()
    assert "camt053-demo.xml" in listing
    # confirm one suggestion from the page: a payment is recorded, the line shows it
    match = BankMatch.objects.get(line__amount="120.00")
    response = accountant.post(reverse("bank-match-apply", args=[match.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{statement.get_absolute_url()}#line-{match.line_id}"
    page = accountant.get(statement.get_absolute_url()).content.decode()
    match.refresh_from_db()
    assert f"Confirmed by {match.decided_by} · payment" in page
    assert page.count("Confirm match") == 2
    again = accountant.post(reverse("bank-match-apply", args=[match.pk]), follow=True)
    assert "This line is already matched." in again.content.decode()


def test_upload_of_a_bad_file_shows_the_error_next_to_the_field(accountant, account):
    response = accountant.post(
        reverse("bank-statement-create"),
        {"account": account.pk, "format": "camt053", "file": upload("x.xml", "<Document>")},
    )
    assert response.status_code == 200
    assert "The file is not well-formed XML" in response.content.decode()
    assert BankStatement.objects.count() == 0


def test_csv_mapping_form_and_remap(accountant, account):
    statement = service.statement_upload(
        account=account, upload=upload("odd.csv", "When;Value\n02/11/2026;10.00\n")
    )
    page = accountant.get(statement.get_absolute_url()).content.decode()
    assert "Choose which column holds what, then preview again." in page
    assert 'name="date"' in page
    response = accountant.post(
        statement.get_absolute_url(),
        {
            "action": "remap",
            "date": "When",
            "amount": "Value",
            "date_format": "%d/%m/%Y",
            "decimal": ".",
        },
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == "previewed"


def test_progress_partial_while_the_worker_runs(accountant, account):
    statement = service.statement_upload(account=account, upload=upload("ofx-demo.ofx"))
    BankStatement.objects.filter(pk=statement.pk).update(status="running", progress=40)
    response = accountant.get(statement.get_absolute_url() + "?_partial=progress", **HX)
    body = response.content.decode().strip()
    assert body.startswith('<div id="progress"')
    assert 'hx-trigger="every 1s"' in body
    assert '<progress id="import-progress-bar" class="w-100" max="100" value="40">' in body
    # once the worker is done, the poll asks htmx to reload the whole page
    BankStatement.objects.filter(pk=statement.pk).update(status="imported", progress=100)
    done = accountant.get(statement.get_absolute_url() + "?_partial=progress", **HX)
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")


def test_correct_and_ignore_from_the_screens(
    accountant, account, sample_invoices, django_capture_on_commit_callbacks
):
    from apps.invoicing.models import BankLine

    from .helpers import import_file

    statement = import_file(account, "camt053-demo.xml", capture=django_capture_on_commit_callbacks)
    line = BankLine.objects.get(amount="99.00")
    acme = sample_invoices[0].customer
    url = reverse("bank-line-match", args=[line.pk])
    page = accountant.get(url, {"customer": acme.pk}).content.decode()
    # the line's 99.00 spread oldest due first over Acme's open invoices
    assert f'name="amount-{sample_invoices[0].pk}" value="99.00"' in page
    assert f'name="amount-{sample_invoices[1].pk}" value="0"' in page
    too_much = accountant.post(
        url, {"customer": acme.pk, f"amount-{sample_invoices[3].pk}": "150.00"}
    )
    assert "The invoices take 150.00, more than the line&#x27;s 99.00." in too_much.content.decode()
    done = accountant.post(url, {"customer": acme.pk, f"amount-{sample_invoices[3].pk}": "99.00"})
    assert done.status_code == 302
    line.refresh_from_db()
    assert line.status == "matched"
    fee = BankLine.objects.get(amount="-12.50")
    other = BankLine.objects.get(amount="50.00")
    accountant.post(reverse("bank-line-ignore", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == "ignored"
    accountant.post(reverse("bank-line-ignore", args=[other.pk]), {"action": "reopen"})
    other.refresh_from_db()
    assert (other.status, fee.status) == ("suggested", "unmatched")
    assert statement.lines.count() == 5


def test_statement_page_queries_do_not_grow_with_lines(
    accountant, account, acme, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import issue
    from .helpers import MAPPING, csv_file, import_file

    invoices = [issue(acme, f"{10 + n}.00") for n in range(6)]
    counts = []
    for prefix, named in (("A", invoices[:3]), ("B", invoices)):
        rows = [{"amount": str(i.total), "text": i.number, "id": prefix + i.number} for i in named]
        statement = import_file(
            account,
            f"{prefix}.csv",
            csv_file(rows),
            mapping=MAPPING,
            capture=django_capture_on_commit_callbacks,
        )
        accountant.get(statement.get_absolute_url())  # reference lists kept (apps.core.reference)
        with CaptureQueriesContext(connection) as queries:
            page = accountant.get(statement.get_absolute_url()).content.decode()
        assert page.count("Confirm match") == len(named)
        counts.append(len(queries))
    assert counts[0] == counts[1]
