"""Demo customers: 30 companies and people, "Acme Retail" linked to customer@demo.test.

The benchmark customers (about N/20) are built in bulk by demo_scale.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from apps.finance.models import Currency

from .models import AddressKind, Customer, CustomerKind
from .services import customer_create

# name, kind, currency, country, city, phone, credit limit
CUSTOMERS = [
    (
        "Acme Retail",
        CustomerKind.COMPANY,
        "USD",
        "United States",
        "Springfield",
        "+12125550100",
        "20000",
    ),
    ("Bluebird Cafés", CustomerKind.COMPANY, "EUR", "France", "Lyon", "+33472000001", "8000"),
    (
        "Harbour Stores Ltd",
        CustomerKind.COMPANY,
        "GBP",
        "United Kingdom",
        "Bristol",
        "+441179000002",
        "15000",
    ),
    ("Sakura Trading KK", CustomerKind.COMPANY, "JPY", "Japan", "Osaka", "+81662000003", None),
    ("Nordlicht GmbH", CustomerKind.COMPANY, "EUR", "Germany", "Hamburg", "+49403000004", "12000"),
    (
        "Green Valley Grocers",
        CustomerKind.COMPANY,
        "USD",
        "United States",
        "Portland",
        "+15035550105",
        "5000",
    ),
    ("Maple Leaf Supplies", CustomerKind.COMPANY, "CAD", "Canada", "Toronto", "+14165550106", None),
    ("Olive & Co", CustomerKind.COMPANY, "EUR", "Italy", "Bologna", "+39051000007", "6000"),
    (
        "Kingfisher Offices",
        CustomerKind.COMPANY,
        "GBP",
        "United Kingdom",
        "Leeds",
        "+441132000008",
        "10000",
    ),
    (
        "Sunrise Hotels",
        CustomerKind.COMPANY,
        "USD",
        "United States",
        "Miami",
        "+13055550109",
        "25000",
    ),
    ("Alpine Huts AG", CustomerKind.COMPANY, "CHF", "Switzerland", "Bern", "+41313000010", None),
    ("Corner Deli", CustomerKind.COMPANY, "USD", "United States", "Boston", "+16175550111", "2000"),
    (
        "Tulip Markets BV",
        CustomerKind.COMPANY,
        "EUR",
        "Netherlands",
        "Utrecht",
        "+31302000012",
        "9000",
    ),
    (
        "Riverside School",
        CustomerKind.COMPANY,
        "GBP",
        "United Kingdom",
        "York",
        "+441904000013",
        "3000",
    ),
    (
        "Pacific Traders",
        CustomerKind.COMPANY,
        "USD",
        "United States",
        "Seattle",
        "+12065550114",
        None,
    ),
    ("Café Lisboa", CustomerKind.COMPANY, "EUR", "Portugal", "Lisbon", "+351213000015", "4000"),
    (
        "Northwind Office Park",
        CustomerKind.COMPANY,
        "USD",
        "United States",
        "Chicago",
        "+13125550116",
        "15000",
    ),
    ("Tokyo Stationers", CustomerKind.COMPANY, "JPY", "Japan", "Tokyo", "+81335000017", None),
    (
        "Highland Outfitters",
        CustomerKind.COMPANY,
        "GBP",
        "United Kingdom",
        "Inverness",
        "+441463000018",
        "7000",
    ),
    ("Baltic Home OÜ", CustomerKind.COMPANY, "EUR", "Estonia", "Tallinn", "+3726000019", "3000"),
    ("Maria Gonzalez", CustomerKind.INDIVIDUAL, "EUR", "Spain", "Valencia", "+34963000020", None),
    ("James O'Neill", CustomerKind.INDIVIDUAL, "GBP", "Ireland", "Cork", "+353214000021", None),
    (
        "Priya Sharma",
        CustomerKind.INDIVIDUAL,
        "USD",
        "United States",
        "Austin",
        "+15125550122",
        "1000",
    ),
    ("Lukas Novak", CustomerKind.INDIVIDUAL, "EUR", "Austria", "Graz", "+43316000023", None),
    ("Emma Johansson", CustomerKind.INDIVIDUAL, "EUR", "Finland", "Espoo", "+358940000024", None),
    ("Chen Wei", CustomerKind.INDIVIDUAL, "USD", "United States", "San Jose", "+14085550125", None),
    (
        "Fatima Haddad",
        CustomerKind.INDIVIDUAL,
        "GBP",
        "United Kingdom",
        "Cardiff",
        "+442920000026",
        None,
    ),
    (
        "Noah Williams",
        CustomerKind.INDIVIDUAL,
        "USD",
        "United States",
        "Denver",
        "+13035550127",
        "500",
    ),
    ("Sofia Rossi", CustomerKind.INDIVIDUAL, "EUR", "Italy", "Turin", "+39011000028", None),
    (
        "Oliver Brown",
        CustomerKind.INDIVIDUAL,
        "GBP",
        "United Kingdom",
        "Bath",
        "+441225000029",
        None,
    ),
]


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())[:20]


def seed(*, stdout) -> None:
    portal_user = get_user_model().objects.filter(email="customer@demo.test").first()
    existing = set(Customer.all_objects.values_list("name", flat=True))
    currencies = {c.code: c for c in Currency.objects.all()}
    made = 0
    for n, (name, kind, currency, country, city, phone, limit) in enumerate(CUSTOMERS, 1):
        if name in existing:
            continue
        slug = _slug(name)
        company = kind == CustomerKind.COMPANY
        contacts = [
            {
                "name": "Pat Buyer" if company else name,
                "email": f"orders@{slug}.example",
                "phone": phone,
                "role": "Purchasing" if company else "",
            }
        ]
        if company:
            contacts.append(
                {
                    "name": "Robin Ledger",
                    "email": f"accounts@{slug}.example",
                    "phone": "",
                    "role": "Accounts",
                }
            )
        street = f"{10 + n} Market Street"
        addresses = [
            {
                "kind": kind_,
                "line1": street,
                "line2": "",
                "postal_code": f"{1000 + n * 7}",
                "city": city,
                "region": "",
                "country": country,
                "is_default": True,
            }
            for kind_ in (AddressKind.BILLING, AddressKind.SHIPPING)
        ]
        if company and n % 4 == 0:
            addresses.append(
                {
                    "kind": AddressKind.SHIPPING,
                    "line1": f"Warehouse {n}, Ring Road",
                    "line2": "",
                    "postal_code": f"{2000 + n}",
                    "city": city,
                    "region": "",
                    "country": country,
                    "is_default": False,
                }
            )
        customer_create(
            kind=kind,
            name=name,
            email=f"hello@{slug}.example",
            phone=phone,
            tax_id=f"TX{100000 + n * 37}" if company else "",
            currency=currencies[currency],
            opening_balance=Decimal(n * 37 % 400),
            credit_limit=Decimal(limit) if limit else None,
            portal_user=portal_user if name == "Acme Retail" else None,
            contacts=contacts,
            addresses=addresses,
        )
        made += 1
    if made:
        stdout.write(f"  {made} customers")
