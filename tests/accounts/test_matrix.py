"""The permission matrix: pinned to DESIGN.md §7, then walked role x area over real URLs."""

import pytest
from django.urls import reverse

from apps.accounts.roles import MATRIX, Access, Area, Role, access_for, has_access

# DESIGN.md §7, copied by hand: if roles.MATRIX drifts from the design, this fails.
DESIGN_TABLE = {
    #                   Admin  Sales   Warehouse  Accountant Viewer Customer Seller
    Area.ADMINISTRATION: ("RW", "-", "-", "-", "-", "-", "-"),
    Area.FINANCE: ("RW", "R", "R", "RW", "R", "-", "-"),
    Area.CATALOG: ("RW", "R", "R", "R", "R", "-", "-"),
    Area.STOCK: ("RW", "R", "RW", "R", "R", "-", "-"),
    Area.CUSTOMERS: ("RW", "RW", "-", "R", "R", "own", "-"),
    Area.ORDERS: ("RW", "RW", "R+returns", "R", "R", "own", "-"),
    Area.CREDIT: ("RW", "-", "-", "RW", "R", "-", "own"),
    Area.INVOICES: ("RW", "R", "-", "RW", "R", "own", "-"),
    Area.LEDGER: ("RW", "sales figures", "stock figures", "RW", "R", "-", "-"),
}
ROLE_ORDER = [
    Role.ADMIN,
    Role.SALES,
    Role.WAREHOUSE,
    Role.ACCOUNTANT,
    Role.VIEWER,
    Role.CUSTOMER,
    Role.SELLER,
]


@pytest.mark.parametrize("area", list(Area))
def test_matrix_matches_design(area):
    assert tuple(access_for(role, area).value for role in ROLE_ORDER) == DESIGN_TABLE[area]


def test_every_area_is_in_the_matrix():
    assert set(MATRIX) == set(Area)


# Pages that exist today, per area: (URL name, args, need). Later issues add theirs.
AREA_PAGES = {
    Area.ADMINISTRATION: [
        ("user-list", [], "write"),
        ("company-settings", [], "write"),
        ("audit-list", [], "write"),
        ("job-list", [], "write"),
        ("user-create", [], "write"),
    ],
    Area.FINANCE: [
        ("currency-list", [], "read"),
        ("exchangerate-list", [], "read"),
        ("taxrate-list", [], "read"),
        ("currency-create", [], "write"),
        ("taxrate-create", [], "write"),
        ("exchangerate-create", [], "write"),
    ],
    Area.CATALOG: [
        ("product-list", [], "read"),
        ("category-list", [], "read"),
        ("product-create", [], "write"),
        ("category-create", [], "write"),
        ("product-import", [], "write"),
    ],
    Area.STOCK: [
        ("stock-list", [], "read"),
        ("movement-list", [], "read"),
        ("stock-low", [], "read"),
        ("store-list", [], "read"),
        ("store-create", [], "write"),
        ("stock-receive", [], "write"),
        ("stock-remove", [], "write"),
        ("stock-adjust", [], "write"),
        ("stock-transfer", [], "write"),
        ("stock-import", [], "write"),
    ],
    Area.CUSTOMERS: [
        ("customer-list", [], "read"),
        ("customer-create", [], "write"),
    ],
    Area.ORDERS: [
        ("order-list", [], "read"),
        ("return-list", [], "read"),
        ("coupon-list", [], "read"),
        ("order-create", [], "write"),
        ("coupon-create", [], "write"),
        ("portal-orders", [], "own"),
    ],
    Area.CREDIT: [
        ("seller-list", [], "read"),
        ("creditrequest-list", [], "read"),
        ("transaction-list", [], "read"),
        ("seller-create", [], "write"),
    ],
    Area.LEDGER: [
        ("dashboard", [], "figures"),
        ("books-check", [], "read"),
        ("account-list", [], "read"),
        ("journalentry-list", [], "read"),
        ("trial-balance", [], "read"),
        ("account-create", [], "write"),
    ],
}

CASES = [
    (role, area, url_name, args, need)
    for area, pages in AREA_PAGES.items()
    for (url_name, args, need) in pages
    for role in Role
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "area", "url_name", "args", "need"), CASES, ids=lambda v: str(v))
def test_role_gets_page_iff_matrix_grants_it(client_for, role, area, url_name, args, need):
    client = client_for(role)
    allowed = bool({access_for(role, area)} & {a for a in Access if has_access_level(a, need)})
    response = client.get(reverse(url_name, args=args))
    if url_name == "dashboard" and role in (Role.CUSTOMER, Role.SELLER):
        assert response.status_code == 302 and response["Location"] == reverse("portal-home")
        return
    assert response.status_code == (200 if allowed else 403), f"{role} {url_name}"


def has_access_level(access, need):
    from apps.accounts.roles import GRANTS

    return access in GRANTS[need]


@pytest.mark.django_db
def test_multiple_roles_grant_the_union(make_user):
    user = make_user(Role.WAREHOUSE, Role.ACCOUNTANT)
    assert has_access(user, Area.STOCK, "write")  # from Warehouse
    assert has_access(user, Area.CREDIT, "write")  # from Accountant
    assert not has_access(user, Area.ADMINISTRATION, "read")


@pytest.mark.django_db
def test_inactive_user_has_no_access(make_user):
    from apps.core.permissions import has_access as core_has_access

    user = make_user(Role.ADMIN, is_active=False)
    assert not core_has_access(user, Area.FINANCE, "read")


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("currency-list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_group_permissions_follow_the_matrix():
    from django.contrib.auth.models import Group

    viewer = set(Group.objects.get(name="Viewer").permissions.values_list("codename", flat=True))
    accountant = set(
        Group.objects.get(name="Accountant").permissions.values_list("codename", flat=True)
    )
    assert "view_currency" in viewer and "change_currency" not in viewer
    assert {"add_exchangerate", "change_exchangerate", "delete_exchangerate"} <= accountant
    assert "view_user" not in accountant
