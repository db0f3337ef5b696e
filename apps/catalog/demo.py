"""Demo catalog: 6 categories, 50 products with a few months of price history.

The benchmark products (SKU SC-000001...) are built in bulk by demo_scale.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.finance.models import TaxRate

from .models import Category, Product, ProductPriceRecord

CATEGORIES = {
    "Beverages": "Coffee, tea, juices and water.",
    "Snacks": "Biscuits, crisps, nuts and chocolate.",
    "Household": "Cleaning and kitchen supplies.",
    "Stationery": "Paper, pens and office supplies.",
    "Electronics": "Cables, batteries and small devices.",
    "Personal care": "Soap, shampoo and toiletries.",
}

# (category, name, cost, price, tax name); SKUs are derived from the category.
PRODUCTS = [
    ("Beverages", "Arabica coffee beans 1kg", "11.40", "18.90", "Reduced 5%"),
    ("Beverages", "Ground coffee 500g", "5.10", "8.50", "Reduced 5%"),
    ("Beverages", "Green tea 100g", "2.10", "4.50", "Reduced 5%"),
    ("Beverages", "Earl Grey tea 50 bags", "1.90", "3.90", "Reduced 5%"),
    ("Beverages", "Orange juice 1l", "0.95", "1.99", "Reduced 5%"),
    ("Beverages", "Sparkling water 6x1.5l", "2.20", "3.80", "Reduced 5%"),
    ("Beverages", "Cocoa powder 250g", "2.60", "4.95", "Reduced 5%"),
    ("Beverages", "Oat milk 1l", "1.05", "2.15", "Reduced 5%"),
    ("Snacks", "Salted almonds 200g", "2.40", "4.20", "Reduced 5%"),
    ("Snacks", "Dark chocolate 85% 100g", "1.30", "2.79", "Reduced 5%"),
    ("Snacks", "Butter biscuits 300g", "1.10", "2.25", "Reduced 5%"),
    ("Snacks", "Sea salt crisps 150g", "0.80", "1.85", "Standard 20%"),
    ("Snacks", "Granola bars 6-pack", "1.70", "3.40", "Reduced 5%"),
    ("Snacks", "Dried mango 150g", "2.05", "3.99", "Reduced 5%"),
    ("Snacks", "Popcorn sweet & salty 90g", "0.70", "1.60", "Standard 20%"),
    ("Snacks", "Mixed nuts 400g", "4.30", "7.50", "Reduced 5%"),
    ("Household", "Dish soap 750ml", "1.15", "2.49", "Standard 20%"),
    ("Household", "Laundry liquid 2l", "4.80", "8.99", "Standard 20%"),
    ("Household", "Kitchen roll 4-pack", "2.10", "3.75", "Standard 20%"),
    ("Household", "Bin bags 50l x20", "1.60", "2.99", "Standard 20%"),
    ("Household", "Microfibre cloths 5-pack", "2.30", "4.49", "Standard 20%"),
    ("Household", "Glass cleaner 500ml", "1.20", "2.59", "Standard 20%"),
    ("Household", "Sponges 10-pack", "1.00", "1.99", "Standard 20%"),
    ("Household", "Aluminium foil 30m", "1.85", "3.29", "Standard 20%"),
    ("Stationery", "A4 copy paper 500 sheets", "3.20", "5.49", "Standard 20%"),
    ("Stationery", "Ballpoint pens blue 10-pack", "1.40", "2.99", "Standard 20%"),
    ("Stationery", "Spiral notebook A5", "0.90", "2.20", "Zero rated"),
    ("Stationery", "Sticky notes 76x76 12-pack", "3.10", "5.95", "Standard 20%"),
    ("Stationery", "Highlighters 4 colours", "1.60", "3.49", "Standard 20%"),
    ("Stationery", "Stapler with 1000 staples", "3.90", "7.99", "Standard 20%"),
    ("Stationery", "Lever arch file", "1.35", "2.89", "Standard 20%"),
    ("Stationery", "Envelopes C5 50-pack", "2.15", "4.25", "Standard 20%"),
    ("Electronics", "USB-C cable 1m", "1.80", "6.99", "Standard 20%"),
    ("Electronics", "AA batteries 8-pack", "2.40", "5.49", "Standard 20%"),
    ("Electronics", "AAA batteries 8-pack", "2.30", "5.29", "Standard 20%"),
    ("Electronics", "Wireless mouse", "6.50", "14.99", "Standard 20%"),
    ("Electronics", "USB wall charger 20W", "5.20", "12.99", "Standard 20%"),
    ("Electronics", "HDMI cable 2m", "2.10", "7.49", "Standard 20%"),
    ("Electronics", "LED bulb E27 9W", "1.15", "3.49", "Standard 20%"),
    ("Electronics", "Power strip 4 sockets", "5.90", "11.99", "Standard 20%"),
    ("Electronics", "Bluetooth speaker mini", "14.00", "29.90", "Standard 20%"),
    ("Personal care", "Hand soap 300ml", "0.95", "2.19", "Standard 20%"),
    ("Personal care", "Shampoo 400ml", "1.90", "3.99", "Standard 20%"),
    ("Personal care", "Toothpaste 75ml", "0.85", "1.89", "Standard 20%"),
    ("Personal care", "Toothbrush soft 2-pack", "1.10", "2.49", "Standard 20%"),
    ("Personal care", "Shower gel 250ml", "1.20", "2.69", "Standard 20%"),
    ("Personal care", "Hand cream 75ml", "1.60", "3.59", "Standard 20%"),
    ("Personal care", "Cotton pads 100", "0.60", "1.39", "Standard 20%"),
    ("Personal care", "Deodorant roll-on", "1.30", "2.95", "Standard 20%"),
    ("Personal care", "Lip balm", "0.70", "1.79", "Standard 20%"),
]
EUR_SKUS = {"BEV-001", "SNA-002"}  # imported goods priced in euros
PRICE_CHANGES = {  # sku -> [(days ago, new price, new cost)]
    "BEV-001": [(90, "19.50", "11.90"), (40, "21.00", "12.60"), (10, "20.40", "12.20")],
    "BEV-003": [(60, "4.75", "2.20")],
    "SNA-002": [(75, "2.99", "1.40"), (20, "3.19", "1.55")],
    "HOU-002": [(50, "9.49", "5.10")],
    "STA-001": [(100, "5.29", "3.10"), (30, "5.79", "3.45")],
    "ELE-004": [(45, "13.99", "6.20")],
    "PER-002": [(15, "4.29", "2.05")],
}
LOW_THRESHOLDS = {"ELE-009": 3, "BEV-001": 15, "STA-001": 25}


def demo_sku(category: str, index: int) -> str:
    return f"{category[:3].upper()}-{index:03d}"


def _barcode(n: int) -> str:
    body = f"50{n:010d}"
    checksum = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(checksum)


def seed(*, stdout) -> None:
    categories = {}
    for name, description in CATEGORIES.items():
        category = Category.all_objects.filter(name__iexact=name).first()
        if category is None:
            category = Category.objects.create(name=name, description=description)
        categories[name] = category
    taxes = {t.name: t for t in TaxRate.objects.all()}
    existing = set(Product.all_objects.values_list("sku", flat=True))
    now = timezone.now()
    counters: dict[str, int] = {}
    created = []
    for n, (category, name, cost, price, tax) in enumerate(PRODUCTS, start=1):
        counters[category] = counters.get(category, 0) + 1
        sku = demo_sku(category, counters[category])
        if sku in existing:
            continue
        history = PRICE_CHANGES.get(sku, [])
        last_price, last_cost = (history[-1][1], history[-1][2]) if history else (price, cost)
        product = Product.objects.create(
            sku=sku,
            name=name,
            category=categories[category],
            barcode=_barcode(n),
            cost_price=Decimal(last_cost),
            selling_price=Decimal(last_price),
            currency_id="EUR" if sku in EUR_SKUS else "USD",
            tax_rate=taxes.get(tax),
            low_stock_threshold=LOW_THRESHOLDS.get(sku),
            description=f"{name}. Demo product.",
        )
        records = [(120, price, cost)] + history
        old = None
        rows = []
        for days_ago, new_price, new_cost in records:
            rows.append(
                ProductPriceRecord(
                    product=product,
                    changed_at=now - dt.timedelta(days=days_ago),
                    currency_id=product.currency_id,
                    old_price=Decimal(old[0]) if old else None,
                    new_price=Decimal(new_price),
                    old_cost=Decimal(old[1]) if old else None,
                    new_cost=Decimal(new_cost),
                    old_currency=product.currency_id if old else "",
                )
            )
            old = (new_price, new_cost)
        ProductPriceRecord.objects.bulk_create(rows)
        created.append(product)
    if created:
        stdout.write(f"  {len(created)} products in {len(categories)} categories")


SCALE_PREFIX = "SC-"
