"""Opening stock from CSV: one RECEIPT per (store, product), only where nothing moved yet.

Each is valued at the product's cost price and posted against Opening Balance Equity
(not Stock Received Not Billed: no supplier bill will follow).

Refusing levels that already have movements makes a re-upload of the same file harmless
(counts after go-live are corrected with "Adjust stock", which records a reason).
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower, Upper

from apps.accounts.roles import Area
from apps.catalog.hooks import register_importer
from apps.catalog.imports import Importer, RowResult
from apps.catalog.models import Product
from apps.core.numbers import whole_number

from .models import MAX_QUANTITY, StockMovement, Store
from .services import stock_receive


@register_importer("opening_stock")
class OpeningStockImporter(Importer):
    kind = "opening_stock"
    title = "Import opening stock"
    area = Area.STOCK
    required = ("store", "sku", "quantity")
    optional = ()
    example = ("MAIN", "TEA-001", "120")

    def check(self, rows, *, start_line=2):
        codes = {r.get("store", "").upper() for r in rows}
        stores = {
            s.code.upper(): s
            for s in Store.all_objects.annotate(c=Upper("code")).filter(c__in=codes)
        }
        keys = {r.get("sku", "").lower() for r in rows}
        products = {}
        for product in Product.all_objects.annotate(s=Lower("sku")).filter(
            Q(s__in=keys) | Q(barcode__in={r.get("sku", "") for r in rows})
        ):
            products.setdefault(product.sku.lower(), product)
            if product.barcode:
                products.setdefault(product.barcode.lower(), product)
        moved = set(
            StockMovement.objects.filter(
                store__in=[s.pk for s in stores.values()],
                product__in=[p.pk for p in products.values()],
            )
            .order_by()
            .values_list("store_id", "product_id")
            .distinct()
        )
        seen: dict[tuple[int, int], int] = {}
        results = []
        for row in rows:
            line = int(row["_line"])
            errors: list[str] = []
            code, sku, text = row.get("store", ""), row.get("sku", ""), row.get("quantity", "")
            result = RowResult(line=line, action="receive", label=f"{code} {sku} {text}".strip())
            store = stores.get(code.upper())
            if store is None:
                errors.append(f"No store with code {code!r}.")
            elif store.is_deleted or not store.active:
                errors.append(f"Store {store.code} is inactive and takes no stock.")
            product = products.get(sku.lower())
            if product is None:
                errors.append(f"No product with SKU or barcode {sku!r}.")
            elif product.is_deleted:
                errors.append(f"{product.sku} is in the trash.")
            quantity = whole_number(text, most=MAX_QUANTITY)
            if quantity is None or quantity < 1:
                errors.append(f"Quantity {text!r} is not a whole number 1-{MAX_QUANTITY:,}.")
            if store is not None and product is not None:
                key = (store.pk, product.pk)
                if key in moved:
                    errors.append(
                        f"{product.sku} already has stock history in {store.code}; "
                        "use Adjust stock instead."
                    )
                elif key in seen:
                    errors.append(f"{product.sku} in {store.code} is also on line {seen[key]}.")
                seen.setdefault(key, line)
            result.errors = errors
            result.data = {
                "store": store,
                "product": product,
                "quantity": quantity or 0,
            }
            results.append(result)
        return results

    def apply(self, results, *, user, batch):
        reference = batch.reference or f"OPENING-{batch.pk}"
        units = 0
        for result in results:
            stock_receive(
                store=result.data["store"],
                product=result.data["product"],
                quantity=result.data["quantity"],
                opening=True,
                reference=reference,
                notes=f"Opening stock (import #{batch.pk})",
                user=user,
            )
            units += result.data["quantity"]
        return {"received": len(results), "units": units}
