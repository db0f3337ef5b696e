import pytest


@pytest.fixture
def demo_users(transactional_db):
    """The seed_demo users (and company settings), in the live_server's database."""
    from io import StringIO

    from apps.accounts import demo as accounts_demo
    from apps.core import demo as core_demo

    core_demo.seed(stdout=StringIO())
    accounts_demo.seed(stdout=StringIO())


@pytest.fixture
def login(page, live_server):
    """login(email) fills the login form the way a person does and returns the page."""

    def do(email: str, password: str = "demo-pass-2026"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return do


@pytest.fixture(autouse=True)
def clicks_wait_for_the_page(monkeypatch):
    """Every click returns once the page has loaded, as a person waits for it.

    A click that opens a page returns when the new page has committed, before its
    deferred scripts (htmx, Bootstrap, order_entry.js) have run. A test that typed at once
    raced them: a CI run failed when Enter was pressed in the invoice editor before its key
    handler existed. The page's load event follows those scripts; after a click that did
    not navigate, the wait returns at once."""
    from playwright.sync_api import Locator

    click = Locator.click

    def click_then_load(self, *args, **kwargs):
        click(self, *args, **kwargs)
        if not self.page.is_closed():
            self.page.wait_for_load_state()

    monkeypatch.setattr(Locator, "click", click_then_load)
