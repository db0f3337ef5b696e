"""The product list sorted by one store's stock (apps/inventory/store_order.py) gives the
rows, order (ties included), counts and pages of the one ORDER BY it replaces: the
demo data plus products with no level in a store, levels at 0, equal quantities and
equal names, a trashed and an inactive product, a store that holds almost nothing;
both directions, every slice, every page, with the list's filters alone and combined."""

import re

import pytest
from django.db import connection
from django.db.models import F
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import User
from apps.catalog.models import Category, Product
from apps.catalog.views import ProductListView
from apps.core.sql import server_binding, written_in
from apps.inventory import store_order
from apps.inventory.models import MissingLevel, StockLevel, Store
from apps.inventory.services import stock_receive, stock_remove
from apps.inventory.store_order import StoreStockOrder
from tests.binding import client_binding, prepared_statements
from tests.catalog.factories import ProductFactory
from tests.demo import seed_demo_pages
from tests.factories import UserFactory
from tests.inventory.factories import StoreFactory

pytestmark = pytest.mark.django_db


def awkward() -> list[Store]:
    """The awkward cases, on top of whatever stores there are (or one new store)."""
    stores = list(Store.objects.order_by("pk")) or [StoreFactory(name="Main")]
    corner = StoreFactory(name="Corner")  # holds two products, lacks the rest
    twins = [ProductFactory(sku=f"TWIN-{n}", name="Twin bolt") for n in range(4)]
    for product, quantity in zip(twins, (5, 5, 0, 9), strict=True):
        if quantity:
            stock_receive(store=stores[0], product=product, quantity=quantity)
    stock_receive(store=corner, product=twins[0], quantity=5)
    stock_receive(store=corner, product=twins[1], quantity=1)
    stock_remove(store=corner, product=twins[1], quantity=1, reason="lost")  # a level at 0
    ProductFactory(sku="NEW-1", name="Zinc bracket")  # no level anywhere
    ProductFactory(sku="OFF-1", name="Twin bolt", active=False)
    trashed = ProductFactory(sku="GONE-1", name="Aardvark")
    trashed.soft_delete()
    return [*stores, corner]


@pytest.fixture
def demo_shop():
    """seed_demo (three stores, their products and stock history), then the awkward cases."""
    seed_demo_pages()
    return awkward()


@pytest.fixture
def shop():
    return awkward()


def filtered(params: dict):
    """The product list's queryset for `params`, annotated and filtered as the view does."""
    request = RequestFactory().get(reverse("product-list"), params)
    request.user = User.objects.filter(is_superuser=True).first() or UserFactory(roles=["Admin"])
    view = ProductListView()
    view.setup(request)
    filterset = view.get_filterset(view.get_filterset_class())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def today(queryset, descending: bool):
    """The ORDER BY the list ran before: on-hand (0 without a level), name, pk."""
    on_hand = F("on_hand").desc() if descending else F("on_hand").asc()
    return queryset.order_by(on_hand, "name", "pk")


def rows(records) -> list[tuple]:
    return [(p.pk, p.sku, p.on_hand, p.stock_status) for p in records]


def filter_sets() -> list[dict]:
    category = Category.objects.order_by("pk").first()
    return [
        {},
        {"q": "bolt"},
        {"q": "twin"},
        {"category": category.pk},
        {"status": "out"},
        {"status": "low"},
        {"status": "ok"},
        {"active": "false"},
        {"active": "true", "min_price": "5", "max_price": "60"},
        {"q": "e", "status": "low", "category": category.pk},
        {"q": "no product is called this"},
    ]


def every_slice_as_before(stores) -> int:
    """Every store, filter set, direction, slice and page of StoreStockOrder against the
    single ORDER BY; the number of pages compared."""
    checked = 0
    for store in stores:
        for extra in filter_sets():
            queryset = filtered({"store": store.pk, **extra})
            for descending in (False, True):
                expected = rows(today(queryset, descending))
                order = StoreStockOrder(queryset, store_id=store.pk, descending=descending)
                assert order.count() == len(expected)
                assert rows(order[0 : len(expected) + 5]) == expected
                for size in (7, 26):
                    for start in range(0, len(expected) + size, size):
                        assert rows(order[start : start + size]) == expected[start : start + size]
                        checked += 1
                assert rows(order[len(expected) + 100 : len(expected) + 126]) == []
                if expected:
                    assert rows([order[len(expected) - 1]]) == expected[-1:]
    return checked


# (few, walk, hash_max, from_the_end), each way of reading the page; one test, one demo
# seed (~20 s).
WAYS = [(1000, 40, 10_000, 500), (0, 0, 0, 0), (40, 1, 3, 30), (1000, 0, 10_000, 500)]


def test_every_slice_and_page_equals_the_single_order_by(demo_shop, client_for, monkeypatch):
    """For each of WAYS: `few`: the products without a level read from their MissingLevel
    pairs in every store (1000), walked by name in every store (0), or each way in some
    (40). `walk`: ascending, the products at the store's lowest positive quantity found by
    sorting them (40: the demo's stores hold too few at one quantity), by walking the name
    index (0: always), or each way depending on the page and store (1). `hash_max`: a
    walk checks each product against those levels hashed (10,000: always), by a probe of
    its level (0: always), or each way depending on the store (3). `from_the_end`: a
    page in the second half of the list read from the other end of it (the exact reverse
    order) never (500: the demo's lists are shorter), always (0), or past row 30."""
    stores = demo_shop
    assert Product.objects.count() > 40
    missing = {
        s.pk: Product.objects.exclude(stock_levels__store=s).count() for s in stores
    }  # products without a level in the store: they count as 0
    assert missing[stores[-1].pk] == Product.objects.count() - 2
    assert sorted(missing.values())[0] <= 40 < sorted(missing.values())[-1]
    assert StockLevel.objects.filter(store=stores[-1], quantity=0).count() == 1
    client = client_for("Viewer")
    for few, walk, hash_max, from_the_end in WAYS:
        monkeypatch.setattr(store_order, "FEW_MISSING", few)
        monkeypatch.setattr(store_order, "WALK", walk)
        monkeypatch.setattr(store_order, "HASH_MAX", hash_max)
        monkeypatch.setattr(store_order, "FROM_THE_END", from_the_end)
        checked = every_slice_as_before(stores)
        assert checked > 400, (few, walk, hash_max, from_the_end)
        for sort in ("on_hand", "-on_hand", "stock_status", "-stock_status"):
            for store in (stores[0], stores[-1]):
                for extra in ({}, {"q": "twin", "status": "out"}):
                    every_page_as_before(client, {"store": store.pk, "sort": sort, **extra})


def test_the_zeros_lead_ascending_and_close_descending(shop):
    corner = shop[-1]
    queryset = filtered({"store": corner.pk, "q": "twin"})
    ascending = rows(StoreStockOrder(queryset, store_id=corner.pk, descending=False)[0:10])
    twins = {p.sku: p.pk for p in Product.all_objects.filter(sku__startswith="TWIN-")}
    off = Product.objects.get(sku="OFF-1").pk
    # On-hand 0 in the store (no level, or TWIN-1's level at 0), by name then pk; the
    # inactive product counts neither low nor out, like every other list.
    zeros = sorted([twins["TWIN-1"], twins["TWIN-2"], twins["TWIN-3"], off])
    assert [(pk, on_hand) for pk, _, on_hand, _ in ascending] == [
        *((pk, 0) for pk in zeros),
        (twins["TWIN-0"], 5),
    ]
    assert [status for *_, status in ascending] == ["out", "out", "out", "out", "low"]
    descending = rows(StoreStockOrder(queryset, store_id=corner.pk, descending=True)[0:10])
    assert [pk for pk, *_ in descending] == [twins["TWIN-0"], *zeros]


def test_a_page_s_rows_read_by_their_kept_statement_as_the_orm_builds_them(shop):
    """The page's rows come from the statement kept for the list's filters and columns (a
    raw query), with the same fields, deferred fields, annotations and types as the ORM's
    rows of the same products; a second request of the same list takes the same kept
    statement."""
    corner = shop[-1]
    queryset = filtered({"store": corner.pk, "q": "twin"})
    order = StoreStockOrder(queryset, store_id=corner.pk, descending=False)
    key = order._parts_key()
    kept_rows = order._rows_sql(key)
    assert kept_rows is not None
    again = StoreStockOrder(
        filtered({"store": corner.pk, "q": "twin"}), store_id=corner.pk, descending=False
    )
    assert again._rows_sql(again._parts_key()) is kept_rows
    page = order[0:10]
    orm = list(today(queryset, False))
    assert [p.pk for p in page] == [p.pk for p in orm]
    for raw, built in zip(page, orm, strict=True):
        assert raw.get_deferred_fields() == built.get_deferred_fields()
        for name in ("pk", "sku", "name", "selling_price", "active", "on_hand", "stock_status"):
            assert getattr(raw, name) == getattr(built, name)
            assert type(getattr(raw, name)) is type(getattr(built, name)), name
    assert [(p.sku, p.on_hand, p.stock_status) for p in page][-1] == ("TWIN-0", 5, "low")


def _tbody(html: str) -> str:
    return html[html.index("<tbody") : html.index("</tbody>")]


def every_page_as_before(client, params: dict) -> None:
    """The list's pages (9 rows each, full page and htmx partial) give the rows in the
    order of the single ORDER BY, and the last one says it is the last."""
    params = {**params, "per_page": 9}
    expected = rows(today(filtered(params), params["sort"].startswith("-")))
    seen, page = [], 1
    while True:
        response = client.get(reverse("product-list"), {**params, "page": page})
        table = response.context["table"]
        seen += rows(row.record for row in table.page.object_list)
        if not table.page.has_next():
            break
        page += 1
    assert seen == expected, params
    assert page == max(1, -(-len(expected) // 9))
    htmx = client.get(reverse("product-list"), {**params, "page": 2}, HTTP_HX_REQUEST="true")
    if len(expected) > 9:
        # The partial holds page 2's rows as the full page 2 writes them (the partial's
        # table is written in one pass, which renders no template the test client records).
        full = client.get(reverse("product-list"), {**params, "page": 2})
        assert (
            rows(row.record for row in full.context["table"].page.object_list) == (expected[9:18])
        )
        assert _tbody(htmx.content.decode()) == _tbody(full.content.decode())


def test_one_statement_for_the_page_whatever_the_rows(shop, client_for):
    client = client_for("Viewer")
    url = reverse("product-list")
    store = shop[0]

    def count(params):
        client.get(url, params)  # the reference lists kept after a change (apps.core.reference)
        with client_binding(), CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        listing = [q for q in queries if "catalog_product" in q["sql"] and "LIMIT" in q["sql"]]
        return len(queries), len(listing)

    client.get(url)
    plain = count({"store": store.pk})
    few = [count({"store": store.pk, "sort": sort}) for sort in ("on_hand", "-on_hand")]
    assert few == [plain, plain] and plain[1] == 1
    for product in ProductFactory.create_batch(30):
        stock_receive(store=store, product=product, quantity=3)
    assert [count({"store": store.pk, "sort": sort}) for sort in ("on_hand", "-on_hand")] == few


def test_a_store_with_a_level_for_every_product_skips_none(client_for):
    """Every product has a level in the store (some at 0), so it has no MissingLevel
    pairs and the walk for products without a level is skipped (its count gate is
    false): the rows are still every product, in the single ORDER BY's order; a new
    product without a level there shows up again, from its pair."""
    full = StoreFactory(name="Full")
    products = [ProductFactory(sku=f"ALL-{n}", name=f"Item {n % 3}") for n in range(7)]
    for product, quantity in zip(products, (4, 0, 2, 4, 0, 9, 1), strict=True):
        stock_receive(store=full, product=product, quantity=quantity or 1)
        if not quantity:
            stock_remove(store=full, product=product, quantity=1, reason="lost")
    assert StockLevel.objects.filter(store=full).count() == Product.all_objects.count() == 7
    assert full.stock_total.levels == 7
    for descending in (False, True):
        queryset = filtered({"store": full.pk})
        expected = rows(today(queryset, descending))
        order = StoreStockOrder(queryset, store_id=full.pk, descending=descending)
        assert [sku for _, sku, _, _ in expected][:2] == (
            ["ALL-5", "ALL-0"] if descending else ["ALL-1", "ALL-4"]
        )
        assert rows(order[0:20]) == expected and len(expected) == 7
        assert rows(order[2:5]) == expected[2:5]
    assert not MissingLevel.objects.filter(store=full).exists()
    late = ProductFactory(sku="LATE-1", name="Aaa first")  # no level in the store
    assert list(MissingLevel.objects.filter(store=full).values_list("product_id", flat=True)) == [
        late.pk
    ]
    queryset = filtered({"store": full.pk})
    ascending = rows(StoreStockOrder(queryset, store_id=full.pk, descending=False)[0:3])
    assert [sku for _, sku, _, _ in ascending] == ["LATE-1", "ALL-1", "ALL-4"]
    assert rows(today(queryset, False))[:3] == ascending


def test_the_status_filter_bounds_keep_exactly_the_products_of_that_status(demo_shop):
    """`filter_status` adds on-hand ranges to the status CASE (out <= 0, low in (0,
    highest threshold], in stock above the lowest threshold) for the indexes; the products
    are exactly those the CASE alone gives, for every store and all stores, with products
    whose own threshold is below, at and above the company default, on-hands at 0, at a
    threshold, one past it, and no level at all."""
    from apps.inventory import selectors

    store = demo_shop[0]
    for n, (threshold, quantity) in enumerate(
        [(2, 2), (2, 3), (25, 25), (25, 26), (None, 10), (None, 11), (0, 1), (3, 0)]
    ):
        product = ProductFactory(sku=f"EDGE-{n}", low_stock_threshold=threshold)
        stock_receive(store=store, product=product, quantity=quantity or 1)
        if not quantity:
            stock_remove(store=store, product=product, quantity=1, reason="lost")
    assert selectors.lowest_threshold() == 0 and selectors.highest_threshold() == 25
    checked = 0
    for store_id in (None, *(s.pk for s in demo_shop)):
        products = selectors.annotate_products(Product.objects.all(), store_id=store_id)
        for status in ("out", "low", "ok"):
            bounded = set(selectors.filter_status(products, status).values_list("pk", flat=True))
            plain = set(products.filter(stock_status=status).values_list("pk", flat=True))
            assert bounded == plain, (store_id, status)
            checked += len(plain)
    assert checked == (len(demo_shop) + 1) * Product.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server binding is PostgreSQL's")
def test_pages_bound_on_the_server_are_planned_once_and_read_the_same_rows(demo_shop):
    """As a list page reads it (`server_binding`), the page statement goes with its values
    written into its text (`planned_once`): the same rows and pages as the single ORDER
    BY, and, prepared, a statement without parameters, which PostgreSQL plans once per
    connection (with parameters it kept planning it for every page: 0 generic plans)."""
    store = demo_shop[0].pk
    with server_binding():
        assert every_slice_as_before(demo_shop) > 400
        queryset = filtered({"store": store})
        expected = rows(today(queryset, False)[0:26])
        for _ in range(8):  # psycopg prepares a statement on its 5th run
            order = StoreStockOrder(queryset, store_id=store, descending=False)
            assert rows(order[0:26]) == expected
        prepared = prepared_statements(
            "%stock_gate%", "parameter_types::text, generic_plans, custom_plans"
        )
    assert len(prepared) == 1, prepared
    types, generic, custom = prepared[0]
    assert (types, custom) == ("{}", 0) and generic >= 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server binding is PostgreSQL's")
def test_the_page_written_in_is_planned_as_the_bound_one(demo_shop):
    """The page statement with its values written in (`written_in`) gets the plan its bound
    form got, node for node and cost for cost: with untyped integers a UNION ALL of a 0
    and a bigint column was not flattened, and page 2 took another (parallel) plan."""
    sent = []

    def keep(execute, sql, params, many, context):
        if "stock_gate" in sql:
            sent.append((sql, params))
        return execute(sql, params, many, context)

    for store in demo_shop[:2]:
        for params in ({}, {"status": "low"}, {"active": "true", "min_price": "5"}):
            queryset = filtered({"store": store.pk, **params})
            for descending in (False, True):
                order = StoreStockOrder(queryset, store_id=store.pk, descending=descending)
                with connection.execute_wrapper(keep):
                    for start in (0, 7):
                        list(order[start : start + 7])
    assert len(sent) == 24
    with server_binding(), connection.cursor() as cursor:
        for sql, params in sent:
            cursor.execute("EXPLAIN " + sql, params)
            bound = [row[0] for row in cursor.fetchall()]
            cursor.execute("EXPLAIN " + written_in(sql, params, connection.connection))
            written = [row[0] for row in cursor.fetchall()]
            costs = [re.findall(r"\(cost=[^)]*\)", line) for line in bound]
            assert costs == [re.findall(r"\(cost=[^)]*\)", line) for line in written]
            assert [_nodes(line) for line in bound] == [_nodes(line) for line in written]


def _nodes(line: str) -> str:
    """A plan line without its constants (`$1` bound, a literal written in)."""
    return re.sub(r"\$\d+|CAST\([^)]*\)|'[^']*'::[a-z ]+|\b\d+\b", "#", line)
