"""Invoice figures checked by hypothesis against a plain reference, and the posting."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.invoicing import services
from apps.invoicing.totals import credit_share, invoice_figures
from apps.sales.pricing import LineInput

from .conftest import DAY

TAXES = [Decimal(t) for t in ("0", "5.5", "7", "10", "19.6", "20", "21")]
CENT = Decimal("0.01")


def r(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@st.composite
def invoices(draw):
    lines = [
        LineInput(
            quantity=Decimal(draw(st.integers(1, 100_000))) / 1000,
            unit_price=Decimal(draw(st.integers(0, 1_000_000))) / 100,
            discount_percent=Decimal(draw(st.integers(0, 10_000))) / 100,
            tax_percent=draw(st.sampled_from(TAXES)),
        )
        for _ in range(draw(st.integers(1, 8)))
    ]
    discount = Decimal(draw(st.integers(0, 5_000_000))) / 100
    return lines, discount


def reference(lines, discount):
    """Plain arithmetic: per-line rounding, discount shares by largest remainder."""
    nets = []
    for line in lines:
        gross = r(line.quantity * line.unit_price)
        nets.append(gross - r(gross * line.discount_percent / 100))
    goods = sum(nets, Decimal(0))
    off = min(discount, goods)
    if off and goods:
        raw = [off * n / goods for n in nets]
        shares = [x.quantize(CENT, rounding="ROUND_DOWN") for x in raw]
        left = int((off - sum(shares)) / CENT)
        for i in sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)[:left]:
            shares[i] += CENT
    else:
        shares = [Decimal(0)] * len(lines)
    taxes = [
        r((n - s) * line.tax_percent / 100) for n, s, line in zip(nets, shares, lines, strict=True)
    ]
    net = sum(nets, Decimal(0)) - sum(shares, Decimal(0))
    return net, sum(taxes, Decimal(0))


@given(invoices())
@settings(max_examples=300, deadline=None)
def test_lines_sum_to_the_totals_and_the_breakdown_to_the_tax(case):
    lines, discount = case
    figures = invoice_figures(lines, discount_amount=discount)
    net, tax = reference(lines, discount)
    assert (figures.net, figures.tax) == (net, tax)
    assert figures.total == sum(x.total for x in figures.lines) == net + tax
    assert figures.document_discount == sum(x.coupon_discount for x in figures.lines)
    assert sum(g.tax for g in figures.breakdown) == figures.tax
    assert sum(g.net for g in figures.breakdown) == figures.net
    assert all(x.net >= 0 for x in figures.lines)


@given(
    st.integers(1, 50).flatmap(
        lambda q: st.tuples(st.just(q), st.lists(st.integers(1, q), min_size=1, max_size=6))
    ),
    st.integers(0, 10**7),
    st.integers(0, 10**6),
)
@settings(max_examples=200, deadline=None)
def test_crediting_every_unit_gives_back_the_line_exactly(case, net_cents, tax_cents):
    quantity, steps = case
    net, tax = Decimal(net_cents) / 100, Decimal(tax_cents) / 100
    done, back_net, back_tax = 0, Decimal(0), Decimal(0)
    for step in steps + [quantity]:
        step = min(step, quantity - done)
        if step <= 0:
            continue
        share = credit_share(
            net=net,
            tax=tax,
            quantity=Decimal(quantity),
            credited_before=Decimal(done),
            crediting=Decimal(step),
        )
        done += step
        back_net += share.net
        back_tax += share.tax
    assert (back_net, back_tax) == (net, tax)


@pytest.mark.django_db
@given(invoices())
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_issued_invoices_post_balanced_entries_in_both_currencies(books, case):
    import datetime as dt

    from apps.finance.models import ExchangeRate
    from tests.sales.factories import currency, make_customer, tax

    lines, discount = case
    ExchangeRate.objects.get_or_create(
        currency=currency("EUR"), date=dt.date(2026, 1, 1), defaults={"rate": Decimal("1.0853")}
    )
    customer = make_customer("Euro GmbH", code="EUR")
    invoice = services.invoice_create(
        customer=customer,
        lines=[
            {
                "description": "x",
                "quantity": x.quantity,
                "unit_price": x.unit_price,
                "discount_percent": x.discount_percent,
                "tax_rate": tax(str(x.tax_percent)),
            }
            for x in lines
        ],
        discount_amount=discount,
        issue_date=DAY,
    )
    if invoice.total <= 0:
        return
    invoice = services.invoice_issue(invoice=invoice)
    rows = list(invoice.journal_entry.lines.all())
    assert sum(x.debit for x in rows) == sum(x.credit for x in rows) == invoice.total
    assert sum(x.base_debit for x in rows) == sum(x.base_credit for x in rows)
    assert invoice.total == invoice.net_total + invoice.tax_total
