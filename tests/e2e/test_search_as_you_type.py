"""Search as you type (issue 13 item 2): typing into a list's search box filters the table
after a short pause, without Enter; the input keeps its focus and caret while the table is
swapped; the address bar follows, so a filtered list can be bookmarked and Back undoes it."""

import re

import pytest
from playwright.sync_api import expect

from tests.demo import seed_demo_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (list, email, search box label, what to type, text every matching row shows)
LISTS = [
    ("/catalog/products/", "viewer@demo.test", "Search", "batter", "batteries"),
    ("/customers/", "sales@demo.test", "Search", "alpine", "Alpine Huts AG"),
    ("/sales/orders/", "sales@demo.test", "Search", "acme", "Acme Retail"),
    ("/inventory/movements/", "warehouse@demo.test", "Product", "ELE-002", "ELE-002"),
    ("/administration/audit/", "admin@demo.test", "Search", "cora", "Cora Customer"),
]


def test_lists_filter_while_typing_keep_the_caret_and_the_url(live_server, login):
    seed_demo_pages()
    for path, email, label, typed, shown in LISTS:
        page = login(email)
        page.goto(f"{live_server.url}{path}")
        rows = page.locator("main table tbody tr")
        before = rows.count()
        box = page.get_by_label(label, exact=True)
        box.click()
        half = len(typed) // 2
        box.press_sequentially(typed[:half], delay=40)
        page.wait_for_timeout(700)  # a pause: that part's request is sent and enters the history
        box.press_sequentially(typed[half:], delay=40)  # a person typing on; no Enter
        name = box.get_attribute("name")
        expect(page).to_have_url(re.compile(rf"[?&]{name}={re.escape(typed)}"), timeout=5000)
        expect(rows.first).to_contain_text(shown, ignore_case=True)
        texts = rows.all_inner_texts()
        assert 0 < len(texts) <= before, path
        assert all(shown.lower() in t.lower() for t in texts), (path, texts)
        assert box.evaluate("el => document.activeElement === el"), path
        assert box.evaluate("el => el.selectionStart") == len(typed), path
        page.go_back()  # Back returns to the unfiltered list
        expect(page).to_have_url(f"{live_server.url}{path}")
        expect(rows).to_have_count(before)
        page.context.clear_cookies()


# (list, label, datalist, what to type, a word of the suggestion to pick, text its rows show)
LOOKUPS = [
    ("/credit/transactions/", "Seller", "seller-options", "kios", "North Street Kiosk"),
    ("/ledger/journal/", "Account", "account-options", "bank", None),
]


def test_typed_lookups_suggest_filter_and_name_an_unknown_text(live_server, login):
    """The seller and account filters are text boxes (not a <select> of every seller or
    account): typing fills their suggestions, picking one filters the table, and text that
    names nothing says so under the box."""
    seed_demo_pages()
    page = login("admin@demo.test")
    for path, label, datalist, typed, shown in LOOKUPS:
        page.goto(f"{live_server.url}{path}")
        box = page.get_by_label(label, exact=True)
        assert box.evaluate("el => el.tagName") == "INPUT", path
        box.click()
        box.press_sequentially(typed, delay=40)
        options = page.locator(f"#{datalist} option")
        expect(options.first).to_be_attached(timeout=5000)
        suggestion = options.first.get_attribute("value")
        assert typed.lower() in suggestion.lower(), (path, suggestion)
        box.fill(suggestion)
        box.press("Enter")
        expect(page).to_have_url(re.compile(rf"[?&]{box.get_attribute('name')}="), timeout=5000)
        rows = page.locator("main table tbody tr")
        expect(rows.first).to_be_visible()
        if shown:
            # the typed text's own request may have answered first (its URL matches too):
            # wait for the picked suggestion's table, where every row is that seller's
            expect(rows.first).to_contain_text(shown)
            expect(rows.filter(has_not_text=shown)).to_have_count(0)
        box.fill("zz no such thing")
        box.press("Enter")
        noun = label.lower()
        expect(page.locator("main #table .filter-errors")).to_contain_text(
            f"{label}: No {noun} matches “zz no such thing”."
        )
        expect(page.locator("main table tbody")).to_contain_text("match")
