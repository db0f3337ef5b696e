"""The permission matrix: the one source of truth for who may open what (DESIGN.md §7).

Everything else is generated from MATRIX: the Groups' Django permissions (post_migrate),
the navigation, the 403s and the tests that walk every role x every area.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "Admin"
    SALES = "Sales"
    WAREHOUSE = "Warehouse"
    ACCOUNTANT = "Accountant"
    VIEWER = "Viewer"
    CUSTOMER = "Customer"
    SELLER = "Seller"


STAFF_ROLES = (Role.ADMIN, Role.SALES, Role.WAREHOUSE, Role.ACCOUNTANT, Role.VIEWER)
PORTAL_ROLES = (Role.CUSTOMER, Role.SELLER)


class Area(models.TextChoices):
    ADMINISTRATION = "administration", "Users, company settings, audit log"
    FINANCE = "finance", "Currencies, rates, taxes"
    CATALOG = "catalog", "Products, categories"
    STOCK = "stock", "Stores, stock, movements"
    CUSTOMERS = "customers", "Customers"
    ORDERS = "orders", "Orders, returns"
    CREDIT = "credit", "Sellers, credit requests"
    INVOICES = "invoices", "Invoices, payments"
    LEDGER = "ledger", "Ledger, reports, dashboard"


class Access(models.TextChoices):
    NONE = "-", "No access"
    READ = "R", "Read"
    WRITE = "RW", "Read and write"
    READ_RETURNS = "R+returns", "Read, record returns"
    SALES_FIGURES = "sales figures", "Sales figures only"
    STOCK_FIGURES = "stock figures", "Stock figures only"
    OWN = "own", "Own records (portal)"


R, RW, OWN = Access.READ, Access.WRITE, Access.OWN

MATRIX: dict[Area, dict[Role, Access]] = {
    Area.ADMINISTRATION: {Role.ADMIN: RW},
    Area.FINANCE: {
        Role.ADMIN: RW,
        Role.SALES: R,
        Role.WAREHOUSE: R,
        Role.ACCOUNTANT: RW,
        Role.VIEWER: R,
    },
    Area.CATALOG: {
        Role.ADMIN: RW,
        Role.SALES: R,
        Role.WAREHOUSE: R,
        Role.ACCOUNTANT: R,
        Role.VIEWER: R,
    },
    Area.STOCK: {
        Role.ADMIN: RW,
        Role.SALES: R,
        Role.WAREHOUSE: RW,
        Role.ACCOUNTANT: R,
        Role.VIEWER: R,
    },
    Area.CUSTOMERS: {
        Role.ADMIN: RW,
        Role.SALES: RW,
        Role.ACCOUNTANT: R,
        Role.VIEWER: R,
        Role.CUSTOMER: OWN,
    },
    Area.ORDERS: {
        Role.ADMIN: RW,
        Role.SALES: RW,
        Role.WAREHOUSE: Access.READ_RETURNS,
        Role.ACCOUNTANT: R,
        Role.VIEWER: R,
        Role.CUSTOMER: OWN,
    },
    Area.CREDIT: {Role.ADMIN: RW, Role.ACCOUNTANT: RW, Role.VIEWER: R, Role.SELLER: OWN},
    Area.INVOICES: {
        Role.ADMIN: RW,
        Role.SALES: R,
        Role.ACCOUNTANT: RW,
        Role.VIEWER: R,
        Role.CUSTOMER: OWN,
    },
    Area.LEDGER: {
        Role.ADMIN: RW,
        Role.SALES: Access.SALES_FIGURES,
        Role.WAREHOUSE: Access.STOCK_FIGURES,
        Role.ACCOUNTANT: RW,
        Role.VIEWER: R,
    },
}

# Which access levels satisfy which need (see apps.core.permissions).
GRANTS: dict[str, set[Access]] = {
    "read": {Access.READ, Access.WRITE, Access.READ_RETURNS},
    "write": {Access.WRITE},
    "returns": {Access.WRITE, Access.READ_RETURNS},
    "figures": {Access.READ, Access.WRITE, Access.SALES_FIGURES, Access.STOCK_FIGURES},
    "own": {Access.OWN},
}

# Django apps whose model permissions each area grants to a Group (for /admin/).
AREA_APPS: dict[Area, tuple[str, ...]] = {
    Area.ADMINISTRATION: ("accounts", "core", "auth", "axes"),
    Area.FINANCE: ("finance",),
    Area.CATALOG: ("catalog",),
    Area.STOCK: ("inventory",),
    Area.CUSTOMERS: ("customers",),
    Area.ORDERS: ("sales",),
    Area.CREDIT: ("credit",),
    Area.INVOICES: ("invoicing",),
    Area.LEDGER: ("ledger", "reports"),
}


def access_for(role: str, area: str) -> Access:
    return MATRIX.get(Area(area), {}).get(Role(role), Access.NONE)


def roles_from(group_names, is_superuser: bool) -> set[str]:
    """Role names among a user's group names; a superuser is an Admin."""
    roles = set(group_names) & set(Role.values)
    if is_superuser:
        roles.add(Role.ADMIN)
    return roles


def user_roles(user) -> set[str]:
    """Role names of a user; a superuser is an Admin. Cached on the user object (the
    session's user comes with them: apps.accounts.backends.UserBackend)."""
    cached = getattr(user, "_backoffice_roles", None)
    if cached is not None:
        return cached
    roles = roles_from(user.groups.values_list("name", flat=True), user.is_superuser)
    user._backoffice_roles = roles
    return roles


def user_access(user, area: str) -> set[Access]:
    return {access_for(role, area) for role in user_roles(user)}


def has_access(user, area: str, need: str) -> bool:
    """The access policy behind apps.core.permissions.has_access."""
    return bool(user_access(user, area) & GRANTS[need])


def is_portal_user(user) -> bool:
    roles = user_roles(user)
    return bool(roles) and roles <= set(PORTAL_ROLES)
