"""The (store, product) pairs without a stock level (MissingLevel) follow every writer
of products, stores and levels: product create (service, form, import, API, a bare
ORM save), trash and restore, store create (form, API), a level's first movement
(receipt, transfer, order, opening stock), the bulk loaders (onhand_rebuild, seed_demo);
check_books `inventory.missing_levels` names what is off."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.catalog.imports import import_apply, import_preview, import_start
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.finance.models import Currency
from apps.inventory.books import missing_levels
from apps.inventory.models import MissingLevel, StockLevel, Store
from apps.inventory.services import onhand_rebuild, stock_receive, stock_transfer
from apps.inventory.store_order import StoreStockOrder
from apps.sales import services as sales
from tests.api.conftest import token_client
from tests.catalog.factories import ProductFactory, product_bulk_created, product_raw_inserted
from tests.demo import seed_demo_pages
from tests.sales.factories import make_order

from .conftest import assert_stock_books_ok
from .test_store_order import filtered

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client_for(role_user):
    return lambda role: token_client(role_user(role, email=f"api-{role.lower()}@example.test"))


def pairs() -> set[tuple[int, int]]:
    return set(MissingLevel.objects.values_list("store_id", "product_id"))


def without_level() -> set[tuple[int, int]]:
    """What the pairs should be: every store x product (trashed too) minus the levels."""
    levels = set(StockLevel.objects.values_list("store_id", "product_id"))
    return {
        (s, p)
        for s in Store.all_objects.values_list("pk", flat=True)
        for p in Product.all_objects.values_list("pk", flat=True)
        if (s, p) not in levels
    }


def test_a_new_product_lacks_a_level_in_every_store(stores):
    product = product_create(
        sku="NEW-1",
        name="New",
        cost_price=Decimal("1.00"),
        selling_price=Decimal("2.00"),
        currency=Currency.objects.get(pk="USD"),
    )
    assert pairs() == {(s.pk, product.pk) for s in stores}
    bare = Product.objects.create(
        sku="BARE-1", name="Bare", cost_price=1, selling_price=2, currency_id="USD"
    )
    assert pairs() == {(s.pk, p) for s in stores for p in (product.pk, bare.pk)}
    assert missing_levels().violations == []


@pytest.mark.parametrize(
    "insert", [product_bulk_created, product_raw_inserted], ids=["bulk_create", "raw_sql"]
)
def test_a_product_inserted_outside_save_has_its_pairs_and_shows_in_the_store_order(stores, insert):
    """The pairs are the database's (a trigger on the product table), not a post_save
    handler's: an insert that bypasses Model.save gets one per store, a receipt drops
    that store's, and the list by one store's stock (which reads a store lacking few
    levels from its pairs) shows the product at 0 where it has no level."""
    tea = insert("RAW-TEA")
    assert list(
        MissingLevel.objects.filter(product=tea).order_by("store_id").values_list("store_id")
    ) == [(s.pk,) for s in stores]
    stock_receive(store=stores[0], product=tea, quantity=6, unit_cost="1.50")
    assert list(
        MissingLevel.objects.filter(product=tea).order_by("store_id").values_list("store_id")
    ) == [(stores[1].pk,), (stores[2].pk,)]
    assert pairs() == without_level()
    assert missing_levels().violations == []
    # stores[1] lacks a level for every product (2 or 3: few), read from the pairs
    queryset = filtered({"store": stores[1].pk})
    order = StoreStockOrder(queryset, store_id=stores[1].pk, descending=False)
    listed = [(p.sku, p.on_hand) for p in order[0:10]]
    assert ("RAW-TEA", 0) in listed and len(listed) == Product.objects.count()
    queryset = filtered({"store": stores[0].pk})
    listed = StoreStockOrder(queryset, store_id=stores[0].pk, descending=True)[0:1]
    assert [(p.sku, p.on_hand) for p in listed] == [("RAW-TEA", 6)]


def test_the_product_form_import_and_api_add_their_pairs(stores, client_for, api_client_for):
    admin = client_for("Admin")
    response = admin.post(
        reverse("product-create"),
        {
            "sku": "FORM-1",
            "name": "Form product",
            "cost_price": "1.00",
            "selling_price": "2.00",
            "currency": "USD",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    csv = "sku,name,cost_price,selling_price\nCSV-1,Imported,1.00,2.00\nCSV-2,Also,1,3\n"
    batch = import_preview(
        kind="products", upload=SimpleUploadedFile("p.csv", csv.encode(), "text/csv")
    )
    assert import_start(batch=batch)
    import_apply(batch=batch)
    api = api_client_for("Admin")
    created = api.post(
        "/api/v1/products/",
        {
            "sku": "API-1",
            "name": "From the API",
            "cost_price": "1.00",
            "selling_price": "2.00",
            "currency": "USD",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    skus = ("FORM-1", "CSV-1", "CSV-2", "API-1")
    made = Product.objects.filter(sku__in=skus).values_list("pk", flat=True)
    assert len(made) == 4
    assert pairs() == {(s.pk, p) for s in stores for p in made}
    assert missing_levels().violations == []


def test_trash_and_restore_keep_the_pairs(stores):
    product = ProductFactory()
    stock_receive(store=stores[0], product=product, quantity=1)
    before = pairs()
    assert before == {(stores[1].pk, product.pk), (stores[2].pk, product.pk)}
    other = ProductFactory()
    other.soft_delete()
    assert pairs() == before | {(s.pk, other.pk) for s in stores}
    other.restore()
    assert pairs() == before | {(s.pk, other.pk) for s in stores}
    assert_stock_books_ok()


def test_a_new_store_lacks_a_level_for_every_product(client_for, api_client_for):
    products = ProductFactory.create_batch(3)
    products[2].soft_delete()
    admin = client_for("Admin")
    admin.post(reverse("store-create"), {"name": "Kiosk", "code": "KIO", "active": "on"})
    kiosk = Store.objects.get(code="KIO")
    assert pairs() == {(kiosk.pk, p.pk) for p in products}
    created = api_client_for("Admin").post(
        "/api/v1/stores/", {"name": "Depot", "code": "DEP"}, format="json"
    )
    assert created.status_code == 201, created.content
    depot = Store.objects.get(code="DEP")
    assert pairs() == {(s, p.pk) for s in (kiosk.pk, depot.pk) for p in products}
    assert missing_levels().violations == []


def test_a_level_s_first_movement_drops_its_pair(stores):
    a, b, c = stores
    products = ProductFactory.create_batch(3)
    stock_receive(store=a, product=products[0], quantity=5)  # first receipt into a
    assert (a.pk, products[0].pk) not in pairs()
    stock_receive(store=a, product=products[0], quantity=5)  # the level exists: no change
    stock_transfer(from_store=a, to_store=b, product=products[0], quantity=2)
    assert (b.pk, products[0].pk) not in pairs()
    stock_receive(store=c, product=products[1], quantity=4)
    order = make_order(store=c, lines=[(products[1], 1)])
    sales.order_confirm(order=order)
    assert pairs() == without_level()
    assert len(pairs()) == 9 - 3
    assert_stock_books_ok()


def test_opening_stock_import_drops_the_pairs(stores, django_capture_on_commit_callbacks):
    product = ProductFactory(sku="OPEN-1")
    csv = f"store,sku,quantity\n{stores[1].code},OPEN-1,7\n"
    batch = import_preview(
        kind="opening_stock", upload=SimpleUploadedFile("s.csv", csv.encode(), "text/csv")
    )
    assert batch.errors == [], batch.errors
    assert import_start(batch=batch)
    import_apply(batch=batch)
    assert StockLevel.objects.get(store=stores[1], product=product).quantity == 7
    assert pairs() == {(stores[0].pk, product.pk), (stores[2].pk, product.pk)}
    assert_stock_books_ok()


def test_bulk_loaders_recount_them(stores):
    """Levels written without the services, and products loaded with the pairs' trigger
    off (as the catalog scale builder does): onhand_rebuild puts the pairs right,
    keeping the rows already right."""
    products = ProductFactory.create_batch(4)
    StockLevel.objects.bulk_create(
        [StockLevel(store=stores[0], product=p, quantity=0) for p in products[:2]]
    )
    Product.objects.bulk_create(
        [Product(sku="BULK-1", name="Bulk", cost_price=1, selling_price=2, currency_id="USD")]
    )
    assert len(missing_levels().violations) == 2  # the trigger gave BULK-1 its 3 pairs
    MissingLevel.objects.filter(product__sku="BULK-1").delete()
    assert len(missing_levels().violations) == 2 + 3
    kept = MissingLevel.objects.get(store=stores[2], product=products[3]).pk
    onhand_rebuild()
    assert pairs() == without_level() and len(pairs()) == 5 * 3 - 2
    assert MissingLevel.objects.get(store=stores[2], product=products[3]).pk == kept
    assert missing_levels().violations == []


def test_seed_demo_leaves_them_exact():
    seed_demo_pages()
    assert pairs() == without_level()
    late = ProductFactory()  # the demo stocks every product in every store; this one none
    stores = set(Store.objects.values_list("pk", flat=True))
    assert pairs() == {(s, late.pk) for s in stores} and len(stores) == 3
    seed_demo_pages()  # idempotent: nothing changes
    assert pairs() == without_level() == {(s, late.pk) for s in stores}
    assert missing_levels().violations == []


def test_check_books_names_a_missing_and_a_stale_pair(stores):
    products = ProductFactory.create_batch(2)
    stock_receive(store=stores[0], product=products[0], quantity=1)
    assert missing_levels().violations == []
    MissingLevel.objects.filter(store=stores[1], product=products[1]).delete()
    MissingLevel.objects.create(store=stores[0], product=products[0])
    assert missing_levels().violations == [
        f"store {stores[0].pk} product {products[0].pk}: a level and a missing-level row",
        f"store {stores[1].pk} product {products[1].pk}: no level and no missing-level row",
    ]
