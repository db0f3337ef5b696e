from decimal import Decimal

import pytest

from apps.core.models import AuditAction, AuditEvent
from apps.finance.models import TaxRate

pytestmark = pytest.mark.django_db


def test_soft_delete_hides_from_objects_but_keeps_row():
    tax = TaxRate.objects.create(name="Luxury", rate=Decimal("25"))
    tax.soft_delete()
    assert not TaxRate.objects.filter(pk=tax.pk).exists()
    assert TaxRate.all_objects.filter(pk=tax.pk).exists()
    assert TaxRate.all_objects.deleted().get(pk=tax.pk).is_deleted


def test_restore_brings_row_back_and_audits_both_steps():
    tax = TaxRate.objects.create(name="Luxury", rate=Decimal("25"))
    tax.soft_delete()
    TaxRate.all_objects.get(pk=tax.pk).restore()
    assert TaxRate.objects.get(pk=tax.pk).deleted_at is None
    actions = list(
        AuditEvent.objects.filter(object_id=str(tax.pk), content_type__model="taxrate")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.SOFT_DELETE, AuditAction.RESTORE]


def test_soft_delete_twice_is_a_no_op():
    tax = TaxRate.objects.create(name="Luxury", rate=Decimal("25"))
    tax.soft_delete()
    first = TaxRate.all_objects.get(pk=tax.pk).deleted_at
    tax.soft_delete()
    assert TaxRate.all_objects.get(pk=tax.pk).deleted_at == first


def test_delete_view_asks_then_soft_deletes(admin_client):
    tax = TaxRate.objects.create(name="Luxury", rate=Decimal("25"))
    page = admin_client.get(f"/finance/taxes/{tax.pk}/delete/")
    assert page.status_code == 200
    assert b"Delete Luxury (25 %)" in page.content
    assert TaxRate.objects.filter(pk=tax.pk).exists()  # GET changed nothing
    response = admin_client.post(f"/finance/taxes/{tax.pk}/delete/")
    assert response.status_code == 302
    assert not TaxRate.objects.filter(pk=tax.pk).exists()
    assert TaxRate.all_objects.filter(pk=tax.pk).exists()


def test_trash_lists_and_restores_for_admin(admin_client, client_for):
    tax = TaxRate.objects.create(name="Luxury", rate=Decimal("25"))
    tax.soft_delete()
    page = admin_client.get("/administration/trash/")
    assert [(r.label, r.text) for r in page.context["rows"]] == [
        ("finance.taxrate", "Luxury (25 %)")
    ]
    response = admin_client.post(
        "/administration/trash/", {"model": "finance.taxrate", "pk": tax.pk}
    )
    assert response.status_code == 302
    assert TaxRate.objects.filter(pk=tax.pk).exists()
    assert admin_client.get("/administration/trash/").context["rows"] == []
    assert client_for("Accountant").get("/administration/trash/").status_code == 403


def test_trash_restore_of_unknown_record_is_a_message_not_a_500(admin_client):
    for data in (
        {"model": "finance.taxrate", "pk": "999"},
        {"model": "nope.nope", "pk": "1"},
        {"model": "accounts.user", "pk": "1"},
        {},
    ):
        response = admin_client.post("/administration/trash/", data, follow=True)
        assert response.status_code == 200
        assert b"not in the trash" in response.content
