"""A seller asks for credit, the accountant approves it, the seller sells a charge (browser)."""

import re

import pytest
from playwright.sync_api import expect

from tests.ledger.conftest import books  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_seller(demo_users, books):  # noqa: F811
    from apps.credit.services import seller_create

    return seller_create(
        email="seller@demo.test", company="Sid's Phone Shop", phone="+447911123456"
    )


def switch_user(page, login, email):
    page.context.clear_cookies()
    return login(email)


def test_top_up_approval_and_charge_in_the_browser(demo_seller, login, live_server):
    page = login("seller@demo.test")
    expect(page.locator("#seller-card")).to_contain_text("0.00 USD")
    page.get_by_role("link", name="Request a top-up").click()
    page.get_by_label("Top-up amount").fill("150")
    page.get_by_label("Note for the accountant").fill("Paid by bank transfer")
    page.get_by_role("button", name="Request top-up").click()
    expect(page.locator("#topup")).to_contain_text("Top-up of 150.00 requested")
    expect(page.locator("#requests")).to_contain_text("Pending")

    page = switch_user(page, login, "accountant@demo.test")
    page.get_by_role("link", name="Credit requests").click()
    expect(page.locator("#table")).to_contain_text("Sid's Phone Shop")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#messages")).to_contain_text("Top-up of 150.00 approved")

    page = switch_user(page, login, "seller@demo.test")
    page.get_by_role("link", name="Sell a charge").click()
    expect(page.get_by_test_id("balance")).to_have_text("150.00 USD")
    page.get_by_label("Phone number").fill("+44 7911 123456")
    page.get_by_label("Charge amount").fill("7.50")
    page.get_by_role("button", name="Sell charge").click()
    expect(page.locator("#charge-result")).to_contain_text("New balance: 142.50")
    expect(page.get_by_test_id("balance")).to_have_text("142.50 USD")  # refreshed by htmx
    row = page.locator("#recent tbody tr").first
    expect(row).to_contain_text("+447911123456")
    expect(row).to_contain_text("-7.50")
    expect(row).to_contain_text("142.50")

    # a bad number gets an error next to the field and charges nothing
    page.get_by_label("Phone number").fill("12345")
    page.get_by_label("Charge amount").fill("1")
    page.get_by_role("button", name="Sell charge").click()
    expect(page.locator("#charge")).to_contain_text("Enter a valid international phone number")
    expect(page.get_by_test_id("balance")).to_have_text("142.50 USD")
    page.screenshot(path="/tmp/seller-portal.png", full_page=True)

    page.locator("main").get_by_role("link", name="My transactions").click()
    expect(page).to_have_url(re.compile(r"/portal/credit/transactions/$"))
    expect(page.locator("#table tbody tr")).to_have_count(2)
