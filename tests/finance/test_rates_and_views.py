import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.finance.models import Currency, ExchangeRate, TaxRate
from apps.finance.selectors import MissingExchangeRate, rate_on

pytestmark = pytest.mark.django_db


def test_common_currencies_are_loaded_by_migration():
    assert Currency.objects.get(pk="EUR").minor_units == 2
    assert Currency.objects.get(pk="JPY").minor_units == 0
    assert Currency.objects.get(pk="KWD").minor_units == 3


def test_rate_on_uses_latest_rate_on_or_before_the_date():
    ExchangeRate.objects.create(currency_id="EUR", date=dt.date(2026, 1, 1), rate=Decimal("1.10"))
    ExchangeRate.objects.create(currency_id="EUR", date=dt.date(2026, 1, 10), rate=Decimal("1.20"))
    assert rate_on("EUR", dt.date(2026, 1, 9)) == Decimal("1.10")
    assert rate_on("EUR", dt.date(2026, 1, 10)) == Decimal("1.20")
    assert rate_on("USD", dt.date(2000, 1, 1)) == Decimal("1")  # base currency


def test_missing_rate_is_a_clear_error_never_one():
    with pytest.raises(
        MissingExchangeRate, match="No exchange rate for GBP on or before 2026-03-01"
    ):
        rate_on("GBP", dt.date(2026, 3, 1))


def test_rate_form_rejects_zero_negative_and_duplicates(client_for):
    client = client_for("Accountant")
    url = reverse("exchangerate-create")
    for bad in ("0", "-1", "abc", "NaN"):
        response = client.post(url, {"currency": "EUR", "date": "2026-01-01", "rate": bad})
        assert response.status_code == 200
        assert "rate" in response.context["form"].errors, bad
    assert (
        client.post(url, {"currency": "EUR", "date": "2026-01-01", "rate": "1.1"}).status_code
        == 302
    )
    duplicate = client.post(url, {"currency": "EUR", "date": "2026-01-01", "rate": "1.2"})
    assert duplicate.context["form"].errors["__all__"] == [
        "Constraint “exchange_rate_unique_per_day” is violated."
    ] or "already exists" in str(duplicate.context["form"].errors)
    assert ExchangeRate.objects.get().rate == Decimal("1.10000000")


def test_base_currency_is_not_offered_for_rates(client_for):
    response = client_for("Accountant").post(
        reverse("exchangerate-create"), {"currency": "USD", "date": "2026-01-01", "rate": "1"}
    )
    assert "currency" in response.context["form"].errors
    assert not ExchangeRate.objects.exists()


def test_tax_rate_bounds(client_for):
    client = client_for("Admin")
    for bad in ("-1", "100.001", "1e3"):
        response = client.post(
            reverse("taxrate-create"), {"name": f"T{bad}", "rate": bad, "active": "on"}
        )
        assert "rate" in response.context["form"].errors, bad
    assert not TaxRate.objects.exists()


def test_currency_code_is_normalised_and_minor_units_bounded(client_for):
    client = client_for("Accountant")
    assert (
        client.post(
            reverse("currency-create"),
            {"code": "xts", "name": "Test", "minor_units": "2", "active": "on"},
        ).status_code
        == 302
    )
    assert Currency.objects.filter(pk="XTS").exists()
    response = client.post(
        reverse("currency-create"),
        {"code": "XTT", "name": "Bad", "minor_units": "5", "active": "on"},
    )
    assert "minor_units" in response.context["form"].errors


def test_base_currency_cannot_be_deactivated(client_for):
    client = client_for("Accountant")
    response = client.post(
        reverse("currency-update", args=["USD"]),
        {"code": "USD", "name": "US Dollar", "minor_units": "2"},
    )
    assert response.context["form"].errors["active"] == ["The base currency cannot be deactivated."]


def test_viewer_reads_but_cannot_write(client_for):
    viewer = client_for("Viewer")
    assert viewer.get(reverse("currency-list")).status_code == 200
    assert viewer.get(reverse("currency-create")).status_code == 403
    assert viewer.post(reverse("taxrate-create"), {"name": "X", "rate": "1"}).status_code == 403
    assert not TaxRate.objects.exists()


def test_list_htmx_returns_only_the_table_and_csv_exports_filtered_rows(client_for):
    client = client_for("Viewer")
    partial = client.get(reverse("currency-list"), {"q": "dinar"}, HTTP_HX_REQUEST="true")
    assert partial.content.lstrip().startswith(b'<div id="table"')
    assert b"<html" not in partial.content
    csv = client.get(reverse("currency-list"), {"q": "dinar", "_export": "csv"})
    lines = b"".join(csv.streaming_content).decode().strip().splitlines()
    assert lines[0] == "Code,Name,Symbol,Minor units,Active"
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["BHD", "JOD", "KWD"]


@pytest.mark.django_db(transaction=True)
def test_currencies_survive_a_flush():
    """Reference data comes back after `flush` (run between transactional tests), like Groups."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert Currency.objects.filter(pk__in=["EUR", "JPY", "KWD"]).count() == 3
    assert Currency.objects.count() == 44
