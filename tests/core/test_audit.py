from decimal import Decimal

import pytest

from apps.core.audit import audit_record, events_for
from apps.core.models import AuditAction, AuditEvent, CompanySettings
from apps.core.request_context import acting_as
from apps.finance.models import TaxRate

pytestmark = pytest.mark.django_db


def test_create_update_delete_record_actor_ip_and_values(make_user):
    user = make_user("Admin")
    with acting_as(user, ip="203.0.113.7"):
        tax = TaxRate.objects.create(name="Books", rate=Decimal("5"))
        tax.rate = Decimal("7.5")
        tax.save()
        pk = tax.pk
        tax.delete()
    created, updated, deleted = AuditEvent.objects.filter(
        object_id=str(pk), content_type__model="taxrate"
    ).order_by("id")
    assert (created.action, updated.action, deleted.action) == (
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.DELETE,
    )
    assert {e.actor_id for e in (created, updated, deleted)} == {user.pk}
    assert {e.ip_address for e in (created, updated, deleted)} == {"203.0.113.7"}
    assert created.changes["rate"] == "5.000"
    assert updated.changes == {"rate": ["5.000", "7.500"]}
    assert deleted.object_repr == "Books (7.5 %)"


def test_save_without_changes_writes_no_event():
    tax = TaxRate.objects.create(name="Books", rate=Decimal("5"))
    before = AuditEvent.objects.count()
    TaxRate.objects.get(pk=tax.pk).save()
    assert AuditEvent.objects.count() == before


def test_created_by_and_updated_by_follow_the_actor(make_user):
    first, second = make_user("Admin"), make_user("Accountant")
    with acting_as(first):
        tax = TaxRate.objects.create(name="Books", rate=Decimal("5"))
    with acting_as(second):
        tax.rate = Decimal("6")
        tax.save(update_fields=["rate"])
    tax.refresh_from_db()
    assert (tax.created_by_id, tax.updated_by_id) == (first.pk, second.pk)


def test_business_event_and_timeline():
    tax = TaxRate.objects.create(name="Books", rate=Decimal("5"))
    audit_record(subject=tax, event="tax.reviewed", message="yearly review", changes={"ok": True})
    timeline = list(events_for(tax))
    assert [e.event for e in timeline] == ["tax.reviewed", ""]
    assert timeline[0].action == AuditAction.BUSINESS
    assert timeline[0].actor_repr == "system"


def test_http_request_records_actor_and_ip(client, make_user):
    admin = make_user("Admin")
    client.force_login(admin)
    response = client.post(
        "/finance/taxes/new/",
        {"name": "Hotel", "rate": "10", "active": "on"},
        REMOTE_ADDR="198.51.100.23",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.CREATE, content_type__model="taxrate")
    assert (event.actor_id, event.ip_address, event.object_repr) == (
        admin.pk,
        "198.51.100.23",
        "Hotel (10 %)",
    )


def test_login_and_failed_login_are_audited(client, make_user, password):
    user = make_user("Viewer", email="v@example.test")
    client.post(
        "/accounts/login/",
        {"username": "v@example.test", "password": "wrong"},
        REMOTE_ADDR="192.0.2.1",
    )
    client.post(
        "/accounts/login/",
        {"username": "v@example.test", "password": password},
        REMOTE_ADDR="192.0.2.1",
    )
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.changes == {"username": "v@example.test"}
    assert failed.ip_address == "192.0.2.1"
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (login.actor_id, login.ip_address) == (user.pk, "192.0.2.1")


def test_audit_page_filters_by_action(admin_client):
    TaxRate.objects.create(name="Books", rate=Decimal("5"))
    CompanySettings.load()
    response = admin_client.get("/administration/audit/", {"action": "create", "q": "Books"})
    assert response.status_code == 200
    rows = response.context["table"].rows
    assert [r.record.object_repr for r in rows] == ["Books (5 %)"]


def test_audit_page_is_admin_only(client_for):
    assert client_for("Accountant").get("/administration/audit/").status_code == 403


def test_audit_rows_store_what_audit_build_stores(make_user):
    """audit_rows (plain rows, the stock movements' events) and audit_build (instances)
    write the same columns: actor given, actor from the request, no actor; IP from it."""
    from apps.core.audit import audit_build, audit_rows
    from apps.core.sql import insert_all

    taxes = [TaxRate.objects.create(name=f"Rate {n}", rate=Decimal(n)) for n in (1, 2, 3)]
    clerk, admin = make_user("Warehouse"), make_user("Admin")
    changes = {"rate": Decimal("1.50"), "list": [1, "x"], "when": None}
    with acting_as(admin, ip="203.0.113.9"):
        for actors in ((clerk, None, None),):
            built = [
                audit_build(subject=t, event="test.built", changes=changes, actor=a)
                for t, a in zip(taxes, actors, strict=True)
            ]
            rows = audit_rows(
                [(t, "test.rows", changes, a) for t, a in zip(taxes, actors, strict=True)]
            )
            insert_all(built)
            insert_all(rows, AuditEvent)
    with acting_as(None):
        insert_all([audit_build(subject=taxes[0], event="test.built", changes=changes)])
        insert_all(audit_rows([(taxes[0], "test.rows", changes, None)]), AuditEvent)
    columns = [f.attname for f in AuditEvent._meta.concrete_fields]
    columns = [c for c in columns if c not in ("id", "created_at", "event")]

    def stored(event):
        return list(AuditEvent.objects.filter(event=event).order_by("pk").values_list(*columns))

    assert len(stored("test.rows")) == 4
    assert stored("test.rows") == stored("test.built")
    assert {a for a, *_ in stored("test.rows")} == {clerk.pk, admin.pk, None}
    assert all(e.pk for e in built)
