"""Each table's declared columns are copied one column object each (apps.core.tables.Table),
not deep-copied: a table's changes to its columns stay its own."""

import django_tables2
import pytest

from apps.catalog.models import Product
from apps.catalog.tables import ProductTable
from apps.core.tables import Table
from tests.project_classes import project_subclasses


def _project_tables() -> list[type]:
    return project_subclasses(django_tables2.Table, ("tables",), Table)


def test_every_table_of_the_project_derives_from_the_core_table():
    tables = _project_tables()
    assert len(tables) == 29  # 27 declared on the core table, 2 on another table
    assert [t.__name__ for t in tables if not issubclass(t, Table)] == []
    assert [t.__name__ for t in tables if type(t.base_columns).__name__ != "_DeclaredColumns"] == []


@pytest.mark.django_db
def test_a_table_changes_only_its_own_columns():
    declared = ProductTable.base_columns["sku"]
    first = ProductTable(Product.objects.none())
    second = ProductTable(Product.objects.none())
    copy = first.columns["sku"].column
    assert copy is not declared and copy is not second.columns["sku"].column
    # the same attributes (tables2 names the accessor of the copy it binds), each a copy
    assert {k: v for k, v in vars(copy).items() if k != "accessor"} == {
        k: v for k, v in vars(declared).items() if k != "accessor"
    }
    assert (declared.accessor, copy.accessor) == (None, "sku")
    first.columns["sku"].column.verbose_name = "Code"
    first.columns.hide("sku")
    assert (declared.verbose_name, declared.visible) == ("SKU", True)
    assert (second.columns["sku"].verbose_name, second.columns["sku"].visible) == ("SKU", True)
    assert (first.columns["sku"].verbose_name, first.columns["sku"].visible) == ("Code", False)
    # ProductTable names the price's sort currency on its own copy, never the class's
    assert (
        ProductTable.base_columns["selling_price"].verbose_name
        != first.columns["selling_price"].verbose_name
    )
