"""The shared list page in a real browser: search-as-you-type and sorting swap only the
table; a link inside a row is an ordinary navigation."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .pages import CUT_TABLES, LAPTOP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_sort_and_row_links(demo_users, login, live_server):
    page = login("accountant@demo.test")
    page.goto(f"{live_server.url}/finance/currencies/")
    heading = page.get_by_role("heading", name="Currencies")
    heading.evaluate(
        "el => el.dataset.marker = 'original'"
    )  # survives only if the page is not reloaded

    page.get_by_label("Search").fill("dinar")  # typing, no submit
    expect(page.locator("#table tbody tr")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"q=dinar"))
    page.get_by_label("Active").select_option(label="Active: no")  # a second filter, a select
    expect(page.locator("#table tbody")).to_contain_text("Nothing matches these filters.")
    page.get_by_label("Active").select_option(label="Active: any")
    expect(page.locator("#table tbody tr")).to_have_count(3)
    assert heading.evaluate("el => el.dataset.marker") == "original"

    page.locator("#table thead").get_by_role("link", name="Code").click()
    expect(page).to_have_url(re.compile(r"sort=code"))
    expect(page.locator("#table tbody tr").first).to_contain_text("BHD")
    assert heading.evaluate("el => el.dataset.marker") == "original"

    page.locator("#table tbody").get_by_role("link", name="KWD").click()
    expect(page).to_have_url(f"{live_server.url}/finance/currencies/KWD/")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_label("Name")).to_have_value("Kuwaiti Dinar")


def test_column_chooser_shows_and_hides_columns_and_the_url_keeps_them(
    demo_users, login, live_server
):
    """Issue 13 item 4: wide lists show fewer columns by default; "Columns" adds the rest,
    nothing is cut at 1440 px even with every column on, and Back restores a choice."""
    from tests.inventory.factories import StoreFactory
    from tests.sales.factories import currency, make_product, stocked

    currency("USD")
    tea = make_product("4.50", sku="TEA-1", cost_price=Decimal("2.50"))
    stocked(StoreFactory(name="Main Store"), tea, 12)
    page = login("warehouse@demo.test")
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/inventory/movements/")
    header = page.locator("#movement-table thead")
    expect(header).to_contain_text("Before")
    expect(header).not_to_contain_text("Unit cost")

    page.get_by_role("button", name="Columns").click()
    for label in ("Unit cost", "Value", "Reason"):
        page.get_by_label(label, exact=True).check()
    expect(header).to_contain_text("Unit cost")
    expect(page.locator("#movement-table tbody tr").first).to_contain_text("30.00")  # 12 x 2.50
    expect(page).to_have_url(re.compile(r"cols=unit_cost"))
    assert page.evaluate(CUT_TABLES) == []  # every column on, still not cut

    page.get_by_label("By", exact=True).uncheck()
    expect(header).not_to_contain_text("By")
    page.go_back()
    expect(header).to_contain_text("By")
    expect(header).to_contain_text("Unit cost")
