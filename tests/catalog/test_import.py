"""CSV import: preview with per-row errors, then all-or-nothing apply (products, opening stock)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.catalog.imports import import_apply, import_preview, import_start
from apps.catalog.models import Category, ImportBatch, ImportStatus, Product
from apps.finance.models import TaxRate
from apps.inventory.models import StockLevel, StockMovement, Store
from apps.inventory.services import stock_receive
from tests.inventory.factories import StoreFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS_CSV = """sku,name,category,barcode,cost_price,selling_price,currency,tax_rate,low_stock_threshold,active
TEA-1,Green tea,Tea,5012,2.10,4.50,,Reduced 5%,4,yes
MUG-1,Mug,Kitchen,,3.00,7.99,EUR,20,,no
OLD-1,Old name,Tea,,1.00,2.00,USD,,,
"""


def upload(text: str, name: str = "products.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def taxes(db):
    return [
        TaxRate.objects.create(name="Reduced 5%", rate=Decimal("5")),
        TaxRate.objects.create(name="Standard 20%", rate=Decimal("20")),
    ]


def test_preview_then_apply_creates_and_updates(
    client_for, taxes, django_capture_on_commit_callbacks
):
    admin = client_for("Admin")
    old = ProductFactory(sku="old-1", name="Old", selling_price=Decimal("3.00"), category=None)
    CategoryFactory(name="tea")
    response = admin.post(reverse("product-import"), {"file": upload(PRODUCTS_CSV)})
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("product-import-detail", args=[batch.pk])
    assert (batch.status, batch.row_count, batch.errors) == (ImportStatus.PREVIEWED, 3, [])
    assert [(r["line"], r["action"]) for r in batch.preview] == [
        (2, "create"),
        (3, "create"),
        (4, "update"),
    ]
    assert Product.objects.count() == 1  # nothing written by the preview
    page = admin.get(response["Location"])
    assert "All 3 rows are valid" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs it inline in tests
        assert admin.post(response["Location"]).status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.summary == {"created": 2, "updated": 1, "new_categories": 1}
    tea = Product.objects.get(sku="TEA-1")
    assert (tea.category.name, tea.barcode, tea.tax_rate, tea.low_stock_threshold) == (
        "tea",
        "5012",
        taxes[0],
        4,
    )
    assert (tea.currency_id, tea.selling_price, tea.active) == ("USD", Decimal("4.50"), True)
    mug = Product.objects.get(sku="MUG-1")
    assert (mug.currency_id, mug.tax_rate, mug.active, mug.category.name) == (
        "EUR",
        taxes[1],
        False,
        "Kitchen",
    )
    old.refresh_from_db()
    assert (old.sku, old.name, old.selling_price) == ("old-1", "Old name", Decimal("2.00"))
    assert list(old.price_records.values_list("old_price", "new_price").order_by("id"))[-1] == (
        Decimal("3.00"),
        Decimal("2.00"),
    )
    assert sorted(Category.objects.values_list("name", flat=True)) == ["Kitchen", "tea"]
    assert old.category.name == "tea"
    assert "Applied" in admin.get(response["Location"]).content.decode()
    assert admin.post(response["Location"], follow=True).redirect_chain  # second apply refused
    assert Product.objects.count() == 3


def test_bad_rows_are_listed_with_their_line_and_nothing_is_written(taxes):
    ProductFactory(sku="TAKEN", barcode="999")
    text = """sku,name,cost_price,selling_price,currency,barcode,tax_rate,low_stock_threshold,active
A-1,Fine,1,2,USD,,,,
,No sku,1,2,USD,,,,
A-1,Duplicate,1,2,USD,,,,
B-1,,abc,-2,ZZZ,999,Luxury,-3,maybe
C-1,Yen,1,2.5,JPY,,,,
D-1,Squared,1,2,USD,,,²,
"""
    batch = import_preview(kind="products", upload=upload(text))
    assert batch.status == ImportStatus.INVALID
    assert {e["line"]: e["errors"] for e in batch.errors} == {
        3: ["SKU is required."],
        4: ["SKU A-1 is also on line 2."],
        5: [
            "Name is required.",
            "Currency 'ZZZ' is unknown or inactive.",
            "Cost price: 'abc' is not a number.",
            "Selling price cannot be negative.",
            "Barcode 999 belongs to TAKEN.",
            "Tax rate 'Luxury' matches no active tax rate.",
            "Low-stock threshold '-3' is not a whole number 0-1,000,000.",
            "Active must be yes or no, not 'maybe'.",
        ],
        6: ["Selling price 2.5 has more decimals than JPY allows."],
        7: ["Low-stock threshold '²' is not a whole number 0-1,000,000."],  # was a 500
    }
    assert not import_start(batch=batch)
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("", "The submitted file is empty."),
        ("\n", "The file is empty."),
        ("sku,name\nA,B\n", "Missing columns: cost_price, selling_price."),
        ("sku,name,cost_price,selling_price\n", "The file has a header but no rows."),
    ],
)
def test_unusable_files_are_form_errors(client_for, content, error):
    response = client_for("Admin").post(reverse("product-import"), {"file": upload(content)})
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [error]}
    assert not ImportBatch.objects.exists()


def test_non_utf8_and_non_csv_uploads_are_refused(client_for):
    admin = client_for("Admin")
    latin = SimpleUploadedFile(
        "p.csv", "sku,name,cost_price,selling_price\nÄ,B,1,2\n".encode("latin-1")
    )
    response = admin.post(reverse("product-import"), {"file": latin})
    assert response.context["form"].errors == {
        "file": ["Save the file as CSV with UTF-8 encoding."]
    }
    response = admin.post(reverse("product-import"), {"file": upload("x", name="p.xlsx")})
    assert response.context["form"].errors == {"file": ["Upload a .csv file."]}


def test_apply_rechecks_and_writes_nothing_when_the_data_changed(taxes):
    batch = import_preview(kind="products", upload=upload(PRODUCTS_CSV))
    assert batch.status == ImportStatus.PREVIEWED
    ProductFactory(sku="X-9", barcode="5012")  # someone took the barcode meanwhile
    assert import_start(batch=batch)
    batch = import_apply(batch=batch)
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [
        {
            "line": 2,
            "action": "create",
            "label": "TEA-1 Green tea",
            "errors": ["Barcode 5012 belongs to X-9."],
        }
    ]
    assert batch.summary == {"message": "The data changed since the preview; nothing was applied."}
    assert Product.objects.count() == 1
    assert not Category.objects.filter(name="Kitchen").exists()


def test_template_download_and_permissions(client_for):
    admin = client_for("Admin")
    response = admin.get(reverse("product-import"), {"_template": "csv"})
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert (
        header
        == "sku,name,cost_price,selling_price,category,barcode,currency,tax_rate,low_stock_threshold,active,description"
    )
    warehouse = client_for("Warehouse")
    assert warehouse.get(reverse("product-import")).status_code == 403
    assert warehouse.get(reverse("stock-import")).status_code == 200
    assert client_for("Viewer").get(reverse("stock-import")).status_code == 403


def test_opening_stock_import(client_for, django_capture_on_commit_callbacks):
    warehouse = client_for("Warehouse")
    main = StoreFactory(name="Main", code="MAIN")
    StoreFactory(name="Shop", code="SHOP")
    tea = ProductFactory(sku="TEA-1", barcode="5012")
    mug = ProductFactory(sku="MUG-1")
    text = "store,sku,quantity\nmain,tea-1,40\nSHOP,5012,5\nMAIN,MUG-1,12\n"
    response = warehouse.post(
        reverse("stock-import"), {"file": upload(text), "reference": "GO-LIVE"}
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.PREVIEWED, batch.errors
    with django_capture_on_commit_callbacks(execute=True):
        warehouse.post(response["Location"])
    batch.refresh_from_db()
    assert (batch.status, batch.summary) == (ImportStatus.APPLIED, {"received": 3, "units": 57})
    page = warehouse.get(response["Location"]).content.decode()  # issue 13 item 8
    assert "Applied " in page and "being applied" not in page and "Applying" not in page
    levels = dict(StockLevel.objects.filter(product=tea).values_list("store__code", "quantity"))
    assert levels == {"MAIN": 40, "SHOP": 5}
    assert StockLevel.objects.get(store=main, product=mug).quantity == 12
    assert set(StockMovement.objects.values_list("movement_type", "reference")) == {
        ("receipt", "GO-LIVE")
    }
    assert StockMovement.objects.filter(user__email="warehouse@example.test").count() == 3
    # the same file again: every level already has history
    again = import_preview(kind="opening_stock", upload=upload(text))
    assert again.status == ImportStatus.INVALID
    assert again.errors[0]["errors"] == [
        "TEA-1 already has stock history in MAIN; use Adjust stock instead."
    ]


def test_opening_stock_row_errors():
    StoreFactory(code="MAIN")
    Store.objects.create(name="Closed", code="OLD", active=False)
    for sku in ("TEA-1", "CUP-1", "SPOON-1", "FORK-1"):
        ProductFactory(sku=sku)
    stock_receive(
        store=Store.objects.get(code="MAIN"), product=ProductFactory(sku="USED"), quantity=1
    )
    text = (
        "store,sku,quantity\nNOPE,TEA-1,1\nOLD,TEA-1,1\nMAIN,GHOST,1\nMAIN,TEA-1,0\n"
        "MAIN,CUP-1,2.5\nMAIN,USED,3\nMAIN,SPOON-1,1\nmain,spoon-1,2\nMAIN,FORK-1,²\n"
    )
    batch = import_preview(kind="opening_stock", upload=upload(text))
    assert {e["line"]: e["errors"] for e in batch.errors} == {
        2: ["No store with code 'NOPE'."],
        3: ["Store OLD is inactive and takes no stock."],
        4: ["No product with SKU or barcode 'GHOST'."],
        5: ["Quantity '0' is not a whole number 1-1,000,000."],
        6: ["Quantity '2.5' is not a whole number 1-1,000,000."],
        7: ["USED already has stock history in MAIN; use Adjust stock instead."],
        9: ["SPOON-1 in MAIN is also on line 8."],
        10: ["Quantity '²' is not a whole number 1-1,000,000."],  # was a 500
    }
