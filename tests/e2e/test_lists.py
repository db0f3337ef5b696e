"""The shared list page in a real browser: search-as-you-type and sorting swap only the
table; a link inside a row is an ordinary navigation."""

import re

import pytest
from playwright.sync_api import expect

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
    page.get_by_label("Active").select_option(label="No")  # a second filter, a select
    expect(page.locator("#table tbody")).to_contain_text("Nothing matches these filters.")
    page.get_by_label("Active").select_option(label="Unknown")
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
