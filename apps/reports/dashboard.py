"""Dashboard cards. Each area contributes a card; a card shows when the role may read the
area. Later issues replace the placeholder bodies with live figures (selectors)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from apps.accounts.roles import Area
from apps.catalog.selectors import dashboard_figures as catalog_figures
from apps.core.permissions import has_access
from apps.credit.selectors import dashboard_figures as credit_figures
from apps.customers.selectors import dashboard_figures as customer_figures
from apps.inventory.selectors import dashboard_figures as stock_figures
from apps.invoicing.selectors import dashboard_figures as invoice_figures
from apps.ledger.selectors import dashboard_figures as ledger_figures
from apps.sales.selectors import dashboard_figures as sales_figures


@dataclass
class Card:
    title: str
    area: str
    need: str
    url_name: str
    icon: str
    text: str
    figures: list[tuple[str, str]] = field(default_factory=list)
    url: str | None = None


def _cards() -> list[Card]:
    return [
        Card(
            "Catalog",
            Area.CATALOG,
            "read",
            "product-list",
            "box-seam",
            "Products, prices and price history.",
            figures=SimpleLazyObject(catalog_figures),  # queried only when shown
        ),
        Card(
            "Stock",
            Area.STOCK,
            "read",
            "stock-list",
            "stack",
            "Stock by store, movements and low-stock alerts.",
            figures=SimpleLazyObject(stock_figures),
        ),
        Card(
            "Sales",
            Area.ORDERS,
            "read",
            "order-list",
            "cart",
            "Orders, returns and coupons.",
            figures=SimpleLazyObject(sales_figures),
        ),
        Card(
            "Customers",
            Area.CUSTOMERS,
            "read",
            "customer-list",
            "people",
            "Customers, contacts and balances.",
            figures=SimpleLazyObject(customer_figures),
        ),
        Card(
            "Seller credit",
            Area.CREDIT,
            "read",
            "seller-list",
            "wallet2",
            "Sellers, top-ups and charges.",
            figures=SimpleLazyObject(credit_figures),
        ),
        Card(
            "Invoices",
            Area.INVOICES,
            "read",
            "invoice-list",
            "file-earmark-text",
            "Invoices, credit notes and the receivable.",
            figures=SimpleLazyObject(invoice_figures),
        ),
        Card(
            "Books",
            Area.LEDGER,
            "read",
            "books-check",
            "journal-check",
            "Double-entry ledger and verification.",
            figures=SimpleLazyObject(ledger_figures),
        ),
        Card(
            "Finance",
            Area.FINANCE,
            "read",
            "currency-list",
            "currency-exchange",
            "Currencies, exchange rates and tax rates.",
        ),
        Card(
            "Administration",
            Area.ADMINISTRATION,
            "write",
            "user-list",
            "person-gear",
            "Users, company settings, audit log and jobs.",
        ),
    ]


def cards_for(user) -> list[Card]:
    cards = []
    for card in _cards():
        if not has_access(user, card.area, card.need):
            continue
        try:
            card.url = reverse(card.url_name)
        except NoReverseMatch:
            card.url = None
        cards.append(card)
    return cards
