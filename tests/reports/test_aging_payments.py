"""AR aging with payments (main's payments): a partial EUR payment at another rate than
the invoice, credit applied later, a refund and a reversal; the aging total equals the
Accounts Receivable account on every date."""

import datetime as dt
from decimal import Decimal

from apps.invoicing.services.payments import (
    credit_apply,
    credit_refund,
    payment_record,
    payment_reverse,
)
from tests.invoicing.payments_helpers import eur, issued, set_rate
from tests.sales.factories import make_customer

from .helpers import compute, figures, rows

D = Decimal


def day(m, d):
    return dt.date(2026, m, d)


def test_aging_equals_ar_through_payments(books):
    set_rate("EUR", day(1, 1), "1.10")
    set_rate("EUR", day(6, 20), "1.20")
    acme = make_customer("Acme Retail")
    euro = make_customer("Euro GmbH", code="EUR")
    inv1 = issued(acme, "100.00", day=day(6, 1))
    inv2 = issued(euro, "50.00", currency=eur(), day=day(6, 5))  # 55.00 USD
    inv3 = issued(acme, "40.00", day=day(6, 10))
    pay1 = payment_record(
        customer=acme, amount="130.00", date=day(6, 15), allocations={inv1: "100.00"}
    )
    payment_record(
        customer=euro, amount="30.00", currency=eur(), date=day(6, 20), allocations={inv2: "30.00"}
    )
    credit_apply(payment=pay1, invoice=inv3, amount="20.00", date=day(6, 25))
    credit_refund(payment=pay1, amount="5.00", date=day(6, 28))
    pay3 = payment_record(
        customer=acme, amount="15.00", date=day(7, 2), allocations={inv3: "15.00"}
    )
    payment_reverse(payment=pay3, reason="bounced", date=day(7, 10))
    for on in (
        day(6, 14),
        day(6, 15),
        day(6, 20),
        day(6, 25),
        day(6, 28),
        day(7, 2),
        day(7, 9),
        day(7, 10),
        day(12, 31),
    ):
        f = figures(compute("ar_aging", end=on))
        assert f["Total receivable"] == f["Accounts Receivable account"], (on, f)
    # Jun 30: Euro 55.00 - 30 EUR at the invoice's 1.10 (33.00) = 22.00; Acme INV3 40 - 20
    # credit applied = 20.00, PAY1 130 - 100 - 20 - 5 refunded = 5.00 unapplied credit
    june = compute("ar_aging", end=day(6, 30))
    assert rows(june, "customer", "current", "credit", "total") == [
        (f"{euro.code} Euro GmbH", "22.00", "0.00", "22.00"),
        (f"{acme.code} Acme Retail", "20.00", "-5.00", "15.00"),
    ]
    assert figures(june)["Accounts Receivable account"] == "37.00"
