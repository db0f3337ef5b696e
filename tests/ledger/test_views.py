import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry
from apps.ledger.selectors import accounts_tree, line_totals, trial_balance
from apps.ledger.services import Cr, Dr, journal_post
from tests.binding import plan

pytestmark = pytest.mark.django_db


def post(day, amount, debit=chart.BANK, credit=chart.OPENING_BALANCE_EQUITY, **kwargs):
    return journal_post(
        date=day, memo=f"Posting {amount}", lines=[Dr(debit, amount), Cr(credit, amount)], **kwargs
    )


@pytest.fixture
def postings(books):
    post(dt.date(2026, 1, 10), "1000.00")
    post(dt.date(2026, 2, 10), "250.00", debit=chart.CASH)
    post(dt.date(2026, 3, 10), "40.00", debit=chart.COGS, credit=chart.CASH)


def csv_lines(response):
    return b"".join(response.streaming_content).decode().strip().splitlines()


def test_accounts_tree_rolls_up_balances_and_exports(client_for, postings):
    client = client_for("Viewer")
    response = client.get(reverse("account-list"))
    assert response.status_code == 200
    rows = {r.account.code: r for r in response.context["rows"]}
    assert rows[chart.ASSETS].total == Decimal("1210.00")  # 1000 bank + 250 - 40 cash
    assert rows[chart.CASH].depth == 1 and rows[chart.CASH].total == Decimal("210.00")
    assert rows[chart.EXPENSES].total == Decimal("40.00")
    lines = csv_lines(client.get(reverse("account-list"), {"_export": "csv", "type": "asset"}))
    assert lines[0] == "Code,Name,Type,Parent,Balance,Balance incl. children"
    assert "1010,Bank,Asset,1,1000.00,1000.00" in lines
    assert all(",Asset," in line for line in lines[1:])


def test_chart_export_reads_parents_without_a_query_per_row(books, django_assert_num_queries):
    rows = accounts_tree()
    with django_assert_num_queries(0):
        parents = [row.account.parent.code for row in rows if row.account.parent_id]
    assert chart.ASSETS in parents


def test_the_chart_reads_accounts_as_rows_with_their_parents(books, django_assert_num_queries):
    """accounts_tree reads the ROW_COLUMNS as plain rows in one query; an account whose
    parent is not listed (deleted) gets it from one more query, not one per row."""
    cash = Account.objects.get(code=chart.CASH)
    Account.objects.filter(code=chart.CASH).update(balance=Decimal("12.34"))
    with django_assert_num_queries(1):
        rows = {r.account.code: r for r in accounts_tree()}
    row = rows[chart.CASH].account
    assert (row.pk, row.name, row.type, row.balance, row.is_group, row.active) == (
        cash.pk,
        "Cash",
        "asset",
        Decimal("12.34"),
        False,
        True,
    )
    assert row.get_type_display() == "Asset" and row.parent.code == chart.ASSETS
    Account.objects.filter(code=chart.ASSETS).update(deleted_at=timezone.now())
    with django_assert_num_queries(2):
        rows = {r.account.code: r for r in accounts_tree()}
    assert chart.ASSETS not in rows and rows[chart.CASH].depth == 0
    assert rows[chart.CASH].account.parent.code == chart.ASSETS


def test_trial_balance_on_a_date_is_balanced_with_exact_figures(client_for, postings):
    client = client_for("Accountant")
    response = client.get(reverse("trial-balance"), {"as_of": "2026-02-28"})
    balance = response.context["balance"]
    assert [(r.account.code, r.debit, r.credit) for r in balance.rows] == [
        ("1000", Decimal("250.00"), Decimal("0.00")),
        ("1010", Decimal("1000.00"), Decimal("0.00")),
        ("3000", Decimal("0.00"), Decimal("1250.00")),
    ]
    assert balance.total_debit == balance.total_credit == Decimal("1250.00")
    assert b"Balanced on 2026-02-28" in response.content
    csv = csv_lines(client.get(reverse("trial-balance"), {"as_of": "2026-03-31", "_export": "csv"}))
    assert csv[-1] == ",Total,,1250.00,1250.00"
    partial = client.get(reverse("trial-balance"), {"as_of": "2026-01-01"}, HTTP_HX_REQUEST="true")
    assert partial.content.lstrip().startswith(b'<div id="trial"')
    assert b"Nothing was posted" in partial.content


def test_trial_balance_bad_date_is_a_form_error(client_for, books):
    response = client_for("Viewer").get(reverse("trial-balance"), {"as_of": "31/02/2026"})
    assert response.status_code == 200
    assert response.context["balance"] is None
    assert "as_of" in response.context["form"].errors


def test_journal_filters_detail_and_csv(client_for, postings):
    client = client_for("Viewer")
    response = client.get(
        reverse("journalentry-list"), {"account": Account.objects.get(code=chart.CASH).pk}
    )
    memos = [row.record.memo for row in response.context["table"].page.object_list]
    assert memos == ["Posting 40.00", "Posting 250.00"]
    response = client.get(reverse("journalentry-list"), {"start": "2026-03-01"})
    assert [r.record.memo for r in response.context["table"].page.object_list] == ["Posting 40.00"]
    lines = csv_lines(client.get(reverse("journalentry-list"), {"q": "1000", "_export": "csv"}))
    assert lines[1].startswith("2026-01-10,")
    assert "1000.00" in lines[1]
    entry = JournalEntry.objects.get(memo="Posting 40.00")
    detail = client.get(entry.get_absolute_url())
    assert detail.context["total_debit"] == detail.context["total_credit"] == Decimal("40.00")
    assert b"Reverse entry" not in detail.content  # a Viewer cannot


def test_journal_account_is_a_typed_lookup(client_for, postings):
    """The account filter is a text box with suggestions, not a <select> of every account:
    a code, a suggestion, an id (old links) or part of a name picks the accounts; text
    naming no posting account is an error under the box and an empty list."""
    client = client_for("Viewer")
    url = reverse("journalentry-list")
    cash = Account.objects.get(code=chart.CASH)

    def memos(account):
        response = client.get(url, {"account": account})
        return response, sorted(r.record.memo for r in response.context["table"].page.object_list)

    page = client.get(url).content.decode()
    assert 'list="account-options"' in page and '<datalist id="account-options">' in page
    assert f"{cash.code} · {cash.name}</option>" not in page
    both = ["Posting 250.00", "Posting 40.00"]
    assert memos(chart.CASH)[1] == both
    by_id, rows = memos(str(cash.pk))
    assert rows == both
    assert f'value="{cash.code} · {cash.name}"' in by_id.content.decode()
    assert memos(f"{cash.code} · {cash.name}")[1] == both
    assert memos(cash.name.lower())[1] == both
    nothing, rows = memos("no such account")
    assert rows == []
    assert "No account matches “no such account”." in nothing.content.decode()

    options = client.get(reverse("account-lookup"), {"account": chart.CASH}).content.decode()
    assert (
        options.strip()
        == f'<option value="{cash.code} · {cash.name}">{cash.code} · {cash.name}</option>'
    )
    assert client_for("Warehouse").get(reverse("account-lookup"), {"q": "1"}).status_code == 403


def test_journal_list_query_count_does_not_grow(client_for, books, django_assert_max_num_queries):
    client = client_for("Viewer")
    for n in range(30):
        post(dt.date(2026, 1, 1), f"{n + 1}.00")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("journalentry-list")).status_code == 200


def test_accountant_reverses_a_manual_entry_but_not_a_sourced_one(client_for, books):
    from apps.finance.models import TaxRate

    client = client_for("Accountant")
    manual = post(dt.date(2026, 1, 10), "10.00")
    response = client.post(reverse("journalentry-reverse", args=[manual.pk]), {"memo": "Typo"})
    reversal = JournalEntry.objects.get(reverses=manual)
    assert response["Location"] == reversal.get_absolute_url()
    assert Account.objects.get(code=chart.BANK).balance == Decimal("0.00")

    sourced = post(
        dt.date(2026, 1, 11), "5.00", source=TaxRate.objects.create(name="x", rate=Decimal("1"))
    )
    client.post(reverse("journalentry-reverse", args=[sourced.pk]), {"memo": "No"})
    assert not JournalEntry.objects.filter(reverses=sourced).exists()
    # no reason given: nothing posted
    other = post(dt.date(2026, 1, 12), "7.00")
    client.post(reverse("journalentry-reverse", args=[other.pk]), {"memo": ""})
    assert not JournalEntry.objects.filter(reverses=other).exists()


def test_account_form_rules(client_for, postings):
    client = client_for("Accountant")
    ok = client.post(
        reverse("account-create"),
        {
            "code": "1020",
            "name": "Petty cash",
            "type": "asset",
            "parent": Account.objects.get(code="1").pk,
            "currency": "USD",
            "active": "on",
        },
    )
    assert ok.status_code == 302
    wrong_parent = client.post(
        reverse("account-create"),
        {
            "code": "1030",
            "name": "X",
            "type": "expense",
            "parent": Account.objects.get(code="1").pk,
            "currency": "USD",
        },
    )
    assert "parent" in wrong_parent.context["form"].errors
    duplicate = client.post(
        reverse("account-create"), {"code": "1020", "name": "Y", "type": "asset", "currency": "USD"}
    )
    assert "code" in duplicate.context["form"].errors
    cash = Account.objects.get(code=chart.CASH)
    form = client.get(reverse("account-update", args=[cash.pk])).context["form"]
    assert form.fields["type"].disabled  # it has postings


@pytest.mark.parametrize("role", ["Sales", "Warehouse", "Customer", "Seller"])
def test_roles_without_ledger_read_get_403(client_for, books, role):
    client = client_for(role)
    for name in ("account-list", "journalentry-list", "trial-balance"):
        assert client.get(reverse(name)).status_code == 403


def test_viewer_cannot_write(client_for, books):
    client = client_for("Viewer")
    assert client.get(reverse("account-create")).status_code == 403
    entry = post(dt.date(2026, 1, 10), "10.00")
    assert (
        client.post(reverse("journalentry-reverse", args=[entry.pk]), {"memo": "x"}).status_code
        == 403
    )
    assert JournalEntry.objects.count() == 1


def test_trial_balance_from_stored_balances_equals_the_lines_on_every_date(postings):
    """On a recent date the trial balance is each stored balance less the lines dated
    after it, on an early date the lines up to it: both the sums of the lines."""
    post(dt.date(2026, 12, 31), "7.00", debit=chart.CASH, credit=chart.BANK)  # ahead of today
    day = dt.date(2026, 1, 1)
    while day <= dt.date(2027, 1, 2):
        totals = line_totals(day)
        expected = [
            (code, debit - credit)
            for code, pk in Account.all_objects.filter(is_group=False)
            .order_by("code")
            .values_list("code", "pk")
            for debit, credit in [totals.get(pk, (Decimal(0), Decimal(0)))]
            if debit != credit
        ]
        rows = trial_balance(day).rows
        assert [(r.account.code, r.debit - r.credit) for r in rows] == expected, day
        day += dt.timedelta(days=3)


def test_trial_balance_on_a_recent_date_reads_the_stored_balances(postings):
    """A stored balance off from its lines (check_books reports it) shows on a recent
    date, not on an early one: the page reads 3 accounts' balances, not 3.5M lines."""
    Account.objects.filter(code=chart.COGS).update(balance=Decimal("41.00"))
    recent = {r.account.code: r.debit for r in trial_balance(dt.date(2026, 3, 31)).rows}
    assert recent[chart.COGS] == Decimal("41.00")
    early = {r.account.code: r.debit for r in trial_balance(dt.date(2026, 1, 31)).rows}
    assert chart.COGS not in early and early[chart.BANK] == Decimal("1000.00")


@pytest.mark.parametrize("key", ["total", "-total", "memo", "-memo"])
def test_journal_sorts_walk_an_index_and_end_with_the_pk(books, key):
    """The journal sorted by amount or memo reads its page from an index in the sort's
    order, the pk last (ledger_entry_total_idx, ledger_entry_memo_idx)."""
    from django.db import connection

    from apps.ledger.tables import JournalEntryTable
    from apps.ledger.views import JournalEntryListView

    name = key.lstrip("-")
    order = list(JournalEntryTable.base_columns[name].order_by)
    assert order == [name, "id"]
    if key.startswith("-"):
        order = [f"-{o}" for o in order]
    queryset = JournalEntryListView.base_queryset().order_by(*order)[:51]
    index = f"ledger_entry_{name}_idx"
    if connection.vendor != "postgresql":
        assert index in queryset.explain()
        return
    text = plan(queryset, forbid=("seqscan", "sort"))
    assert index in text and "Sort" not in text, text


# The loops the two templates had before their rows were written in Python (tables.py)
OLD_TREE_LOOP = """{% load money_tags %}{% for row in rows %}
      <tr{% if row.account.is_group %} class="fw-semibold"{% endif %}>
        <td class="font-monospace">{{ row.account.code }}</td>
        <td><span class="indent indent-{{ row.depth }}"></span>{% if row.depth %}<span class="text-muted me-1" aria-hidden="true">└</span>{% endif %}<a href="{{ row.account.get_absolute_url }}">{{ row.account.name }}</a>{% if not row.account.active %} <span class="badge text-bg-secondary">inactive</span>{% endif %}</td>
        <td>{{ row.account.get_type_display }}</td>
        <td class="text-end font-monospace">{% if not row.account.is_group %}{{ row.account.balance|money }}{% endif %}</td>
        <td class="text-end font-monospace">{{ row.total|money }}</td>
      </tr>
    {% empty %}
      <tr><td colspan="5" class="text-muted">No accounts match these filters.</td></tr>
    {% endfor %}"""  # noqa: E501
OLD_TRIAL_LOOP = """{% load money_tags %}{% for row in balance.rows %}
      <tr><td class="font-monospace">{{ row.account.code }}</td><td><a href="{{ row.account.get_absolute_url }}?end={{ balance.as_of|date:'Y-m-d' }}">{{ row.account.name }}</a></td><td>{{ row.account.get_type_display }}</td>
        <td class="text-end font-monospace">{% if row.debit %}{{ row.debit|money }}{% endif %}</td><td class="text-end font-monospace">{% if row.credit %}{{ row.credit|money }}{% endif %}</td></tr>
    {% empty %}
      <tr><td colspan="5" class="text-muted">Nothing was posted on or before this date.</td></tr>
    {% endfor %}"""  # noqa: E501


def test_the_chart_and_trial_balance_rows_are_what_the_template_loops_wrote(postings):
    from django.template import Context, Template

    from apps.ledger.tables import account_tree_rows, trial_balance_rows

    Account.objects.create(  # inactive, a name to escape, under a group
        code="1999",
        name="R&D <\"quoted\"> 'petty' cash",
        type="asset",
        currency_id="USD",
        parent=Account.objects.get(code=chart.ASSETS),
        active=False,
    )
    Account.objects.filter(code=chart.CASH).update(balance=Decimal("-0.50"))
    rows = accounts_tree()
    assert any(r.account.is_group for r in rows) and any(r.depth for r in rows)
    assert str(account_tree_rows(rows)) == Template(OLD_TREE_LOOP).render(Context({"rows": rows}))
    assert str(account_tree_rows([])) == Template(OLD_TREE_LOOP).render(Context({"rows": []}))
    for day in (dt.date(2026, 3, 31), dt.date(2025, 1, 1)):
        balance = trial_balance(day, include_zero=True)
        old = Template(OLD_TRIAL_LOOP).render(Context({"balance": balance}))
        assert str(trial_balance_rows(balance)) == old
        assert str(trial_balance_rows(trial_balance(day))) == Template(OLD_TRIAL_LOOP).render(
            Context({"balance": trial_balance(day)})
        )


@pytest.mark.parametrize("descending", [False, True])
def test_journal_by_poster_is_the_user_ordering_then_the_pk(books, make_user, descending):
    """The sort by poster keeps the order ("posted_by", the User's e-mail) with the
    database's own place for entries no one posted, the pk breaking ties; on PostgreSQL
    it walks ledger_entry_poster_idx and sorts only what people posted."""
    from django.db import connection

    from apps.ledger.views import JournalEntryListView

    zed, amy = make_user("Accountant", email="zed@x.test"), make_user("Viewer", email="amy@x.test")
    for n, user in enumerate([zed, None, amy, zed, None, amy, None]):
        post(dt.date(2026, 1, 1 + n), f"{n + 1}.00", posted_by=user)
    queryset = JournalEntryListView.base_queryset()
    rows = list(queryset.by_poster(descending=descending))
    email_first = "-" if descending else ""
    expected = sorted(
        queryset, key=lambda e: (e.posted_by.email if e.posted_by else "", e.pk), reverse=descending
    )
    nulls_first = descending == (connection.vendor == "postgresql")
    people = [e for e in expected if e.posted_by_id]
    system = [e for e in expected if not e.posted_by_id]
    assert [e.pk for e in rows] == [
        e.pk for e in (system + people if nulls_first else people + system)
    ]
    # the same posters in the same places as the plain ordering (its ties aside)
    plain = queryset.order_by(f"{email_first}posted_by", f"{email_first}id")
    assert [e.posted_by_id for e in rows] == [e.posted_by_id for e in plain]
    if connection.vendor == "postgresql":
        text = plan(queryset.by_poster(descending=descending)[:51], forbid=("seqscan", "sort"))
        assert "ledger_entry_poster_idx" in text, text
