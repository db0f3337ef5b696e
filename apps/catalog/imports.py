"""CSV imports: upload -> preview with per-row errors -> apply all-or-nothing in the worker.

The file is kept in an ImportBatch row (any web process or worker can apply it). Applying
re-checks every row against the database as it is then, inside one transaction: one bad
row and nothing is written. Importers register by kind in `hooks.importers`; the product
importer lives here, the opening-stock importer in inventory.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from apps.accounts.roles import Area
from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.core.numbers import whole_number
from apps.finance import money
from apps.finance.models import Currency, TaxRate

from . import hooks
from .models import MAX_PRICE, MAX_THRESHOLD, Category, ImportBatch, ImportStatus, Product
from .services import normalise_sku, product_create, product_update

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
TRUE = {"1", "yes", "y", "true", "t", "on", "active"}
FALSE = {"0", "no", "n", "false", "f", "off", "inactive"}


@dataclass
class RowResult:
    line: int  # line in the file, header = 1
    action: str = ""  # what applying does: "create", "update", "receive"
    label: str = ""
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "action": self.action,
            "label": self.label,
            "errors": self.errors,
        }


class Importer:
    """One kind of CSV. Subclasses say their columns, check rows, and apply checked rows."""

    kind = ""
    title = ""
    area = ""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    example: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def check(self, rows: list[dict[str, str]], *, start_line: int = 2) -> list[RowResult]:
        raise NotImplementedError

    def apply(self, results: list[RowResult], *, user, batch: ImportBatch) -> dict:
        raise NotImplementedError


def importer_for(kind: str) -> Importer:
    try:
        return hooks.importers[kind]()
    except KeyError:
        raise ValidationError(f"Unknown import kind {kind!r}.") from None


def parse_csv(content: str, importer: Importer) -> list[dict[str, str]]:
    """Rows as {column: text}; a clear error for a missing column or too many rows."""
    reader = csv.DictReader(io.StringIO(content))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if not headers:
        raise ValidationError({"file": "The file is empty."})
    missing = [c for c in importer.required if c not in headers]
    if missing:
        raise ValidationError(
            {"file": f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}."}
        )
    reader.fieldnames = headers
    rows = []
    for raw in reader:
        if len(rows) >= MAX_ROWS:
            raise ValidationError({"file": f"At most {MAX_ROWS:,} rows per file; split it."})
        row = {k: (v or "").strip() for k, v in raw.items() if k in importer.columns}
        if any(row.values()):
            row["_line"] = str(reader.line_num)
            rows.append(row)
    if not rows:
        raise ValidationError({"file": "The file has a header but no rows."})
    return rows


def decode_upload(upload) -> str:
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_BYTES // 1024 // 1024} MB."})
    raw = upload.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "Save the file as CSV with UTF-8 encoding."}) from None


def _check(importer: Importer, content: str) -> list[RowResult]:
    rows = parse_csv(content, importer)
    return importer.check(rows)


@transaction.atomic
def import_preview(*, kind: str, upload, user=None, reference: str = "") -> ImportBatch:
    """Check an uploaded CSV and store it with its row-by-row preview (nothing applied)."""
    importer = importer_for(kind)
    content = decode_upload(upload)
    results = _check(importer, content)
    invalid = [r for r in results if r.errors]
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=(getattr(upload, "name", "") or "upload.csv")[:200],
        content=content,
        status=ImportStatus.INVALID if invalid else ImportStatus.PREVIEWED,
        row_count=len(results),
        preview=[r.as_json() for r in results],
        errors=[r.as_json() for r in invalid],
        reference=(reference or "").strip()[:100],
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return batch


@transaction.atomic
def import_start(*, batch: ImportBatch, user=None) -> bool:
    """Claim a previewed batch for applying and queue the worker job once the claim
    commits; False when it is not (or no longer) ready.

    A conditional UPDATE, so a double click or two tabs start it once.
    """
    claimed = bool(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.RUNNING
        )
    )
    if claimed:
        from django_q.tasks import async_task

        user_id = getattr(user, "pk", None)
        transaction.on_commit(
            lambda: async_task(
                "apps.catalog.tasks.import_apply_task", batch.pk, user_id, group="imports"
            )
        )
    return claimed


class _Invalid(Exception):
    def __init__(self, results):
        self.results = results


def import_apply(*, batch: ImportBatch, user=None) -> ImportBatch:
    """Apply a claimed batch: re-check every row, then write all of it or nothing."""
    batch.refresh_from_db()
    if batch.status != ImportStatus.RUNNING:
        raise ValidationError("This import is not waiting to be applied.")
    importer = importer_for(batch.kind)
    try:
        with transaction.atomic():
            results = _check(importer, batch.content)
            if any(r.errors for r in results):
                raise _Invalid(results)
            summary = importer.apply(results, user=user, batch=batch)
            audit_record(subject=batch, event=f"import.{batch.kind}", changes=summary, actor=user)
    except _Invalid as exc:
        batch.status = ImportStatus.FAILED
        batch.errors = [r.as_json() for r in exc.results if r.errors]
        batch.summary = {"message": "The data changed since the preview; nothing was applied."}
    except ValidationError as exc:
        batch.status = ImportStatus.FAILED
        batch.summary = {"message": " ".join(exc.messages) + " Nothing was applied."}
    except Exception:
        batch.status = ImportStatus.FAILED
        batch.summary = {"message": "The import crashed; nothing was applied."}
        batch.save(update_fields=["status", "summary"])
        raise
    else:
        batch.status = ImportStatus.APPLIED
        batch.summary = summary
        batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "errors", "summary", "applied_at"])
    return batch


# --- products --------------------------------------------------------------------------


def _decimal(text: str, label: str, errors: list[str]) -> Decimal | None:
    try:
        value = money.to_decimal(text.replace(",", "")) if text else None
    except money.MoneyError:
        errors.append(f"{label}: {text!r} is not a number.")
        return None
    if value is None:
        errors.append(f"{label} is required.")
    elif value < 0:
        errors.append(f"{label} cannot be negative.")
    elif value >= MAX_PRICE:
        errors.append(f"{label} is too large.")
    else:
        return value
    return None


@hooks.register_importer("products")
class ProductImporter(Importer):
    """Create products, or update the ones whose SKU exists (price changes are recorded)."""

    kind = "products"
    title = "Import products"
    area = Area.CATALOG
    required = ("sku", "name", "cost_price", "selling_price")
    optional = (
        "category",
        "barcode",
        "currency",
        "tax_rate",
        "low_stock_threshold",
        "active",
        "description",
    )
    example = (
        "TEA-001",
        "Green tea 100g",
        "2.10",
        "4.50",
        "Tea",
        "5012345678900",
        "USD",
        "Standard 20%",
        "10",
        "yes",
        "Loose leaf",
    )

    def check(self, rows, *, start_line=2):
        skus = {normalise_sku(r.get("sku", "")).lower() for r in rows}
        existing = {
            p.sku.lower(): p
            for p in Product.all_objects.annotate(lsku=Lower("sku")).filter(lsku__in=skus)
        }
        barcodes = {r.get("barcode") for r in rows if r.get("barcode")}
        barcode_owner = dict(
            Product.all_objects.filter(barcode__in=barcodes).values_list("barcode", "sku")
        )
        currencies = {c.code: c for c in Currency.objects.filter(active=True)}
        base = CompanySettings.load().base_currency
        taxes = list(TaxRate.objects.filter(active=True))
        trashed_categories = {
            name.lower() for name in Category.all_objects.deleted().values_list("name", flat=True)
        }
        seen_skus: dict[str, int] = {}
        seen_barcodes: dict[str, int] = {}
        results = []
        for row in rows:
            line = int(row["_line"])
            errors: list[str] = []
            sku = normalise_sku(row.get("sku", ""))
            result = RowResult(line=line, label=f"{sku} {row.get('name', '')}".strip())
            if not sku:
                errors.append("SKU is required.")
            elif len(sku) > 64:
                errors.append("SKU is longer than 64 characters.")
            elif sku.lower() in seen_skus:
                errors.append(f"SKU {sku} is also on line {seen_skus[sku.lower()]}.")
            seen_skus.setdefault(sku.lower(), line)
            product = existing.get(sku.lower())
            if product is not None and product.is_deleted:
                errors.append(f"SKU {sku} belongs to a product in the trash; restore it first.")
            data: dict[str, Any] = {"sku": sku}
            name = row.get("name", "")
            if not name:
                errors.append("Name is required.")
            elif len(name) > 200:
                errors.append("Name is longer than 200 characters.")
            data["name"] = name
            code = (row.get("currency") or "").upper()
            currency = currencies.get(code or (product.currency_id if product else base))
            if currency is None:
                errors.append(f"Currency {code!r} is unknown or inactive.")
            for column, label in (("cost_price", "Cost price"), ("selling_price", "Selling price")):
                value = _decimal(row.get(column, ""), label, errors)
                if (
                    value is not None
                    and currency
                    and money.has_more_places(value, currency.minor_units)
                ):
                    errors.append(f"{label} {value} has more decimals than {currency.code} allows.")
                data[column] = value
            data["currency"] = currency
            if "category" in row:
                if row["category"].lower() in trashed_categories:
                    errors.append(f"Category {row['category']} is in the trash; restore it first.")
                data["category_name"] = row["category"][:100]
            if "barcode" in row:
                barcode = row["barcode"]
                owner = barcode_owner.get(barcode)
                if barcode and owner and owner.lower() != sku.lower():
                    errors.append(f"Barcode {barcode} belongs to {owner}.")
                elif barcode and barcode in seen_barcodes:
                    errors.append(f"Barcode {barcode} is also on line {seen_barcodes[barcode]}.")
                seen_barcodes.setdefault(barcode, line)
                data["barcode"] = barcode[:64]
            if row.get("tax_rate"):
                tax = self._tax(row["tax_rate"], taxes)
                if tax is None:
                    errors.append(f"Tax rate {row['tax_rate']!r} matches no active tax rate.")
                data["tax_rate"] = tax
            elif "tax_rate" in row:
                data["tax_rate"] = None
            if "low_stock_threshold" in row:
                text = row["low_stock_threshold"]
                threshold = whole_number(text, most=MAX_THRESHOLD)
                if text and threshold is None:
                    errors.append(
                        f"Low-stock threshold {text!r} is not a whole number 0-1,000,000."
                    )
                data["low_stock_threshold"] = threshold
            if row.get("active"):
                flag = row["active"].lower()
                if flag not in TRUE | FALSE:
                    errors.append(f"Active must be yes or no, not {row['active']!r}.")
                data["active"] = flag in TRUE
            if "description" in row:
                data["description"] = row["description"]
            result.errors = errors
            result.data = data
            result.action = "update" if product is not None else "create"
            result.data["product"] = product
            results.append(result)
        return results

    @staticmethod
    def _tax(text: str, taxes: list[TaxRate]) -> TaxRate | None:
        by_name = [t for t in taxes if t.name.lower() == text.lower()]
        if by_name:
            return by_name[0]
        try:
            rate = Decimal(text.rstrip("% "))
        except ArithmeticError:
            return None
        by_rate = [t for t in taxes if t.rate == rate]
        return by_rate[0] if len(by_rate) == 1 else None

    def apply(self, results, *, user, batch):
        categories = {c.name.lower(): c for c in Category.all_objects.all()}
        created = updated = new_categories = 0
        for result in results:
            data = dict(result.data)
            product = data.pop("product")
            name = data.pop("category_name", None)
            if name is not None:
                category = categories.get(name.lower()) if name else None
                if name and category is None:
                    category = Category.objects.create(name=name)
                    categories[name.lower()] = category
                    new_categories += 1
                data["category"] = category
            if product is None:
                product_create(user=user, **data)
                created += 1
            else:
                data.pop("sku")  # the key that matched; the stored spelling stays
                product_update(product=product, user=user, **data)
                updated += 1
        return {"created": created, "updated": updated, "new_categories": new_categories}
