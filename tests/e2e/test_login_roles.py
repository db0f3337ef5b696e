"""Every demo role logs in through the form and sees exactly its menu (DESIGN.md §7, §9)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What each role's sidebar shows today, written out by hand from DESIGN.md §7 (the screens
# that exist so far). Later issues add their screens here.
# Accountant and Viewer open the same screens; they differ in what they may change.
READ_EVERYTHING_BUT_ADMINISTRATION = [
    "Dashboard",
    "Reports",
    "Products",
    "Categories",
    "Stock levels",
    "Movements",
    "Low stock",
    "Stores",
    "Customers",
    "Orders",
    "Returns",
    "Coupons",
    "Sellers",
    "Credit requests",
    "Transactions",
    "Invoices",
    "Credit notes",
    "Dunning",
    "Recurring invoices",
    "Payments",
    "Accounts",
    "Journal",
    "Trial balance",
    "Books check",
    "Currencies",
    "Exchange rates",
    "Tax rates",
]

EXPECTED_MENU = {
    "admin@demo.test": [
        "Dashboard",
        "Reports",
        "Products",
        "Categories",
        "Stock levels",
        "Movements",
        "Low stock",
        "Stores",
        "Customers",
        "Orders",
        "Returns",
        "Coupons",
        "Sellers",
        "Credit requests",
        "Transactions",
        "Invoices",
        "Credit notes",
        "Dunning",
        "Recurring invoices",
        "Payments",
        "Bank statements",
        "Accounts",
        "Journal",
        "Trial balance",
        "Books check",
        "Currencies",
        "Exchange rates",
        "Tax rates",
        "Users",
        "Company settings",
        "Audit log",
        "Jobs",
        "Trash",
    ],
    "sales@demo.test": [
        "Dashboard",
        "Reports",
        "Products",
        "Categories",
        "Stock levels",
        "Movements",
        "Low stock",
        "Stores",
        "Customers",
        "Orders",
        "Returns",
        "Coupons",
        "Invoices",
        "Credit notes",
        "Dunning",
        "Recurring invoices",
        "Payments",
        "Currencies",
        "Exchange rates",
        "Tax rates",
    ],
    "warehouse@demo.test": [
        "Dashboard",
        "Reports",
        "Products",
        "Categories",
        "Stock levels",
        "Movements",
        "Low stock",
        "Stores",
        "Orders",
        "Returns",
        "Coupons",
        "Currencies",
        "Exchange rates",
        "Tax rates",
    ],
    "accountant@demo.test": [  # and bank statements, which only those who record payments see
        *READ_EVERYTHING_BUT_ADMINISTRATION[
            : READ_EVERYTHING_BUT_ADMINISTRATION.index("Payments") + 1
        ],
        "Bank statements",
        *READ_EVERYTHING_BUT_ADMINISTRATION[
            READ_EVERYTHING_BUT_ADMINISTRATION.index("Payments") + 1 :
        ],
    ],
    "viewer@demo.test": READ_EVERYTHING_BUT_ADMINISTRATION,
    "customer@demo.test": [
        "My portal",
        "Place an order",
        "My orders",
        "My invoices",
        "My statement",
        "My details",
    ],
    "seller@demo.test": ["My portal", "Credit", "My transactions", "Top-up requests"],
}


@pytest.mark.parametrize("email", list(EXPECTED_MENU))
def test_demo_user_logs_in_and_sees_exactly_its_menu(demo_users, login, live_server, email):
    page = login(email)
    if email in ("customer@demo.test", "seller@demo.test"):
        expect(page).to_have_url(re.compile(r"/portal/$"))
        expect(page.get_by_role("heading", name="My portal")).to_be_visible()
    else:
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    items = page.locator("#main-menu [data-menu-item]").all_inner_texts()
    assert [i.strip() for i in items] == EXPECTED_MENU[email]


def test_sales_user_gets_403_on_an_admin_page(demo_users, login, live_server):
    page = login("sales@demo.test")
    response = page.goto(f"{live_server.url}/accounts/users/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="403 · Not allowed")).to_be_visible()


def test_five_wrong_passwords_lock_the_account(demo_users, login, live_server):
    for _ in range(4):
        page = login("viewer@demo.test", "wrong-password")
        expect(page.locator("#login-error")).to_contain_text("Wrong email or password")
    page = login("viewer@demo.test", "wrong-password")
    expect(page.locator("#login-error")).to_contain_text("Too many failed login attempts")
    page = login("viewer@demo.test")  # even the right password is refused now
    expect(page.locator("#login-error")).to_contain_text("locked")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_logout_returns_to_login(demo_users, login, live_server):
    page = login("viewer@demo.test")
    page.get_by_role("button", name=re.compile("Vic Viewer")).click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))
