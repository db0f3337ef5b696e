"""The rows one charge writes, pinned field by field, on whichever path this database takes.

`credit_charge` writes a charge as one statement on PostgreSQL and through the ORM
elsewhere (apps/credit/services.py). Both must write exactly the same rows, so the same
fixture figures are asserted on each path this database can run: the ORM path everywhere,
the one-statement path on PostgreSQL (the suite runs on SQLite and on PostgreSQL).
"""

import re
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import AuditEvent
from apps.core.request_context import acting_as
from apps.credit import services
from apps.credit.models import Seller, TransactionLog
from apps.credit.services import charges
from apps.ledger.models import Account, JournalEntry, JournalLine
from apps.ledger.services import Cr, Dr, PostingError, journal_prepare
from tests.credit.test_services import all_checks_pass

PHONE = "+447911123456"
IP = "203.0.113.7"


# The paths the active database runs: PostgreSQL has all three, SQLite only the ORM steps
# (the PostgreSQL-only tests below are defined only there; CI runs the suite on both).
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
PATHS = ["one statement", "one statement, prepared", "in steps"] if ON_POSTGRESQL else ["in steps"]


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    """Run credit_charge on one path: PostgreSQL's one statement (also as a prepared
    statement, as where a deployment sets prepare_threshold), or the ORM steps."""
    if request.param.startswith("one statement"):
        if request.param.endswith("prepared"):
            connection.ensure_connection()
            monkeypatch.setattr(connection.connection, "prepare_threshold", 0)
    else:
        # credit_charge looks the path up in its own module (apps.credit.services.charges)
        monkeypatch.setattr(charges, "_charge_in_one_statement", services._charge_in_steps)
    return request.param


def row_counts():
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        TransactionLog.objects.count(),
        AuditEvent.objects.count(),
    )


def charge_once(seller):
    with acting_as(ip=IP):
        return services.credit_charge(
            seller=seller,
            amount="7.25",
            phone="+44 7911 123456",
            idempotency_key="exact-rows",
            by=seller.user,
        )


def fields_of(obj, *, without=()):
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in without
    }


@pytest.mark.django_db
def test_a_charge_writes_exactly_these_rows(path, make_seller):
    seller = make_seller("100.00")
    user = seller.user
    revenue = Account.objects.get(pk=seller.revenue_account_id)
    log_type = ContentType.objects.get_for_model(TransactionLog)
    counts = row_counts()
    before = timezone.now()
    outcome = charge_once(seller)
    after = timezone.now()

    log = outcome.transaction
    assert outcome.replayed is False
    assert row_counts() == (counts[0] + 1, counts[1] + 2, counts[2] + 1, counts[3] + 1)

    entry = JournalEntry.objects.values().get(pk=log.entry_id)
    posted_at = entry.pop("posted_at")
    assert entry == {
        "id": log.entry_id,
        "date": timezone.localdate(),
        "memo": f"Charge {PHONE}",
        "reference": "",
        "currency_id": "USD",
        "rate": Decimal("1"),
        "source_type_id": log_type.pk,
        "source_id": str(log.pk),
        "reverses_id": None,
        "posted_by_id": user.pk,
        "total": Decimal("7.25"),
    }
    lines = list(JournalLine.objects.filter(entry_id=log.entry_id).order_by("id").values())
    assert [{k: v for k, v in line.items() if k != "id"} for line in lines] == [
        {
            "entry_id": log.entry_id,
            "account_id": seller.account_id,
            "debit": Decimal("7.25"),
            "credit": Decimal("0"),
            "base_debit": Decimal("7.25"),
            "base_credit": Decimal("0"),
            "memo": "",
        },
        {
            "entry_id": log.entry_id,
            "account_id": revenue.pk,
            "debit": Decimal("0"),
            "credit": Decimal("7.25"),
            "base_debit": Decimal("0"),
            "base_credit": Decimal("7.25"),
            "memo": "",
        },
    ]

    row = TransactionLog.objects.values().get(pk=log.pk)
    created_at = row.pop("created_at")
    assert row == {
        "id": log.pk,
        "seller_id": seller.pk,
        "type": "charge",
        "amount": Decimal("-7.25"),
        "balance_after": Decimal("92.75"),
        "currency_id": "USD",
        "rate": Decimal("1"),
        "status": "completed",
        "idempotency_key": "exact-rows",
        "phone": PHONE,
        "entry_id": log.entry_id,
        "credit_request_id": None,
        "reverses_id": None,
        "created_by_id": user.pk,
        "note": "",
    }

    event = AuditEvent.objects.values().get(event="credit.charge")
    event_at = event.pop("created_at")
    event.pop("id")
    assert event == {
        "actor_id": user.pk,
        "actor_repr": str(user),
        "ip_address": IP,
        "action": "business",
        "event": "credit.charge",
        "content_type_id": log_type.pk,
        "object_id": str(log.pk),
        "object_repr": f"Charge -7.25 ({str(log.pk)[-8:]})",
        "changes": {
            "amount": "7.25",
            "phone": PHONE,
            "key": "exact-rows",
            "entry": str(log.entry_id),
        },
        "message": "",
    }

    # one clock reading for the entry and the event; the log's is taken under the lock
    assert before <= posted_at == event_at <= created_at <= after
    seller.refresh_from_db()
    assert seller.balance == Account.objects.get(pk=seller.account_id).balance == Decimal("92.75")
    assert Account.objects.get(pk=revenue.pk).balance == revenue.balance + Decimal("7.25")
    # the returned object is the row as stored, and behaves as a saved one
    assert fields_of(log) == fields_of(TransactionLog.objects.get(pk=log.pk))
    assert log.entry.pk == log.entry_id and not log._state.adding
    assert all_checks_pass() == {}


@pytest.mark.django_db
def test_the_rows_are_what_journal_prepare_and_audit_record_build(path, make_seller):
    """The charge builds its entry and event itself (one statement can call neither)."""
    seller = make_seller("100.00")
    log = TransactionLog.objects.get(pk=charge_once(seller).transaction.pk)
    entry = JournalEntry.objects.get(pk=log.entry_id)

    prepared = journal_prepare(
        date=entry.date,
        memo=f"Charge {PHONE}",
        lines=[Dr(seller.account, Decimal("7.25")), Cr(seller.revenue_account, Decimal("7.25"))],
        currency=seller.account.currency,
        rate=Decimal("1"),
        source=log,
        posted_by=seller.user,
    )
    assert fields_of(entry, without={"id", "posted_at"}) == fields_of(
        prepared.entry, without={"id", "posted_at"}
    )
    written = [fields_of(line, without={"id", "entry_id"}) for line in entry.lines.all()]
    assert written == [fields_of(line, without={"id", "entry_id"}) for line in prepared.lines]

    with acting_as(ip=IP):
        expected = audit_record(
            actor=seller.user,
            subject=log,
            event="credit.charge",
            changes={
                "amount": Decimal("7.25"),
                "phone": PHONE,
                "key": "exact-rows",
                "entry": log.entry_id,
            },
        )
    events = AuditEvent.objects.filter(event="credit.charge").order_by("id")
    charge_event, recorded = (fields_of(e, without={"id", "created_at"}) for e in events)
    assert charge_event == recorded
    assert recorded["object_id"] == str(expected.object_id)


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["revenue", "seller"])
def test_an_account_that_takes_no_postings_refuses_the_charge(path, make_seller, account):
    seller = make_seller("100.00")
    code = seller.revenue_account.code if account == "revenue" else seller.account.code
    Account.objects.filter(code=code).update(active=False)
    counts, balance = row_counts(), Seller.objects.get(pk=seller.pk).balance
    with pytest.raises(PostingError, match="is inactive and takes no postings"):
        charge_once(seller)
    assert row_counts() == counts
    assert Seller.objects.get(pk=seller.pk).balance == balance


if ON_POSTGRESQL:

    @pytest.mark.django_db
    def test_with_prepared_statements_on_the_charge_is_parsed_once_per_connection(
        make_seller, monkeypatch
    ):
        seller = make_seller("100.00")
        connection.ensure_connection()
        monkeypatch.setattr(connection.connection, "prepare_threshold", 2)
        for n in range(4):
            services.credit_charge(
                seller=seller, amount="1.00", phone=PHONE, idempotency_key=f"p{n}"
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%%INSERT INTO "credit_transactionlog"%%'],
            )
            assert cursor.fetchone()[0] == 1
        seller.refresh_from_db()
        assert seller.balance == Decimal("96.00")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_charge_is_one_round_trip(books, make_seller):
    seller = make_seller("100.00")
    services.credit_charge(seller=seller, amount="1.00", phone=PHONE, idempotency_key="warm")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.credit_charge(seller=seller, amount="1.00", phone=PHONE, idempotency_key="one")
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ["WITH"]  # no BEGIN/COMMIT: the statement is its own transaction
    else:
        assert (statements[0], statements[-1], len(statements)) == ("BEGIN", "COMMIT", 9)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_the_loser_of_a_race_on_one_key_gets_the_winners_charge(books, make_seller):
    """Two identical submissions at once: the second waits for the first's lock, then gets
    the first's result (on PostgreSQL through the unique key's IntegrityError, inside a
    savepoint, so the caller's own transaction stays usable); one charge in all."""
    seller = make_seller("50.00")
    charged, release = threading.Event(), threading.Event()
    results: dict = {}

    def submit(name: str) -> None:
        try:
            with transaction.atomic():
                mine = Seller.objects.select_related("account__currency").get(pk=seller.pk)
                results[name] = services.credit_charge(
                    seller=mine, amount="7.00", phone=PHONE, idempotency_key="race"
                )
                if name == "winner":
                    charged.set()
                    release.wait(10)  # hold the seller's row until the loser is waiting
                else:
                    results["usable"] = Seller.objects.get(pk=seller.pk).balance
        except Exception as exc:  # reported by the assertions below
            results[f"{name} error"] = exc
        finally:
            connection.close()

    winner = threading.Thread(target=submit, args=("winner",))
    winner.start()
    assert charged.wait(10)
    loser = threading.Thread(target=submit, args=("loser",))
    loser.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if connection.vendor != "postgresql":
            time.sleep(0.5)  # SQLite: the loser waits on BEGIN IMMEDIATE (busy timeout)
            break
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
        time.sleep(0.01)
    release.set()
    winner.join()
    loser.join()

    assert not [k for k in results if k.endswith("error")], results
    first, second = results["winner"], results["loser"]
    assert (first.replayed, second.replayed) == (False, True)
    assert second.transaction.pk == first.transaction.pk
    assert results["usable"] == Decimal("43.00")
    seller.refresh_from_db()
    assert seller.balance == Decimal("43.00")
    assert TransactionLog.objects.filter(seller=seller, idempotency_key="race").count() == 1
    assert all_checks_pass() == {}


if ON_POSTGRESQL:

    def test_the_statement_stays_within_what_psycopg_parses_once():
        """psycopg caches the parse of a statement's placeholders only up to 4096 characters
        and 50 parameters; past either, every charge pays ~0.1 ms more CPU to re-parse it."""
        from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH, MAX_CACHED_STATEMENT_PARAMS

        statement = services._charge_statement()
        assert len(statement) <= MAX_CACHED_STATEMENT_LENGTH
        assert len(set(re.findall(r"%\((\w+)\)s", statement))) <= MAX_CACHED_STATEMENT_PARAMS


@pytest.mark.django_db
def test_each_database_gets_its_own_path(make_seller, monkeypatch):
    """PostgreSQL charges in one statement, every other database in ORM steps."""
    called = []
    for name in ("_charge_in_one_statement", "_charge_in_steps"):
        original = getattr(charges, name)
        monkeypatch.setattr(
            charges, name, lambda *a, _o=original, _n=name, **k: called.append(_n) or _o(*a, **k)
        )
    services.credit_charge(
        seller=make_seller("10.00"), amount="1.00", phone=PHONE, idempotency_key="which"
    )
    assert called == (["_charge_in_one_statement"] if ON_POSTGRESQL else ["_charge_in_steps"])
