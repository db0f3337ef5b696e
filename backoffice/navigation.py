"""The sidebar: every screen a role may open, generated from the permission matrix.

An item shows when (a) its URL name resolves (the app has built it) and (b) the user's
roles grant `need` on `area`. URL names follow the `<noun>-<verb>` pattern (STYLE.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from apps.accounts.roles import Area, user_roles
from apps.core.permissions import has_access


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    area: str | tuple[str, ...]  # several: shown when any of them grants `need`
    need: str = "read"
    icon: str = "circle"


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavItem, ...]


NAV: tuple[NavSection, ...] = (
    NavSection(
        "Overview",
        (
            NavItem("Dashboard", "dashboard", Area.LEDGER, "figures", "speedometer2"),
            NavItem("Reports", "report-list", Area.LEDGER, "figures", "graph-up"),
        ),
    ),
    NavSection(
        "Catalog",
        (
            NavItem("Products", "product-list", Area.CATALOG, "read", "box-seam"),
            NavItem("Categories", "category-list", Area.CATALOG, "read", "tags"),
        ),
    ),
    NavSection(
        "Inventory",
        (
            NavItem("Stock levels", "stock-list", Area.STOCK, "read", "stack"),
            NavItem("Movements", "movement-list", Area.STOCK, "read", "arrow-left-right"),
            NavItem("Low stock", "stock-low", Area.STOCK, "read", "exclamation-triangle"),
            NavItem("Stores", "store-list", Area.STOCK, "read", "shop"),
        ),
    ),
    NavSection(
        "Sales",
        (
            NavItem("Customers", "customer-list", Area.CUSTOMERS, "read", "people"),
            NavItem("Orders", "order-list", Area.ORDERS, "read", "cart"),
            NavItem("Returns", "return-list", Area.ORDERS, "read", "arrow-return-left"),
            NavItem("Coupons", "coupon-list", Area.ORDERS, "read", "ticket-perforated"),
        ),
    ),
    NavSection(
        "Seller credit",
        (
            NavItem("Sellers", "seller-list", Area.CREDIT, "read", "person-badge"),
            NavItem("Credit requests", "creditrequest-list", Area.CREDIT, "read", "inbox"),
            NavItem("Transactions", "transaction-list", Area.CREDIT, "read", "receipt"),
        ),
    ),
    NavSection(
        "Accounting",
        (
            NavItem("Invoices", "invoice-list", Area.INVOICES, "read", "file-earmark-text"),
            NavItem(
                "Credit notes", "credit-note-list", Area.INVOICES, "read", "file-earmark-minus"
            ),
            NavItem("Dunning", "dunning-list", Area.INVOICES, "read", "bell"),
            NavItem("Recurring invoices", "recurring-list", Area.INVOICES, "read", "arrow-repeat"),
            NavItem("Payments", "payment-list", Area.INVOICES, "read", "cash-coin"),
            NavItem("Bank statements", "bank-statement-list", Area.INVOICES, "write", "bank"),
            NavItem("Accounts", "account-list", Area.LEDGER, "read", "diagram-3"),
            NavItem("Journal", "journalentry-list", Area.LEDGER, "read", "journal-text"),
            NavItem("Trial balance", "trial-balance", Area.LEDGER, "read", "clipboard-data"),
            NavItem("Books check", "books-check", Area.LEDGER, "read", "patch-check"),
        ),
    ),
    NavSection(
        "Finance",
        (
            NavItem("Currencies", "currency-list", Area.FINANCE, "read", "currency-exchange"),
            NavItem("Exchange rates", "exchangerate-list", Area.FINANCE, "read", "graph-up-arrow"),
            NavItem("Tax rates", "taxrate-list", Area.FINANCE, "read", "percent"),
        ),
    ),
    NavSection(
        "Administration",
        (
            NavItem("Users", "user-list", Area.ADMINISTRATION, "write", "person-gear"),
            NavItem(
                "Company settings", "company-settings", Area.ADMINISTRATION, "write", "building"
            ),
            NavItem("Audit log", "audit-list", Area.ADMINISTRATION, "write", "clock-history"),
            NavItem("Jobs", "job-list", Area.ADMINISTRATION, "write", "cpu"),
            NavItem("Trash", "trash", Area.ADMINISTRATION, "write", "trash3"),
        ),
    ),
    NavSection(
        "Portal",
        (
            NavItem("My portal", "portal-home", (Area.ORDERS, Area.CREDIT), "own", "house"),
            NavItem("Place an order", "portal-order-create", Area.ORDERS, "own", "cart-plus"),
            NavItem("My orders", "portal-orders", Area.ORDERS, "own", "bag"),
            NavItem("My invoices", "portal-invoices", Area.INVOICES, "own", "file-earmark-text"),
            NavItem("My statement", "portal-statement", Area.INVOICES, "own", "journal-text"),
            NavItem("My details", "portal-profile", Area.CUSTOMERS, "own", "person-vcard"),
            NavItem("Credit", "portal-credit", Area.CREDIT, "own", "wallet2"),
            NavItem("My transactions", "portal-transactions", Area.CREDIT, "own", "receipt"),
            NavItem("Top-up requests", "portal-requests", Area.CREDIT, "own", "inbox"),
        ),
    ),
)


def _resolve(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


# What the menu depends on besides the user's roles: the URLconf and the prefix reverse()
# writes (NAV itself is code). Every page of a role set shows the same menu, so the menu and
# its HTML (per current page, for the highlighted item) are worked out once per process.
def _key(user) -> tuple:
    return (frozenset(user_roles(user)), get_urlconf(), get_script_prefix())


_menus: dict[tuple, list[dict]] = {}
_html: dict[tuple, str] = {}


def cached_menu(user) -> list[dict]:
    """menu_for(user), computed once per role set (the permission matrix reads only roles)."""
    key = _key(user)
    menu = _menus.get(key)
    if menu is None:
        menu = _menus[key] = menu_for(user)
    return menu


def menu_html(user, url_name: str | None) -> str:
    """The sidebar (partials/_nav.html) for `user` on the page named `url_name`, rendered
    once per role set and page: the same bytes as rendering it on every request."""
    key = (*_key(user), url_name)
    html = _html.get(key)
    if html is None:
        context = {"nav_menu": cached_menu(user), "active_url_name": url_name}
        html = _html[key] = render_to_string("partials/_nav.html", context)
    return html


def menu_for(user) -> list[dict]:
    """[{label, items: [{label, url, icon}]}] of what `user` may open."""
    sections = []
    for section in NAV:
        items = []
        for item in section.items:
            url = _resolve(item.url_name)
            areas = item.area if isinstance(item.area, tuple) else (item.area,)
            if url and any(has_access(user, area, item.need) for area in areas):
                items.append(
                    {"label": item.label, "url": url, "icon": item.icon, "url_name": item.url_name}
                )
        if items:
            sections.append({"label": section.label, "items": items})
    return sections
