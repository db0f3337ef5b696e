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
