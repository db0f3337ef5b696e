"""Reference lists kept per process under the stamp the session's statement reads
(apps/core/reference.py): kept while no reference table changed, read again after any
change, whoever made it and however (ORM save, queryset update, raw SQL, delete)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import Role
from apps.catalog.models import Category
from apps.core import reference
from apps.core.middleware import RequestContextMiddleware
from apps.core.models import CompanySettings, ReferenceStamp
from apps.finance.models import Currency
from apps.inventory.models import Store
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _stamp() -> int:
    return ReferenceStamp.objects.get(pk=1).value


def _tables(queries) -> list[str]:
    """The reference tables the captured statements read from (a page's rows may join them)."""
    found = []
    for q in queries:
        sql = q["sql"] or ""
        if "core_referencestamp" in sql:  # the session's statement reads the stamp only
            continue
        if 'FROM "accounts_user" u' in sql:  # the session's user, read on every request
            continue
        found += [t for t in sorted(reference.STAMPED_TABLES) if re.search(rf'FROM "?{t}"?\b', sql)]
    return found


def _installed_triggers() -> set[str]:
    """The stamped tables whose trigger this database has."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    suffixes = ("", *(f"_{event}" for event in reference._EVENTS))  # SQLite: one per event
    return {
        t
        for t in reference.STAMPED_TABLES
        if any(reference.trigger_name(t) + suffix in names for suffix in suffixes)
    }


def test_every_stamped_table_has_its_trigger():
    assert _installed_triggers() == set(reference.STAMPED_TABLES)


@pytest.mark.parametrize(
    "change",
    [
        lambda: Store.objects.create(name="Annex", code="ANX"),
        lambda: Store.objects.filter(code="MAIN").update(name="Main hall"),
        lambda: Category.objects.create(name="Spare parts"),
        lambda: Category.all_objects.filter(name="Old").delete(),
        lambda: Currency.objects.filter(code="USD").update(active=False),
        lambda: CompanySettings.objects.filter(pk=1).update(name="Renamed Ltd"),
        lambda: ContentType.objects.create(app_label="x", model="y"),
    ],
    ids=[
        "store insert",
        "store update",
        "category insert",
        "category delete",
        "currency update",
        "settings update",
        "content type insert",
    ],
)
def test_each_change_of_a_reference_table_moves_the_stamp(change):
    Store.objects.get_or_create(code="MAIN", defaults={"name": "Main"})
    Category.objects.get_or_create(name="Old")
    CompanySettings.load()
    before = _stamp()
    change()
    assert _stamp() != before


def test_a_change_elsewhere_leaves_the_stamp(admin_client):
    category = Category.objects.create(name="Tools")
    CompanySettings.load()  # the first read of a new database creates the row
    before = _stamp()
    admin_client.get("/catalog/products/")
    assert _stamp() == before
    ProductFactory(category=category)
    assert _stamp() == before


def test_the_second_page_reads_no_reference_table_and_a_change_shows_at_once(client_for):
    Store.objects.create(name="North", code="N")
    Category.objects.create(name="Tools")
    CompanySettings.load()
    admin = client_for(Role.ADMIN)
    admin.get("/inventory/stock/")  # keeps the stores, categories and settings
    with CaptureQueriesContext(connection) as first:
        page = admin.get("/inventory/stock/").content.decode()
    assert _tables(first.captured_queries) == []
    assert ">North</option>" in page and ">Tools</option>" in page

    # Changed behind the ORM's back (no signal): the trigger still moves the stamp.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_store SET name = 'North hall' WHERE code = 'N'")
    with CaptureQueriesContext(connection) as second:
        page = admin.get("/inventory/stock/").content.decode()
    assert "inventory_store" in _tables(second.captured_queries)
    assert ">North hall</option>" in page and ">North</option>" not in page

    CompanySettings.objects.filter(pk=1).update(name="Renamed Trading")
    assert "Renamed Trading" in admin.get("/inventory/stock/").content.decode()


def test_the_movement_list_s_staff_follow_roles_and_names(client_for, role_user):
    admin = client_for(Role.ADMIN)
    clerk = role_user(Role.WAREHOUSE, full_name="Wendy Store")
    CompanySettings.load()
    admin.get("/inventory/movements/")
    with CaptureQueriesContext(connection) as kept:
        page = admin.get("/inventory/movements/").content.decode()
    assert _tables(kept.captured_queries) == []
    assert "Wendy Store" in page

    clerk.groups.clear()  # no longer staff: gone from the options at once
    assert "Wendy Store" not in admin.get("/inventory/movements/").content.decode()
    clerk.groups.add(Group.objects.get(name=Role.SALES))
    type(clerk).objects.filter(pk=clerk.pk).update(full_name="Wendy Sales")
    page = admin.get("/inventory/movements/").content.decode()
    assert "Wendy Sales" in page and "Wendy Store" not in page


def test_a_post_and_a_request_without_session_read_the_tables():
    def load():
        return ["loaded"]

    calls = []
    assert reference.cached("inventory_store", "test.none", lambda: calls.append(1) or load())
    assert reference.cached("inventory_store", "test.none", lambda: calls.append(1) or load())
    assert calls == [1, 1]  # no request, no stamp: nothing kept


def test_only_stamped_tables_can_be_kept():
    with pytest.raises(ValueError, match="no reference stamp trigger"):
        reference.cached("sales_order", "test.orders", list)
    with pytest.raises(ValueError, match="STAMPED_TABLES"):
        reference.stamp_trigger("sales_order")


def test_the_settings_instance_is_new_for_each_request(admin_client):
    seen = []

    def read():
        reference.stamp_seen(_stamp())
        seen.append(CompanySettings.load())

    for _ in range(2):
        RequestContextMiddleware(lambda request: read())(RequestFactory().get("/"))
    assert seen[0] is not seen[1]
    assert seen[0].name == seen[1].name == CompanySettings.objects.get(pk=1).name


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_stamp_row_with_a_new_value():
    """Transactional tests flush every table; the post_migrate handler writes the row again,
    with a value no process can have kept lists under (the migration's first one is 1)."""
    from django.core.management import call_command

    ReferenceStamp.objects.filter(pk=1).update(value=1)
    call_command("flush", interactive=False, verbosity=0)
    assert ReferenceStamp.objects.count() == 1
    assert _stamp() != 1
