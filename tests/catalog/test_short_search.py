"""A product search of one or two characters (apps/catalog/models.py, `search`): on
PostgreSQL it matches the stored `search_upper` column (migration catalog 0013), and finds
exactly the products `icontains` on the name or SKU, or the exact barcode, finds."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.catalog.models import Product

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

TEXTS = ["zz", "Zz", "z", "ZZ", "é", "É", "%", "_", "\\", "1", "-", "a%", "b_", "9x", " z "]


def _icontains(text: str) -> set[str]:
    """What Django's own lookups find: the search as written for three or more characters."""
    text = text.strip()
    found = Product.objects.filter(
        Q(name__icontains=text) | Q(sku__icontains=text) | Q(barcode=text)
    )
    return set(found.values_list("sku", flat=True))


@pytest.fixture
def products():
    ProductFactory(sku="PZ-1", name="Pizza oven")
    ProductFactory(sku="zz-low", name="Lower sku")
    ProductFactory(sku="BLZ", name="Blitz")  # ends in Z ...
    ProductFactory(sku="ZA-1", name="Blitz")  # ... and the SKU starts with Z: no "ZZ" across
    ProductFactory(sku="CAFE-1", name="Café crème")
    ProductFactory(sku="PCT-1", name="50% off")
    ProductFactory(sku="a_b", name="Under score")
    ProductFactory(sku="BS-1", name="Back\\slash")
    ProductFactory(sku="BC-1", name="Barcoded", barcode="zz")
    ProductFactory(sku="9X-2", name="Model 9x")
    gone = ProductFactory(sku="ZZ-GONE", name="Deleted zz")
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])


@pytest.mark.parametrize("text", TEXTS)
def test_a_short_search_finds_what_icontains_finds(products, text):
    """On PostgreSQL the stored column against Django's lookups (SQLite uses the lookups)."""
    found = set(Product.objects.search(text).values_list("sku", flat=True))
    assert found == _icontains(text)


def test_the_short_search_finds_in_any_case_never_across_name_and_sku(products):
    assert set(Product.objects.search("zz").values_list("sku", flat=True)) == {
        "PZ-1",  # "Pizza" in its name
        "zz-low",  # its SKU, in lower case
        "BC-1",  # its barcode, exactly
    }
    assert set(Product.objects.search("%").values_list("sku", flat=True)) == {"PCT-1"}
    assert set(Product.objects.search("_").values_list("sku", flat=True)) == {"a_b"}
    # the deleted product is found only where deleted ones are (the trash)
    assert "ZZ-GONE" in set(Product.all_objects.search("zz").values_list("sku", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored column")
def test_postgresql_reads_the_stored_column(products):
    with CaptureQueriesContext(connection) as queries:
        assert Product.all_objects.search_keys("zz")
        assert Product.all_objects.search_keys("zzz") == []
    short, long = (query["sql"] for query in queries.captured_queries)
    assert "search_upper LIKE" in short
    assert "search_upper" not in long
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_upper FROM catalog_product WHERE sku = 'PZ-1'")
        assert cursor.fetchone() == ("PIZZA OVEN\nPZ-1",)
