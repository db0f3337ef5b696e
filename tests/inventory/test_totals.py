"""Stored stock totals (issue 14 item 3): each product's on-hand total and each store's
units, value and products held move with the levels, in the same transaction."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Product
from apps.inventory.books import stock_totals
from apps.inventory.models import ProductTotal, StockLevel, StoreTotal
from apps.inventory.selectors import alert_counts, store_summaries
from apps.inventory.services import (
    InsufficientStock,
    onhand_rebuild,
    stock_adjust,
    stock_receive,
    stock_remove,
    stock_restock,
    stock_return,
    stock_sell,
    stock_transfer,
)
from tests.binding import client_binding, plan
from tests.catalog.factories import (
    ProductFactory,
    product_bulk_created,
    product_raw_inserted,
    product_row_copy,
)

from .conftest import assert_stock_books_ok

pytestmark = pytest.mark.django_db


def on_hand(product) -> int:
    return ProductTotal.objects.get(pk=product.pk).units


def store_figures(store) -> tuple:
    total = StoreTotal.objects.filter(store=store).first()
    return (total.units, total.value, total.held) if total else None


def test_every_kind_of_movement_moves_the_totals_exactly(stores):
    a, b, _ = stores
    tea = ProductFactory(sku="TEA", cost_price=Decimal("2.00"))
    cup = ProductFactory(sku="CUP", cost_price=Decimal("3.00"))
    stock_receive(store=a, product=tea, quantity=10, unit_cost="2.00")
    stock_receive(store=a, product=cup, quantity=4, unit_cost="3.00")
    assert (on_hand(tea), on_hand(cup)) == (10, 4)
    assert store_figures(a) == (14, Decimal("32.00"), 2)

    stock_sell(store=a, lines=[(tea, 3), (cup, 4)], reference="SO-1")
    assert (on_hand(tea), on_hand(cup)) == (7, 0)
    assert store_figures(a) == (7, Decimal("14.00"), 1)  # cup is out: one product held

    stock_transfer(from_store=a, to_store=b, product=tea, quantity=5)
    assert on_hand(tea) == 7  # a transfer does not change the product's total
    assert store_figures(a) == (2, Decimal("4.00"), 1)
    assert store_figures(b) == (5, Decimal("10.00"), 1)

    stock_return(store=b, product=tea, quantity=1)
    stock_restock(store=a, lines=[(cup, 2, Decimal("6.00"))], reference="RET-1")
    assert (on_hand(tea), on_hand(cup)) == (8, 2)
    assert store_figures(a) == (4, Decimal("10.00"), 2)
    assert store_figures(b) == (6, Decimal("12.00"), 1)

    stock_adjust(store=b, product=tea, counted_quantity=9, reason="count_correction")
    stock_adjust(store=a, product=cup, counted_quantity=0, reason="count_correction")
    stock_remove(store=a, product=tea, quantity=2, reason="damaged")
    assert (on_hand(tea), on_hand(cup)) == (9, 0)
    assert store_figures(a) == (0, Decimal("0.00"), 0)
    assert store_figures(b) == (9, Decimal("18.00"), 1)
    assert_stock_books_ok()


def test_a_refused_issue_moves_no_total(stores):
    tea = ProductFactory()
    stock_receive(store=stores[0], product=tea, quantity=2, unit_cost="1.00")
    with pytest.raises(InsufficientStock):
        stock_sell(store=stores[0], lines=[(tea, 3)], reference="SO-1")
    assert on_hand(tea) == 2
    assert store_figures(stores[0]) == (2, Decimal("2.00"), 1)


def test_a_whole_row_save_of_a_stale_product_keeps_the_total(stores):
    tea = ProductFactory()
    stale = Product.objects.get(pk=tea.pk)
    stock_receive(store=stores[0], product=tea, quantity=6)
    stale.name = "Green tea"
    stale.save()
    assert (Product.objects.get(pk=tea.pk).name, on_hand(tea)) == ("Green tea", 6)


def test_check_books_reports_a_drifted_total_exactly(stores):
    tea = ProductFactory(sku="TEA-9")
    stock_receive(store=stores[0], product=tea, quantity=5, unit_cost="1.00")
    ProductTotal.objects.filter(pk=tea.pk).update(units=F("units") + 2)
    StoreTotal.objects.filter(store=stores[0]).update(units=4, held=3)
    assert stock_totals().violations == [
        f"product {tea.pk} (TEA-9): on hand 7, levels sum to 5",
        f"store {stores[0].pk}: stored 4 units worth 5.00 in 3 products, "
        "levels hold 5 units worth 5.00 in 1 products",
    ]


def test_check_books_reports_a_product_without_its_total_row(stores):
    tea = ProductFactory(sku="TEA-8")
    ProductTotal.objects.filter(pk=tea.pk).delete()
    assert stock_totals().violations == [f"product {tea.pk} (TEA-8): no on-hand total row"]


@pytest.mark.parametrize(
    "insert", [product_bulk_created, product_raw_inserted], ids=["bulk_create", "raw_sql"]
)
def test_a_product_inserted_outside_save_has_its_total_and_movements_move_it(stores, insert):
    """The total row is the database's (a trigger on the product table), not a post_save
    handler's: an insert that bypasses Model.save gets it too, and the stock services'
    UPDATE of the totals then finds it."""
    tea = insert("RAW-TEA")
    assert ProductTotal.objects.filter(pk=tea.pk).values_list("units", flat=True)[::1] == [0]
    stock_receive(store=stores[0], product=tea, quantity=9, unit_cost="2.00")
    stock_receive(store=stores[1], product=tea, quantity=4, unit_cost="2.50")
    stock_sell(store=stores[0], lines=[(tea, 5)], reference="SO-RAW")
    assert on_hand(tea) == 8
    assert store_figures(stores[0]) == (4, Decimal("8.00"), 1)
    assert store_figures(stores[1]) == (4, Decimal("10.00"), 1)
    assert stock_totals().violations == []


def test_a_total_row_already_there_is_kept_by_the_trigger(stores):
    """A product re-inserted with the id of a total row still there (a restore that loads
    the totals first): the trigger leaves the row's units as they are."""
    tea = ProductFactory(sku="TEA-7")
    stock_receive(store=stores[0], product=tea, quantity=3, unit_cost="1.00")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO inventory_producttotal (id, units) VALUES (%s, 11)", [-7])
    product_row_copy(tea.pk, id=-7, sku="TEA-7-COPY")
    assert ProductTotal.objects.get(pk=-7).units == 11
    assert on_hand(tea) == 3


def test_onhand_rebuild_recomputes_what_a_bulk_loader_wrote(stores):
    tea, cup = ProductFactory(), ProductFactory()
    StockLevel.objects.bulk_create(
        [
            StockLevel(store=stores[0], product=tea, quantity=4, value=Decimal("8.00")),
            StockLevel(store=stores[1], product=tea, quantity=3, value=Decimal("6.00")),
            StockLevel(store=stores[1], product=cup, quantity=0),
        ]
    )
    onhand_rebuild()
    assert (on_hand(tea), on_hand(cup)) == (7, 0)
    assert store_figures(stores[0]) == (4, Decimal("8.00"), 1)
    assert store_figures(stores[1]) == (3, Decimal("6.00"), 1)
    assert stock_totals().violations == []


def test_store_summaries_and_alert_counts_read_the_totals(stores):
    low = ProductFactory(low_stock_threshold=5)
    plenty = ProductFactory(low_stock_threshold=5)
    gone = ProductFactory(low_stock_threshold=5)
    stock_receive(store=stores[0], product=low, quantity=3, unit_cost="1.00")
    stock_receive(store=stores[0], product=plenty, quantity=50, unit_cost="1.00")
    stock_receive(store=stores[0], product=gone, quantity=1, unit_cost="1.00")
    stock_remove(store=stores[0], product=gone, quantity=1, reason="damaged")
    assert alert_counts() == {stores[0].pk: (1, 1)}
    first = store_summaries()[0]
    assert (first.store, first.products, first.units, first.low, first.value) == (
        stores[0],
        2,
        53,
        2,
        Decimal("53.00"),
    )


def test_the_product_list_sorts_by_the_stored_total_without_summing_levels(
    stores, client, make_user
):
    for n, quantity in enumerate((7, 2, 9)):
        stock_receive(store=stores[0], product=ProductFactory(sku=f"P-{n}"), quantity=quantity)
    client.force_login(make_user("Warehouse"))
    with client_binding(), CaptureQueriesContext(connection) as queries:
        page = client.get("/catalog/products/?sort=-on_hand").content.decode()
    assert [page.index(sku) for sku in ("P-2", "P-0", "P-1")] == sorted(
        page.index(sku) for sku in ("P-2", "P-0", "P-1")
    )
    listing = [q["sql"] for q in queries if "catalog_product" in q["sql"] and "LIMIT" in q["sql"]]
    assert listing and all("inventory_stocklevel" not in sql for sql in listing)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_documents_sharing_products_keep_totals_equal_to_the_levels():
    """Orders in two stores take the same products in opposite line order while transfers
    and receipts run: the product rows are locked in key order, so no deadlock, and every
    total still equals its levels."""
    from .conftest import assert_stock_books_ok as books_ok
    from .factories import StoreFactory
    from .test_concurrency import run_together

    a, b = StoreFactory(code="A"), StoreFactory(code="B")
    products = [ProductFactory(sku=f"C-{n}") for n in range(4)]
    for store in (a, b):
        for product in products:
            stock_receive(store=store, product=product, quantity=40, unit_cost="1.00")

    def sell(store, lines):
        return lambda: [stock_sell(store=store, lines=lines, reference="SO") for _ in range(5)]

    forward = [(p, 1) for p in products]
    jobs = [
        sell(a, forward),
        sell(b, forward[::-1]),
        sell(a, forward[::-1]),
        sell(b, forward),
        lambda: [
            stock_transfer(from_store=a, to_store=b, product=products[0], quantity=1)
            for _ in range(5)
        ],
        lambda: [
            stock_receive(store=b, product=products[3], quantity=2, unit_cost="1.00")
            for _ in range(5)
        ],
    ]
    results = run_together(jobs)
    assert [r for r in results if isinstance(r, Exception)] == []
    # 4 documents x 5 sales of one unit per product; 10 units received of the last one
    assert [on_hand(p) for p in products] == [60, 60, 60, 70]
    assert store_figures(a) == (4 * 40 - 40 - 5, Decimal("115.00"), 4)
    assert store_figures(b) == (4 * 40 - 40 + 5 + 10, Decimal("135.00"), 4)
    books_ok()


def test_the_list_filters_are_served_by_their_indexes(stores, make_user):
    """Each filter's plan names its index: the expressions the ORM writes match the indexed
    ones. PostgreSQL with sequential scans and sorts priced out, and its trigram indexes;
    SQLite (no trigram indexes) plans the reference filter and the stock sort alike."""
    from apps.catalog.models import Product as P
    from apps.inventory.filters import MovementFilter
    from apps.inventory.models import StockMovement

    stock_receive(store=stores[0], product=ProductFactory(sku="IX-1"), quantity=1, reference="R")
    movements = MovementFilter({"reference": "r"}, queryset=StockMovement.objects.all()).qs
    user = make_user("Warehouse")
    by_user = MovementFilter({"user": user.pk}, queryset=StockMovement.objects.all()).qs
    assert f'"user_id" = {user.pk}' in str(by_user.query)  # the filter took the user
    plans = {
        "movement_reference_idx": movements.order_by("-id")[:51],
        # a user's movements newest first (before: the primary key read backwards, every
        # other user's rows skipped: 244,000 of them for the first page at scale 100,000)
        "movement_user_idx": by_user.order_by("-id")[:51],
        "product_total_units_idx": ProductTotal.objects.order_by("units", "product")[:26],
    }
    if connection.vendor != "postgresql":
        for index, queryset in plans.items():
            assert index in queryset.explain(), index
        return
    plans["product_name_trgm"] = P.all_objects.filter(name__icontains="widget").order_by()
    plans["product_sku_trgm"] = P.all_objects.filter(sku__icontains="ix-").order_by()
    for index, queryset in plans.items():
        assert index in plan(queryset, forbid=("seqscan", "sort")), index


def test_the_trigram_indexes_hold_their_pending_lists_short(stores):
    """Every product write (until 2026-12 every stock change too) adds to both trigram
    indexes' pending lists; a search reads the whole list, so it is merged at 64 kB, not
    4 MB.
    SQLite has no trigram indexes (its searches scan)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%trgm%'")
            assert cursor.fetchall() == []
            return
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c"
            " WHERE c.relname IN ('product_name_trgm', 'product_sku_trgm') ORDER BY 1"
        )
        assert cursor.fetchall() == [
            ("product_name_trgm", ["gin_pending_list_limit=64"]),
            ("product_sku_trgm", ["gin_pending_list_limit=64"]),
        ]


def test_the_product_list_stock_filter_reads_the_stored_total(stores, client, make_user):
    for sku, quantity in (("LOW-1", 3), ("OK-1", 50), ("OUT-1", 2)):
        product = ProductFactory(sku=sku, low_stock_threshold=5)
        stock_receive(store=stores[0], product=product, quantity=quantity)
    stock_remove(
        store=stores[0], product=Product.objects.get(sku="OUT-1"), quantity=2, reason="lost"
    )
    ProductFactory(sku="NONE-1", low_stock_threshold=5)  # never stocked: out
    client.force_login(make_user("Warehouse"))
    shown = {}
    for status in ("low", "out", "ok"):
        page = client.get(f"/catalog/products/?status={status}").content.decode()
        shown[status] = sorted(s for s in ("LOW-1", "OK-1", "OUT-1", "NONE-1") if s in page)
    assert shown == {"low": ["LOW-1"], "out": ["NONE-1", "OUT-1"], "ok": ["OK-1"]}
