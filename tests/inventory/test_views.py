"""Stock screens: forms with inline errors, permissions, live availability, lists, CSV."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.inventory.models import StockLevel, StockMovement, Store
from apps.inventory.services import stock_receive, stock_remove, stock_restock, stock_transfer
from tests.catalog.factories import ProductFactory

from .factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(client_for):
    return client_for("Warehouse")


@pytest.fixture
def tea(db):
    return ProductFactory(sku="TEA-1", name="Green tea", barcode="5000000000012")


def csv_rows(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_warehouse_receives_stock_through_the_form(warehouse, stores, tea):
    response = warehouse.post(
        reverse("stock-receive"),
        {"store": stores[0].pk, "product": "tea-1", "quantity": "12", "reference": "PO-1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/inventory/receive/?store={stores[0].pk}"
    movement = StockMovement.objects.get()
    assert (movement.movement_type, movement.quantity, movement.reference) == (
        "receipt",
        12,
        "PO-1",
    )
    assert movement.user.email == "warehouse@example.test"
    page = warehouse.get(response["Location"])
    assert "Received 12 × TEA-1 into Store A at 6.0000 each (value 72.00); now 12." in (
        page.content.decode()
    )
    assert page.context["form"].initial["store"] == str(stores[0].pk)


def test_product_may_be_scanned_by_barcode(warehouse, stores, tea):
    warehouse.post(
        reverse("stock-receive"),
        {"store": stores[0].pk, "product": "5000000000012", "quantity": "3"},
    )
    assert StockLevel.objects.get(store=stores[0], product=tea).quantity == 3


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("-2", "Ensure this value is greater than or equal to 1."),
        ("1.5", "Enter a whole number."),
        ("abc", "Enter a whole number."),
        ("", "This field is required."),
        ("1000001", "Ensure this value is less than or equal to 1000000."),
        ("99999999999999999999999", "Ensure this value is less than or equal to 1000000."),
    ],
)
def test_bad_quantities_are_errors_next_to_the_field(warehouse, stores, tea, quantity, error):
    response = warehouse.post(
        reverse("stock-receive"),
        {"store": stores[0].pk, "product": "TEA-1", "quantity": quantity},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"quantity": [error]}
    assert not StockMovement.objects.exists()


def test_unknown_product_inactive_store_and_deleted_product(warehouse, stores, tea):
    url = reverse("stock-receive")
    response = warehouse.post(url, {"store": stores[0].pk, "product": "NOPE", "quantity": "1"})
    assert response.context["form"].errors == {
        "product": ["No product with SKU or barcode “NOPE”."]
    }
    Store.objects.filter(pk=stores[1].pk).update(active=False)
    response = warehouse.post(url, {"store": stores[1].pk, "product": "TEA-1", "quantity": "1"})
    assert list(response.context["form"].errors) == ["store"]
    response = warehouse.post(url, {"store": 999999, "product": "TEA-1", "quantity": "1"})
    assert list(response.context["form"].errors) == ["store"]
    tea.soft_delete()
    response = warehouse.post(url, {"store": stores[0].pk, "product": "TEA-1", "quantity": "1"})
    assert response.context["form"].errors == {
        "product": ["TEA-1 is in the trash and takes no stock movements."]
    }
    assert not StockMovement.objects.exists()


def test_removing_more_than_available_shows_the_error_and_changes_nothing(warehouse, stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=4)
    response = warehouse.post(
        reverse("stock-remove"),
        {"store": stores[0].pk, "product": "TEA-1", "quantity": "5", "reason": "damaged"},
    )
    assert response.status_code == 200
    message = "Not enough TEA-1 (Green tea) in Store A: 4 available, 5 requested."
    assert response.context["form"].errors == {"quantity": [message]}
    assert message in response.content.decode()
    assert StockLevel.objects.get(store=stores[0], product=tea).quantity == 4


def test_remove_needs_a_reason(warehouse, stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=4)
    response = warehouse.post(
        reverse("stock-remove"), {"store": stores[0].pk, "product": "TEA-1", "quantity": "1"}
    )
    assert response.context["form"].errors == {"reason": ["This field is required."]}


def test_adjust_and_transfer_forms(warehouse, stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=10)
    response = warehouse.post(
        reverse("stock-adjust"),
        {"store": stores[0].pk, "product": "TEA-1", "counted_quantity": "8", "reason": "lost"},
    )
    assert response.status_code == 302
    response = warehouse.post(
        reverse("stock-transfer"),
        {"from_store": stores[0].pk, "to_store": stores[1].pk, "product": "TEA-1", "quantity": "3"},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/inventory/transfer/?from_store={stores[0].pk}&to_store={stores[1].pk}"
    )
    levels = dict(StockLevel.objects.values_list("store__code", "quantity"))
    assert levels == {"A": 5, "B": 3}
    same = warehouse.post(
        reverse("stock-transfer"),
        {"from_store": stores[0].pk, "to_store": stores[0].pk, "product": "TEA-1", "quantity": "1"},
    )
    assert same.context["form"].errors == {"to_store": ["Choose a store other than the source."]}


def test_available_quantity_updates_live(warehouse, stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=7)
    response = warehouse.get(
        reverse("stock-remove"),
        {"_partial": "available", "store": stores[0].pk, "product": "tea-1"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode().strip()
    assert html.startswith("<div>Store <strong>Store A</strong>")
    assert "<html" not in html
    assert '<strong class="available-quantity">7</strong> × TEA-1' in html
    transfer = warehouse.get(
        reverse("stock-transfer"),
        {
            "_partial": "available",
            "from_store": stores[0].pk,
            "to_store": stores[1].pk,
            "product": "TEA-1",
        },
        HTTP_HX_REQUEST="true",
    )
    text = " ".join(transfer.content.decode().split())
    assert (
        'From store <strong>Store A</strong>: <strong class="available-quantity">7</strong>' in text
    )
    assert (
        'To store <strong>Store B</strong>: <strong class="available-quantity">0</strong>' in text
    )


@pytest.mark.parametrize("role", ["Sales", "Viewer", "Accountant"])
def test_readers_see_stock_but_cannot_move_it(client_for, stores, tea, role):
    client = client_for(role)
    assert client.get(reverse("stock-list")).status_code == 200
    assert client.get(reverse("movement-list")).status_code == 200
    for name in ("stock-receive", "stock-remove", "stock-adjust", "stock-transfer", "store-create"):
        assert client.get(reverse(name)).status_code == 403
    response = client.post(
        reverse("stock-receive"), {"store": stores[0].pk, "product": "TEA-1", "quantity": "1"}
    )
    assert response.status_code == 403
    assert not StockMovement.objects.exists()


def test_customer_and_anonymous_get_no_stock(client_for, client):
    assert client_for("Customer").get(reverse("stock-list")).status_code == 403
    assert client.get(reverse("movement-list")).status_code == 302


def make_history(stores, products, per_product=3):
    for product in products:
        stock_receive(store=stores[0], product=product, quantity=20, reference="PO")
        for _ in range(per_product - 1):
            stock_transfer(from_store=stores[0], to_store=stores[1], product=product, quantity=1)


def test_movement_list_filters(client_for, stores, make_user):
    viewer = client_for("Viewer")
    tea, cup = ProductFactory(sku="TEA-1"), ProductFactory(sku="CUP-1", name="Blue cup")
    wes = make_user("Warehouse", email="wes@example.test")
    stock_receive(store=stores[0], product=tea, quantity=5, user=wes)
    stock_receive(store=stores[1], product=cup, quantity=5, reference="PO-CUP")
    stock_remove(store=stores[1], product=cup, quantity=2, reason="lost")

    def skus(**params):
        response = viewer.get(reverse("movement-list"), params)
        return [(m.product_sku, m.movement_type) for m in response.context["page"].rows]

    assert skus() == [("CUP-1", "manual_removal"), ("CUP-1", "receipt"), ("TEA-1", "receipt")]
    assert skus(store=stores[0].pk) == [("TEA-1", "receipt")]
    assert skus(product="cup-1") == [("CUP-1", "manual_removal"), ("CUP-1", "receipt")]
    assert skus(product="blue") == [("CUP-1", "manual_removal"), ("CUP-1", "receipt")]
    assert skus(movement_type="manual_removal") == [("CUP-1", "manual_removal")]
    assert skus(user=wes.pk) == [("TEA-1", "receipt")]
    assert skus(reference="po-cup") == [("CUP-1", "receipt")]
    today = timezone.localdate()
    assert len(skus(start=today.isoformat(), end=today.isoformat())) == 3
    assert skus(end=(today - dt.timedelta(days=1)).isoformat()) == []
    assert skus(start="not-a-date") == []  # a bad filter shows the error, not everything


def _received(store, times: int) -> list[int]:
    """`times` receipts of one product: the movement ids, newest first."""
    product = ProductFactory()
    for _ in range(times):
        stock_receive(store=store, product=product, quantity=1)
    return list(StockMovement.objects.order_by("-id").values_list("id", flat=True))


def test_movement_list_pages_by_keyset(client_for, stores):
    viewer = client_for("Viewer")
    ids = _received(stores[0], 120)
    first = viewer.get(reverse("movement-list")).context
    assert [m.pk for m in first["page"].rows] == ids[:50]
    assert first["table"].keyset_links["newer"] is None
    older = first["table"].keyset_links["older"]
    assert older == f"?&before={ids[49]}"
    second = viewer.get(reverse("movement-list") + older).context
    assert [m.pk for m in second["page"].rows] == ids[50:100]
    third = viewer.get(reverse("movement-list") + second["table"].keyset_links["older"]).context
    assert [m.pk for m in third["page"].rows] == ids[100:]
    assert third["table"].keyset_links["older"] is None
    back = viewer.get(reverse("movement-list") + third["table"].keyset_links["newer"]).context
    assert [m.pk for m in back["page"].rows] == ids[50:100]


def test_movement_list_takes_a_page_size_within_bounds(client_for, stores):
    viewer = client_for("Viewer")
    ids = _received(stores[0], 30)
    url = reverse("movement-list")
    page = viewer.get(url + "?per_page=25").context
    assert [m.pk for m in page["page"].rows] == ids[:25]
    older = page["table"].keyset_links["older"]
    assert older == f"?per_page=25&before={ids[24]}"  # the next page keeps the size
    assert [m.pk for m in viewer.get(url + older).context["page"].rows] == ids[25:]
    for asked, shown in (("0", 1), ("-5", 1), ("abc", 30), ("1000000000000", 30)):
        assert len(viewer.get(url + f"?per_page={asked}").context["page"].rows) == shown


def test_movement_list_htmx_partial_and_csv(client_for, stores):
    viewer = client_for("Viewer")
    product = ProductFactory(sku="TEA-1", name="Tea")
    stock_receive(store=stores[0], product=product, quantity=4, reference="PO-1")
    stock_transfer(from_store=stores[0], to_store=stores[1], product=product, quantity=1)
    partial = viewer.get(reverse("movement-list"), {"store": stores[1].pk}, HTTP_HX_REQUEST="true")
    assert partial.content.lstrip().startswith(b'<div id="table"')
    assert b"Transfer in" in partial.content and b"Receipt" not in partial.content
    rows = csv_rows(viewer.get(reverse("movement-list"), {"_export": "csv"}))
    assert rows[0][:6] == ["id", "when", "type", "store", "other_store", "sku"]
    assert [(r[2], r[3], r[4], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("transfer_in", "B", "A", "1", "0", "1"),
        ("transfer_out", "A", "B", "-1", "4", "3"),
        ("receipt", "A", "", "4", "0", "4"),
    ]


def count_queries(client, url):
    client.get(url)  # the reference lists kept after the latest change (apps.core.reference)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["movement-list", "stock-list", "stock-low", "store-list"])
def test_list_query_count_does_not_grow_with_rows(client_for, stores, url_name):
    viewer = client_for("Viewer")
    url = reverse(url_name)
    make_history(stores, [ProductFactory(low_stock_threshold=50) for _ in range(2)])
    viewer.get(url)  # warm the session and content types
    few = count_queries(viewer, url)
    make_history(stores, [ProductFactory(low_stock_threshold=50) for _ in range(30)])
    StoreFactory()
    assert count_queries(viewer, url) == few


def test_stock_list_filters_status_and_csv(client_for, stores):
    viewer = client_for("Viewer")
    low = ProductFactory(sku="LOW-1", low_stock_threshold=5)
    out = ProductFactory(sku="OUT-1")
    ok = ProductFactory(sku="OK-1", low_stock_threshold=2)
    stock_receive(store=stores[0], product=low, quantity=5)
    stock_receive(store=stores[0], product=out, quantity=1)
    stock_remove(store=stores[0], product=out, quantity=1, reason="lost")
    stock_receive(store=stores[1], product=ok, quantity=3)

    def rows(**params):
        response = viewer.get(reverse("stock-list"), params)
        return sorted(
            (
                r.record["product__sku"],
                r.record["store__name"],
                r.record["quantity"],
                r.record["status"],
            )
            for r in response.context["table"].page.object_list
        )

    assert rows() == [
        ("LOW-1", "Store A", 5, "low"),
        ("OK-1", "Store B", 3, "ok"),
        ("OUT-1", "Store A", 0, "out"),
    ]
    assert rows(status="low") == [("LOW-1", "Store A", 5, "low")]
    assert rows(store=stores[1].pk) == [("OK-1", "Store B", 3, "ok")]
    assert rows(q="out") == [("OUT-1", "Store A", 0, "out")]
    exported = csv_rows(viewer.get(reverse("stock-list"), {"_export": "csv", "status": "out"}))
    assert exported == [
        [
            "Store",
            "SKU",
            "Product",
            "Category",
            "Quantity",
            "Unit cost",
            "Value",
            "Alert at",
            "Stock",
        ],
        [
            "Store A",
            "OUT-1",
            out.name,
            out.category.name,
            "0",
            "6.0000",
            "0.00",
            "10",
            "Out of stock",
        ],
    ]
    partial = viewer.get(
        reverse("stock-list"), {"_partial": "summaries"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    cards = [
        " ".join(re.sub("<[^>]+>", " ", "<a " + card).split()) for card in partial.split("<a ")[1:]
    ]
    assert cards == [
        "Store A A 1 product in stock · 5 units · worth 30.00 USD · 2 low or out",
        "Store B B 1 product in stock · 3 units · worth 18.00 USD",
        "Store C C 0 products in stock · 0 units · worth 0.00 USD",
    ]


def test_low_stock_page_lists_low_and_out_in_active_stores(client_for, stores):
    viewer = client_for("Viewer")
    # Named: the factory's "Product <n>" names sort "Product 100" before "Product 99".
    a = ProductFactory(sku="A-1", name="Alpha", low_stock_threshold=3)
    b = ProductFactory(sku="B-1", name="Beta")
    stock_receive(store=stores[0], product=a, quantity=3)  # low (<= 3)
    stock_receive(store=stores[1], product=a, quantity=4)  # fine
    stock_receive(store=stores[2], product=b, quantity=10)  # low (default 10)
    stock_receive(store=stores[0], product=b, quantity=11)  # fine
    inactive = ProductFactory(sku="OFF-1", active=False)
    stock_receive(store=stores[0], product=inactive, quantity=1)
    response = viewer.get(reverse("stock-low"))
    listed = [
        (r.record["product__sku"], r.record["store__name"], r.record["quantity"])
        for r in response.context["table"].page.object_list
    ]
    assert listed == [("A-1", "Store A", 3), ("B-1", "Store C", 10)]
    Store.objects.filter(pk=stores[2].pk).update(active=False)
    response = viewer.get(reverse("stock-low"))
    assert len(response.context["table"].page.object_list) == 1


def test_store_create_normalises_code_and_refuses_duplicates(client_for, stores):
    admin = client_for("Admin")
    response = admin.post(
        reverse("store-create"), {"name": "Airport Kiosk", "code": " air ", "active": "on"}
    )
    assert response.status_code == 302
    assert Store.objects.get(name="Airport Kiosk").code == "AIR"
    again = admin.post(reverse("store-create"), {"name": "Store a", "code": "a", "active": "on"})
    assert again.context["form"].errors == {
        "name": ["A store with this name already exists."],
        "code": ["A store with this code already exists."],
    }
    warehouse = client_for("Warehouse")
    response = warehouse.post(
        reverse("store-update", args=[stores[2].pk]),
        {"name": "Store C", "code": "C", "active": ""},
    )
    assert response.status_code == 302
    assert Store.objects.get(pk=stores[2].pk).active is False


def test_dashboard_shows_stock_figures_to_warehouse(client_for, stores):
    product = ProductFactory(low_stock_threshold=5)
    stock_receive(store=stores[0], product=product, quantity=4)
    stock_receive(store=stores[1], product=product, quantity=1)
    stock_remove(store=stores[1], product=product, quantity=1, reason="lost")
    response = client_for("Warehouse").get("/")
    cards = {card.title: list(card.figures) for card in response.context["cards"]}
    assert cards["Stock"] == [
        ("Units on hand", "4"),
        ("Low stock", "1"),
        ("Out of stock", "1"),
        ("Movements today", "3"),
    ]
    assert cards["Catalog"] == [("Active products", "1"), ("Categories", "1")]


def test_movement_types_are_labelled(client_for, stores):
    product = ProductFactory()
    stock_restock(store=stores[0], lines=[(product, 2, Decimal("2.00"))], reference="RET-1")
    html = client_for("Viewer").get(reverse("movement-list")).content.decode()
    assert '<span class="badge text-bg-info">Return</span>' in html


# --- stock value on the screens ---------------------------------------------------------


def test_receive_form_takes_a_unit_cost_and_refuses_a_bad_one(warehouse, stores, tea):
    url = reverse("stock-receive")
    page = warehouse.get(url).content.decode()
    assert 'for="id_unit_cost"' in page
    assert "Unit cost (USD)" in page
    data = {"store": stores[0].pk, "product": "TEA-1", "quantity": "3"}
    bad = warehouse.post(url, {**data, "unit_cost": "1.23456"})
    assert bad.status_code == 200
    assert "Ensure that there are no more than 4 decimal places." in bad.content.decode()
    assert not StockMovement.objects.exists()
    response = warehouse.post(url, {**data, "unit_cost": "3.3333"})
    assert response.status_code == 302
    movement = StockMovement.objects.get()
    assert (movement.unit_cost, movement.value) == (Decimal("3.3333"), Decimal("10.00"))
    available = warehouse.get(
        url, {"_partial": "available", "store": stores[0].pk, "product": "TEA-1"}
    ).content.decode()
    assert '<span class="level-unit-cost">3.3333 USD</span> · value 10.00 USD' in available
    assert '<span id="product-cost">6.00 USD</span>' in available


def test_stock_pages_show_unit_cost_and_value(client_for, stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=3, unit_cost="3.3333")
    stock_receive(store=stores[1], product=tea, quantity=2, unit_cost="1.50")
    viewer = client_for("Viewer")
    levels = viewer.get(reverse("stock-list"), {"store": stores[0].pk}).content.decode()
    assert '<td class="text-end">3.3333</td>\n  <td class="text-end">10.00</td>' in levels
    summaries = viewer.get(reverse("stock-list"), {"_partial": "summaries"}).content.decode()
    assert summaries.count('worth <span class="store-value">') == 3
    assert 'worth <span class="store-value">10.00 USD</span>' in summaries
    assert 'worth <span class="store-value">3.00 USD</span>' in summaries
    moves = viewer.get(reverse("movement-list")).content.decode()
    assert 'data-label="Unit cost"' not in moves  # off by default (the column chooser)
    moves = viewer.get(reverse("movement-list"), {"cols": ["-", "unit_cost", "value"]})
    assert (
        '<td data-label="Unit cost" class="text-end">3.3333</td>\n'
        '      <td data-label="Value" class="text-end">10.00</td>'
    ) in moves.content.decode()
    export = csv_rows(viewer.get(reverse("movement-list"), {"_export": "csv"}))
    header = export[0]
    assert [row[header.index("value")] for row in export[1:]] == ["3.00", "10.00"]
    detail = viewer.get(reverse("product-detail", args=[tea.pk])).content.decode()
    assert "Average cost (USD)" in detail
    assert (
        '<td class="text-end" data-label="Average cost">3.3333</td>\n'
        '            <td class="text-end" data-label="Value">10.00</td>'
    ) in detail
    assert (
        '<td class="text-end" data-label="Average cost">1.5000</td>\n'
        '            <td class="text-end" data-label="Value">3.00</td>'
    ) in detail


def test_stock_rows_are_written_escaped_with_their_links(warehouse, client_for, stores):
    """StockLevelTable.rows_html writes what the row template wrote: escaped names, the
    SKU quoted in the action links, the badge, and no actions for a reader."""
    odd = ProductFactory(sku="A&B 1", name="<Tea> & co", low_stock_threshold=5, category=None)
    stock_receive(store=stores[0], product=odd, quantity=3, unit_cost="2.50")
    html = warehouse.get(reverse("stock-list")).content.decode()
    row = re.search(r"<tr>\s*<td>Store A</td>.*?</tr>", html, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[:9] == [
        "Store A",
        f'<a href="/catalog/products/{odd.pk}/">A&amp;B 1</a>',
        "&lt;Tea&gt; &amp; co",
        "—",
        "3",
        "2.5000",
        "7.50",
        "5",
        '<span class="badge text-bg-warning">Low</span>',
    ]
    receive = reverse("stock-receive")
    assert f'href="{receive}?store={stores[0].pk}&amp;product=A%26B%201">Receive</a>' in row
    viewer = client_for("Viewer").get(reverse("stock-list")).content.decode()
    assert "Transfer in" not in viewer and "&lt;Tea&gt; &amp; co" in viewer


def test_a_stock_search_names_its_few_products_by_key_and_many_by_subquery(
    client_for, stores, monkeypatch
):
    """`search_keys`: up to SEARCH_KEYS_AT_MOST products found are read first and the levels are
    filtered by their keys (a statement PostgreSQL plans in a third of the time); more than
    that stays a subquery. The rows are the same either way."""
    from django.db.models import QuerySet

    from apps.catalog.models import Product

    viewer = client_for("Viewer")
    for n in range(3):
        product = ProductFactory(sku=f"TEA-{n}", name=f"Green tea {n}")
        stock_receive(store=stores[n % 2], product=product, quantity=n + 1)
    stock_receive(store=stores[0], product=ProductFactory(sku="MUG-1", name="Mug"), quantity=9)
    teas = set(Product.objects.filter(sku__startswith="TEA-").values_list("pk", flat=True))

    def keys(at_most, text="green"):
        monkeypatch.setattr("apps.catalog.models.SEARCH_KEYS_AT_MOST", at_most)
        return Product.all_objects.search_keys(text)

    few = keys(3)
    assert isinstance(few, list) and set(few) == teas
    many = keys(2)
    assert isinstance(many, QuerySet) and set(many) == teas
    assert keys(500, "nothing like it") == []

    def rows(at_most):
        monkeypatch.setattr("apps.catalog.models.SEARCH_KEYS_AT_MOST", at_most)
        response = viewer.get(reverse("stock-list"), {"q": "green"})
        return [
            (r.record["product__sku"], r.record["store__name"], r.record["quantity"])
            for r in response.context["table"].page.object_list
        ]

    expected = [("TEA-0", "Store A", 1), ("TEA-1", "Store B", 2), ("TEA-2", "Store A", 3)]
    assert rows(3) == expected
    assert rows(2) == expected
    assert viewer.get(reverse("stock-list"), {"q": "zzz"}).context["table"].page.object_list == []
