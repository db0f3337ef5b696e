"""Products: SKU rules, price history, soft delete, and the product screens."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import Category, Product, ProductPriceRecord
from apps.catalog.services import category_delete, product_create, product_delete, product_update
from apps.finance.models import Currency, TaxRate
from apps.inventory.models import StockMovement
from apps.inventory.services import stock_receive, stock_remove
from tests.binding import client_binding
from tests.inventory.factories import StoreFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def usd():
    return Currency.objects.get(pk="USD")


def create(**overrides):
    fields = {
        "sku": "TEA-1",
        "name": "Green tea",
        "cost_price": Decimal("2.10"),
        "selling_price": Decimal("4.50"),
        "currency": usd(),
    }
    return product_create(**{**fields, **overrides})


def test_sku_is_trimmed_and_unique_whatever_the_case(make_user):
    user = make_user("Admin")
    product = create(sku="  TEA-1 ", user=user)
    assert product.sku == "TEA-1"
    with pytest.raises(ValidationError) as info:
        create(sku="tea-1", name="Other")
    assert info.value.message_dict == {"sku": ["SKU TEA-1 is already used by Green tea."]}
    product.soft_delete()
    with pytest.raises(ValidationError) as info:
        create(sku="Tea-1")
    assert info.value.message_dict == {
        "sku": ["SKU TEA-1 is already used by Green tea (in the trash: an admin can restore it)."]
    }
    assert Product.all_objects.count() == 1


def test_the_database_enforces_case_insensitive_sku_and_barcode():
    ProductFactory(sku="ABC", barcode="123")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(sku="abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(sku="XYZ", barcode="123")
    ProductFactory(sku="NO-CODE-1", barcode="")
    ProductFactory(sku="NO-CODE-2", barcode="")  # many products without a barcode


def test_barcode_clash_and_bad_prices_are_field_errors():
    create(barcode="5000000000012")
    with pytest.raises(ValidationError) as info:
        create(
            sku="X-1",
            barcode="5000000000012",
            selling_price=Decimal("-1"),
            cost_price=Decimal("1.234"),
        )
    assert info.value.message_dict == {
        "barcode": ["Barcode 5000000000012 is already used by TEA-1."],
        "cost_price": ["USD has 2 decimal places."],
        "selling_price": ["A price cannot be negative."],
    }
    with pytest.raises(ValidationError) as info:
        create(
            sku="YEN-1",
            currency=Currency.objects.get(pk="JPY"),
            selling_price=Decimal("10.5"),
            cost_price=Decimal("7"),
        )
    assert info.value.message_dict == {"selling_price": ["JPY has 0 decimal places."]}


def test_create_records_the_first_price(make_user):
    user = make_user("Admin")
    product = create(user=user)
    record = ProductPriceRecord.objects.get(product=product)
    assert (record.old_price, record.new_price, record.old_cost, record.new_cost) == (
        None,
        Decimal("4.50"),
        None,
        Decimal("2.10"),
    )
    assert (record.currency_id, record.changed_by) == ("USD", user)


def test_every_price_or_cost_change_writes_one_record(make_user):
    user = make_user("Admin")
    product = create()
    product_update(product=product, user=user, name="Green tea 100g", description="Loose")
    assert product.price_records.count() == 1  # no price change, no record
    product_update(product=product, user=user, selling_price=Decimal("4.75"))
    product_update(product=product, user=user, cost_price=Decimal("2.20"))
    product_update(product=product, user=user, currency=Currency.objects.get(pk="EUR"))
    history = list(
        product.price_records.order_by("id").values_list(
            "old_price", "new_price", "old_cost", "new_cost", "old_currency", "currency_id"
        )
    )
    assert history[1:] == [
        (Decimal("4.50"), Decimal("4.75"), Decimal("2.10"), Decimal("2.10"), "USD", "USD"),
        (Decimal("4.75"), Decimal("4.75"), Decimal("2.10"), Decimal("2.20"), "USD", "USD"),
        (Decimal("4.75"), Decimal("4.75"), Decimal("2.20"), Decimal("2.20"), "USD", "EUR"),
    ]
    assert Product.objects.get(pk=product.pk).name == "Green tea 100g"


def test_deleting_a_product_keeps_its_history_and_refuses_while_in_stock():
    product = create()
    store = StoreFactory(name="Main")
    stock_receive(store=store, product=product, quantity=2)
    with pytest.raises(ValidationError) as info:
        product_delete(product=product)
    assert info.value.messages == ["TEA-1 still has 2 units in stock. Remove or adjust them first."]
    stock_remove(store=store, product=product, quantity=2, reason="expired")
    product_delete(product=product)
    assert not Product.objects.filter(pk=product.pk).exists()
    assert [m.product.sku for m in StockMovement.objects.all()] == ["TEA-1", "TEA-1"]
    assert ProductPriceRecord.objects.filter(product=product).count() == 1
    with pytest.raises(ValidationError, match="in the trash"):
        product_update(product=product, name="Back")


def test_category_in_use_cannot_be_deleted():
    category = CategoryFactory(name="Tea")
    ProductFactory(category=category)
    with pytest.raises(ValidationError, match="1 product still use Tea; move them first."):
        category_delete(category=category)
    empty = CategoryFactory(name="Empty")
    category_delete(category=empty)
    assert not Category.objects.filter(pk=empty.pk).exists()


# --- screens ---------------------------------------------------------------------------


def product_form(**overrides):
    data = {
        "sku": "TEA-1",
        "name": "Green tea",
        "cost_price": "2.10",
        "selling_price": "4.50",
        "currency": "USD",
        "active": "on",
    }
    return {**data, **overrides}


def test_admin_creates_and_edits_a_product_through_the_forms(client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = client_for("Admin")
    tax = TaxRate.objects.create(name="Reduced 5%", rate=Decimal("5"))
    image = SimpleUploadedFile("tea.gif", GIF, content_type="image/gif")
    response = admin.post(
        reverse("product-create"), product_form(tax_rate=tax.pk, image=image, barcode=" 123 ")
    )
    product = Product.objects.get()
    assert response.status_code == 302 and response["Location"] == product.get_absolute_url()
    assert (product.barcode, product.tax_rate, bool(product.image)) == ("123", tax, True)
    response = admin.post(
        reverse("product-update", args=[product.pk]),
        product_form(selling_price="4.99", name="Green tea 100g"),
    )
    assert response.status_code == 302
    page = admin.get(product.get_absolute_url())
    assert page.status_code == 200
    assert [(r.old_price, r.new_price) for r in page.context["price_records"]] == [
        (Decimal("4.50"), Decimal("4.99")),
        (None, Decimal("4.50")),
    ]
    assert page.context["chart"]["price"] == ["4.50", "4.99"]
    assert 'id="price-chart"' in page.content.decode()


def test_form_errors_are_inline_and_nothing_is_saved(client_for):
    admin = client_for("Admin")
    ProductFactory(sku="TEA-1", name="Old tea")
    response = admin.post(
        reverse("product-create"),
        product_form(sku=" tea-1 ", selling_price="-1", cost_price="abc", currency="XXX"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"sku", "selling_price", "cost_price", "currency"}
    response = admin.post(reverse("product-create"), product_form(sku=" tea-1 "))
    assert response.context["form"].errors == {"sku": ["SKU TEA-1 is already used by Old tea."]}
    assert Product.objects.count() == 1


@pytest.mark.parametrize("role", ["Sales", "Warehouse", "Accountant", "Viewer"])
def test_only_admin_writes_the_catalog(client_for, role):
    client = client_for(role)
    product = ProductFactory()
    assert client.get(reverse("product-list")).status_code == 200
    assert client.get(product.get_absolute_url()).status_code == 200
    assert client.get(reverse("product-create")).status_code == 403
    assert client.post(reverse("product-create"), product_form(sku="NEW")).status_code == 403
    assert client.post(reverse("product-delete", args=[product.pk])).status_code == 403
    assert client.get(reverse("category-create")).status_code == 403
    assert not Product.objects.filter(sku="NEW").exists()


def test_delete_view_confirms_then_refuses_with_stock(client_for):
    admin = client_for("Admin")
    product = ProductFactory(sku="TEA-1")
    store = StoreFactory()
    stock_receive(store=store, product=product, quantity=1)
    assert b"Move <strong>TEA-1" in admin.get(reverse("product-delete", args=[product.pk])).content
    response = admin.post(reverse("product-delete", args=[product.pk]), follow=True)
    assert "TEA-1 still has 1 units in stock" in response.content.decode()
    assert Product.objects.filter(pk=product.pk).exists()
    stock_remove(store=store, product=product, quantity=1, reason="lost")
    admin.post(reverse("product-delete", args=[product.pk]))
    assert not Product.objects.filter(pk=product.pk).exists()
    # still reachable from old movements, marked as deleted
    page = admin.get(reverse("product-detail", args=[product.pk]))
    assert page.status_code == 200 and "This product is in the trash" in page.content.decode()


def list_skus(client, **params):
    response = client.get(reverse("product-list"), params)
    assert response.status_code == 200
    return [row.record.sku for row in response.context["table"].page.object_list]


def test_product_list_search_filters_and_sorting(client_for):
    viewer = client_for("Viewer")
    tea = CategoryFactory(name="Tea")
    a = ProductFactory(sku="GT-1", name="Green tea", category=tea, selling_price=Decimal("4.00"))
    b = ProductFactory(sku="BT-2", name="Black tea", category=tea, selling_price=Decimal("3.00"))
    c = ProductFactory(sku="MUG-1", name="Mug", barcode="777", selling_price=Decimal("9.00"))
    ProductFactory(sku="OLD-1", name="Old mug", active=False, selling_price=Decimal("1.00"))
    main, shop = StoreFactory(name="Main"), StoreFactory(name="Shop")
    stock_receive(store=main, product=a, quantity=50)
    stock_receive(store=shop, product=a, quantity=2)
    stock_receive(store=main, product=b, quantity=3)
    stock_receive(store=shop, product=c, quantity=1)
    stock_remove(store=shop, product=c, quantity=1, reason="lost")

    assert list_skus(viewer) == ["BT-2", "GT-1", "MUG-1", "OLD-1"]
    assert list_skus(viewer, q="tea") == ["BT-2", "GT-1"]
    assert list_skus(viewer, q="mug-1") == ["MUG-1"]
    assert list_skus(viewer, q="777") == ["MUG-1"]
    assert list_skus(viewer, category=tea.pk) == ["BT-2", "GT-1"]
    assert list_skus(viewer, status="out") == ["MUG-1", "OLD-1"]
    assert list_skus(viewer, status="low") == ["BT-2"]
    assert list_skus(viewer, status="ok") == ["GT-1"]
    assert list_skus(viewer, status="low", store=shop.pk) == ["GT-1"]
    assert list_skus(viewer, min_price="3.5", max_price="9") == ["GT-1", "MUG-1"]
    assert list_skus(viewer, active="false") == ["OLD-1"]
    assert list_skus(viewer, sort="-selling_price") == ["MUG-1", "GT-1", "BT-2", "OLD-1"]
    assert list_skus(viewer, sort="-on_hand") == ["GT-1", "BT-2", "MUG-1", "OLD-1"]
    on_hand = {
        row.record.sku: row.record.on_hand
        for row in viewer.get(reverse("product-list"), {"store": main.pk})
        .context["table"]
        .page.object_list
    }
    assert on_hand == {"BT-2": 3, "GT-1": 50, "MUG-1": 0, "OLD-1": 0}


def test_product_list_htmx_partial_and_csv_in_import_format(client_for):
    viewer = client_for("Viewer")
    ProductFactory(sku="GT-1", name="Green tea", barcode="5012", low_stock_threshold=4)
    ProductFactory(sku="MUG-1", name="Mug")
    partial = viewer.get(reverse("product-list"), {"q": "green"}, HTTP_HX_REQUEST="true")
    assert partial.content.lstrip().startswith(b'<div id="table"')
    assert b"GT-1" in partial.content and b"MUG-1" not in partial.content
    response = viewer.get(reverse("product-list"), {"q": "green", "_export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "sku",
        "name",
        "cost_price",
        "selling_price",
        "category",
        "barcode",
        "currency",
        "tax_rate",
        "low_stock_threshold",
        "active",
        "description",
        "on_hand",
    ]
    assert rows[1:] == [
        ["GT-1", "Green tea", "6.00", "10.00", rows[1][4], "5012", "USD", "", "4", "yes", "", "0"]
    ]


def test_product_list_query_count_does_not_grow_with_rows(client_for):
    viewer = client_for("Viewer")
    store = StoreFactory()
    for product in ProductFactory.create_batch(3):
        stock_receive(store=store, product=product, quantity=5)
    viewer.get(reverse("product-list"))

    def count(params):
        viewer.get(reverse("product-list"), params)  # the reference lists kept again after
        # the new products' categories (apps.core.reference)
        with CaptureQueriesContext(connection) as queries:
            viewer.get(reverse("product-list"), params)
        return len(queries)

    few = [count({}), count({"status": "low", "store": store.pk, "q": "Product"})]
    for product in ProductFactory.create_batch(40):
        stock_receive(store=store, product=product, quantity=5)
    assert [count({}), count({"status": "low", "store": store.pk, "q": "Product"})] == few


def test_product_detail_shows_stock_by_store_and_recent_movements(client_for):
    warehouse = client_for("Warehouse")
    product = ProductFactory(sku="TEA-1")
    main = StoreFactory(name="Main")
    StoreFactory(name="Shop")
    stock_receive(store=main, product=product, quantity=7, reference="PO-9")
    page = warehouse.get(product.get_absolute_url())
    assert [(r["store"].name, r["quantity"], r["status"]) for r in page.context["stock_rows"]] == [
        ("Main", 7, "low"),
        ("Shop", 0, "out"),
    ]
    assert page.context["on_hand"] == 7
    assert [m.reference for m in page.context["movements"]] == ["PO-9"]
    html = page.content.decode()
    assert "Receive stock" in html and "Edit product" not in html  # Warehouse moves stock only
    assert page.context["can_move_stock"] is True


def test_product_lookup_suggests_active_products(client_for):
    client = client_for("Warehouse")
    ProductFactory(sku="TEA-1", name="Green tea")
    ProductFactory(sku="TEA-2", name="Black tea", active=False)
    html = client.get(reverse("product-lookup"), {"product": "tea"}).content.decode()
    assert html.strip() == '<option value="TEA-1">TEA-1 · Green tea</option>'


def test_category_screens(client_for):
    admin = client_for("Admin")
    assert admin.post(reverse("category-create"), {"name": " Tea "}).status_code == 302
    duplicate = admin.post(reverse("category-create"), {"name": "tea"})
    assert duplicate.context["form"].errors == {
        "name": ["A category with this name already exists."]
    }
    category = Category.objects.get()
    ProductFactory(category=category)
    listing = admin.get(reverse("category-list"))
    assert [
        (r.record.name, r.record.product_count) for r in listing.context["table"].page.object_list
    ] == [("Tea", 1)]
    response = admin.post(reverse("category-delete", args=[category.pk]), follow=True)
    assert "1 product still use Tea" in response.content.decode()


def test_category_list_counts_live_products_without_reading_every_product(client_for):
    """Each category's count leaves the trash out; the list reads the counts one category
    at a time from subqueries, and the paginator counts categories alone (not their join
    with every product)."""
    tea, coffee, empty = (CategoryFactory(name=n) for n in ("Tea", "Coffee", "Empty"))
    for n in range(3):
        ProductFactory(sku=f"T-{n}", category=tea)
    ProductFactory(sku="C-1", category=coffee)
    trashed = ProductFactory(sku="T-9", category=tea)
    product_delete(product=trashed)
    assert Product.all_objects.filter(category=tea).count() == 4
    viewer = client_for("Viewer")
    for sort in ("-product_count", "product_count", "name"):
        with client_binding(), CaptureQueriesContext(connection) as queries:
            listing = viewer.get(reverse("category-list"), {"sort": sort})
        rows = [(r.record.name, r.record.product_count) for r in listing.context["table"].page]
        expected = {"Tea": 3, "Coffee": 1, "Empty": 0}
        assert dict(rows) == expected and len(rows) == 3
        if sort != "name":
            counts = [count for _, count in rows]
            assert counts == sorted(counts, reverse=sort.startswith("-"))
        counted = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
        assert [sql for sql in counted if "catalog_category" in sql.split("WHERE")[0]]
        assert not [sql for sql in counted if "JOIN" in sql], counted


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def test_django_admin_cannot_bypass_price_history_or_the_ledger(admin_client):
    product = ProductFactory(sku="TEA-1")
    store = StoreFactory()
    stock_receive(store=store, product=product, quantity=1)
    assert admin_client.get("/admin/catalog/product/add/").status_code == 403
    change = admin_client.get(f"/admin/catalog/product/{product.pk}/change/")
    assert change.status_code == 200
    assert "selling_price" not in change.context["adminform"].form.fields
    movement = StockMovement.objects.get()
    assert (
        admin_client.get(f"/admin/inventory/stockmovement/{movement.pk}/delete/").status_code == 403
    )
    response = admin_client.post(
        "/admin/catalog/product/",
        {"action": "trash_selected", "_selected_action": [product.pk]},
        follow=True,
    )
    assert "TEA-1 still has 1 units in stock" in response.content.decode()
    assert Product.objects.filter(pk=product.pk).exists()


def test_sorting_by_price_compares_base_currency_values(client_for):
    """Issue 13 item 10: 20.40 EUR (22.44 USD at 1.1) sorts between 13.99 and 29.90 USD,
    a currency without a rate sorts after the others, and the header says what is compared."""
    from tests.sales.factories import currency, make_product, rate

    rate("EUR", "1.1")
    currency("GBP")  # no rate at all
    make_product("29.90", sku="USD-HI", name="Dear")
    make_product("13.99", sku="USD-LO", name="Cheap")
    make_product("20.40", sku="EUR-MID", name="Middle", currency=currency("EUR"))
    make_product("1.00", sku="GBP-X", name="Unrated", currency=currency("GBP"))
    viewer = client_for("Viewer")
    response = viewer.get(reverse("product-list"), {"sort": "selling_price"})
    html = response.content.decode()
    skus = re.findall(r">((?:USD|EUR|GBP)-[A-Z]+)</a>", html)
    assert skus == ["USD-LO", "EUR-MID", "USD-HI", "GBP-X"]
    assert "Price (sorted by USD value)" in html
    response = viewer.get(reverse("product-list"), {"sort": "-selling_price"})
    skus = re.findall(r">((?:USD|EUR|GBP)-[A-Z]+)</a>", response.content.decode())
    assert skus == ["GBP-X", "USD-HI", "EUR-MID", "USD-LO"]  # the reverse order
