import csv
import io

from apps.invoicing.models import BankStatement
from apps.invoicing.services import bank as service

from .conftest import upload

MAPPING = {
    "date": "date",
    "amount": "amount",
    "bank_reference": "id",
    "payer_name": "payer",
    "payer_iban": "iban",
    "reference": "ref",
    "text": "text",
}


def csv_file(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=["date", "amount", "id", "payer", "iban", "ref", "text"]
    )
    writer.writeheader()
    for n, row in enumerate(rows, start=1):
        writer.writerow({"date": "2026-11-20", "id": f"T{n}", **row})
    return out.getvalue()


def import_file(account, name, content=None, *, fmt="", mapping=None, capture=None):
    """Upload + import the way the screens do (the django-q2 task runs inline in tests)."""
    statement = service.statement_upload(
        account=account, upload=upload(name, content), fmt=fmt, mapping=mapping
    )
    assert statement.status == "previewed", statement.error
    with capture(execute=True):
        assert service.statement_import_start(statement=statement)
    return BankStatement.objects.get(pk=statement.pk)


def suggestions(line):
    """[(reason, [(invoice number, amount)], exact, status)] of a line, in order."""
    return [
        (
            m.reason,
            [(r.invoice.number, str(r.amount)) for r in m.invoices.select_related("invoice")],
            m.exact,
            m.status,
        )
        for m in line.matches.order_by("id")
    ]
