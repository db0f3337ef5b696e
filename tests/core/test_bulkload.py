"""apps/core/bulkload.py and bulkload_indexes.py: rows packed without the database (in forked workers on
PostgreSQL) and written by `packed_insert` read back exactly as `rows_insert` writes them;
indexes and keys added back while a builder computes (`restore_meanwhile`), but those of
the tables later builders load (`loads_ahead`); ANALYZE in two connections."""

import contextlib
import datetime as dt
import os
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction

from apps.core.bulkload import forked_map, packed_insert, rows_insert, rows_pack, worker_cpu
from apps.core.bulkload_indexes import analyze, load_deferred, loads_ahead, restore_meanwhile
from apps.finance.models import Currency
from apps.ledger.models import JournalEntry, JournalLine

pytestmark = pytest.mark.django_db

COLUMNS = ["id", "date", "memo", "reference", "rate", "source_id", "posted_at", "currency_id"]
MEMOS = ["plain", "tab\there", "new\nline", "back\\slash \\N", "return\r", "ünï · €", "\\.", ""]
AT = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.UTC)


def _rows(first: int) -> list[tuple]:
    return [
        (
            uuid.UUID(int=first + i),
            dt.date(2026, 1, 1) + dt.timedelta(days=i),
            memo,
            f"REF-{i}",
            [Decimal("1.23456789"), Decimal("5E+1"), Decimal("0.5")][i % 3],
            str(first + i),
            AT + dt.timedelta(hours=i),
            "USD",
        )
        for i, memo in enumerate(MEMOS)
    ]


def _packed(shared, first: int):
    """A worker's part: the rows packed, and the process that packed them."""
    return rows_pack(JournalEntry, COLUMNS, _rows(first)), os.getpid(), shared


def test_packed_rows_read_back_as_rows_insert_writes_them():
    Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "minor_units": 2})
    rows_insert(JournalEntry, COLUMNS, _rows(1000))
    cpu = worker_cpu()
    results = list(forked_map(_packed, [2000, 3000], shared="given"))
    for packed, _, _ in results:
        assert packed_insert(packed) == len(MEMOS)

    def read(first: int) -> list[tuple]:
        entries = JournalEntry.objects.filter(source_id__in=[str(first + i) for i in range(8)])
        return list(
            entries.order_by("date").values_list(
                "date", "memo", "reference", "rate", "posted_at", "currency_id", "posted_by_id",
                "reverses_id", "source_type_id",
            )
        )  # fmt: skip

    expected = read(1000)
    assert [row[1] for row in expected] == MEMOS
    assert expected[1][3] == Decimal("50")
    assert read(2000) == expected
    assert read(3000) == expected
    # in order, `shared` passed on; computed in other processes on PostgreSQL only
    assert [shared for _, _, shared in results] == ["given", "given"]
    forked = {pid != os.getpid() for _, pid, _ in results}
    assert forked == {connection.vendor == "postgresql"}
    assert (worker_cpu() > cpu) == (connection.vendor == "postgresql")  # seed_demo shows it


def _indexes(model) -> int:
    """How many indexes and foreign keys the model's table has (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_indexes WHERE tablename = %s)"
            " + (SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'f')",
            [model._meta.db_table, model._meta.db_table],
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def _entries_loaded():
    """Inside a load_deferred of the journal's entries and lines, 1,000 entries written:
    yields (indexes and keys of each table before, those left in the load, what the load
    reports at its end: filled in once the block is done)."""
    Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "minor_units": 2})
    full = {model: _indexes(model) for model in (JournalEntry, JournalLine)}
    reported = {}

    def report(timings, early=()):
        reported.update(timings=len(timings), early=len(early))

    with load_deferred(JournalEntry, JournalLine, report=report):
        dropped = {model: _indexes(model) for model in full}
        rows_insert(JournalEntry, COLUMNS, _rows(1000))
        yield full, dropped, reported


def test_restore_meanwhile_adds_back_what_the_tables_no_longer_loaded_had():
    with transaction.atomic():
        with _entries_loaded() as (full, dropped, reported):
            with restore_meanwhile(JournalLine):  # lines still to be written
                computed = sum(i * i for i in range(300_000))  # no database in the block
            meanwhile = {model: _indexes(model) for model in full}
        after = {model: _indexes(model) for model in full}
    assert computed == 8999955000050000
    assert after == full
    assert JournalEntry.objects.filter(reference__startswith="REF-").count() == len(MEMOS)
    if connection.vendor != "postgresql":  # nothing is dropped there
        assert reported == {}
        return
    # the entries' indexes and keys are back when the block ends, the lines' at the end
    assert dropped[JournalEntry] < full[JournalEntry]
    assert dropped[JournalLine] < full[JournalLine]
    assert meanwhile[JournalEntry] == full[JournalEntry]
    assert meanwhile[JournalLine] == dropped[JournalLine]
    assert reported == {
        "timings": full[JournalLine] - dropped[JournalLine],
        "early": full[JournalEntry] - dropped[JournalEntry],
    }


def test_restore_meanwhile_leaves_the_tables_later_builders_load():
    with transaction.atomic():
        with _entries_loaded() as (full, dropped, reported):
            with loads_ahead(JournalEntry):  # a later builder loads entries too
                with restore_meanwhile(JournalLine):
                    computed = sum(i * i for i in range(300_000))
                meanwhile = {model: _indexes(model) for model in full}
            with restore_meanwhile(JournalLine):  # no builder after this one: entries back
                sum(i * i for i in range(300_000))
            later = {model: _indexes(model) for model in full}
        after = {model: _indexes(model) for model in full}
    assert computed == 8999955000050000
    assert after == full
    if connection.vendor != "postgresql":  # nothing is dropped there
        assert reported == {}
        return
    assert meanwhile == dropped
    assert later == {JournalEntry: full[JournalEntry], JournalLine: dropped[JournalLine]}
    assert reported == {
        "timings": full[JournalLine] - dropped[JournalLine],
        "early": full[JournalEntry] - dropped[JournalEntry],
    }


@pytest.mark.django_db(transaction=True)
def test_analyze_in_two_connections_covers_every_table():
    Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "minor_units": 2})
    rows_insert(JournalEntry, COLUMNS, _rows(1000))
    analyze(workers=2)
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            [JournalEntry._meta.db_table, Currency._meta.db_table],
        )
        analysed = dict(cursor.fetchall())
    assert analysed == {
        JournalEntry._meta.db_table: len(MEMOS),
        Currency._meta.db_table: Currency.objects.count(),
    }


def _invoice_values(pk: int) -> dict:
    return {
        "id": pk, "created_at": AT, "updated_at": AT, "customer_id": 7, "series_id": 3,
        "fiscal_year": 2026, "sequence": pk, "number": f"INV-2026-{pk:06d}",
        "issue_date": dt.date(2026, 3, 29), "currency_id": "USD",
        "exchange_rate": Decimal("1.25"), "billing_name": "Acme", "total": Decimal("12.50"),
    }  # fmt: skip


def test_instance_maker_makes_what_the_model_makes():
    """Every attribute (value and type) and the state of `Invoice(**values)`, the defaults
    of the fields not given included; a callable default is called for each instance."""
    from apps.core.bulkload import instance_maker
    from apps.invoicing.models import Invoice

    make = instance_maker(Invoice)
    assert make is not Invoice  # the fast path, not the fallback
    made, expected = make(**_invoice_values(5)), Invoice(**_invoice_values(5))
    mine, theirs = dict(made.__dict__), dict(expected.__dict__)
    state, their_state = mine.pop("_state"), theirs.pop("_state")
    assert mine == theirs
    assert {k: type(v) for k, v in mine.items()} == {k: type(v) for k, v in theirs.items()}
    assert (state.adding, state.db) == (their_state.adding, their_state.db) == (True, None)
    assert made.status == expected.status and made.notes == "" and made.pk == 5
    values = _invoice_values(6)
    del values["created_at"]
    before = dt.datetime.now(dt.UTC)
    assert before <= make(**values).created_at <= dt.datetime.now(dt.UTC)


def test_instance_maker_refuses_a_name_the_model_lacks_and_falls_back_for_descriptors():
    from apps.core.bulkload import instance_maker
    from apps.customers.models import Customer
    from apps.invoicing.models import Invoice

    with pytest.raises(TypeError, match="Invoice has no field customer"):
        instance_maker(Invoice)(customer=None)
    assert instance_maker(Customer) is Customer  # a phone number's descriptor parses it


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="GIN indexes and their build after the commit"
)
def test_a_committed_load_leaves_its_gin_indexes_to_restore_pending():
    """A load in the outermost transaction commits with its B-trees and keys back and its
    trigram (GIN) indexes listed, not built; `restore_pending` builds them, each with its
    row's deletion, and one already there (built by hand, or by a stopped run) is kept."""
    from apps.core.bulkload_indexes import pending_tables, restore_pending
    from apps.core.models import PendingIndex

    table = JournalEntry._meta.db_table
    before = _index_names(table)
    gin = {"ledger_entry_memo_trgm", "ledger_entry_reference_trgm"}
    assert gin <= before
    with transaction.atomic(), _entries_loaded() as (full, dropped, _):  # as seed_demo loads
        assert dropped[JournalEntry] < full[JournalEntry]
    after_commit = _index_names(table)
    assert after_commit == before - gin  # every B-tree back, the trigram ones to come
    assert {p.table for p in PendingIndex.objects.all()} == {table} == pending_tables()
    assert sorted(p.statement.split()[2] for p in PendingIndex.objects.all()) == sorted(gin)
    assert JournalEntry.objects.filter(reference__startswith="REF-").count() == len(MEMOS)

    built = restore_pending()
    assert sorted(statement.split()[2] for _, statement in built) == sorted(gin)
    assert _index_names(table) == before
    assert not PendingIndex.objects.exists() and pending_tables() == set()
    with connection.cursor() as cursor:  # built, and valid for the planner
        cursor.execute(
            "SELECT bool_and(indisvalid AND indisready) FROM pg_index"
            " WHERE indexrelid IN ('ledger_entry_memo_trgm'::regclass,"
            " 'ledger_entry_reference_trgm'::regclass)"
        )
        assert cursor.fetchone()[0] is True

    statement = next(s for _, s in built if "memo_trgm" in s)
    PendingIndex.objects.create(table=table, statement=statement)  # the index is there
    assert [s for _, s in restore_pending()] == [statement]
    assert _index_names(table) == before and not PendingIndex.objects.exists()

    # a run stopped after its commit, before the index: the next seed_demo builds it first
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX ledger_entry_memo_trgm")
    PendingIndex.objects.create(table=table, statement=statement)
    get_user_model().objects.create_user(email="admin@demo.test", password="x")
    out = StringIO()
    call_command("seed_demo", if_empty=True, stdout=out)
    assert "left by an earlier run, built in" in out.getvalue()
    assert "Demo data already loaded." in out.getvalue()
    assert _index_names(table) == before and not PendingIndex.objects.exists()
