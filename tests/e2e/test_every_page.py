"""Every page of every role, in Chromium, with the demo data (issue 13 items 1 and 4,
issue 12 item 8). The page list is the navigation each role sees, so a new screen is
checked as soon as it is in the menu.

- Content-Security-Policy: no violation on any page (no inline script or style left).
- 1440 x 900 and 1280 wide: no table wider than its box (nothing cut off or hidden
  sideways), and no data grid splits a word across lines ("Harbo|ur Outlet"), but the
  dense ones (.table-dense: the movement list, the audit log's ids and hashes).
- 390 x 844 (a phone): the page never scrolls sideways.
"""

import pytest

from tests.demo import seed_demo_pages

from .pages import (
    BROKEN_WORDS,
    CSP_LISTENER,
    CUT_TABLES,
    DEMO_EMAILS,
    HORIZONTAL_SCROLL,
    LAPTOP,
    PHONE,
    SMALL_LAPTOP,
    csp_violations,
    log_in,
    menu_urls,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Pages reached from the menu pages that a role works on (detail and entry screens).
EXTRA = {
    "sales@demo.test": ["/sales/orders/new/"],
    "customer@demo.test": ["/portal/orders/new/"],
    "admin@demo.test": ["/admin/"],
}


def detail_pages() -> dict[str, list[str]]:
    """Detail and entry screens of the demo data each role opens from its lists (the
    widest tables live there too: stock by store, order lines, journal lines)."""
    from apps.catalog.models import Product
    from apps.credit.models import Seller
    from apps.customers.models import Customer
    from apps.invoicing.models import Invoice
    from apps.ledger.models import JournalEntry
    from apps.sales.models import Order, OrderStatus

    product = Product.objects.order_by("pk").first()
    acme = Customer.objects.get(portal_user__email="customer@demo.test")
    order = Order.objects.filter(customer=acme).exclude(status=OrderStatus.DRAFT).first()
    draft = Order.objects.filter(status=OrderStatus.DRAFT).order_by("pk").first()
    invoice = Invoice.objects.filter(number__isnull=False).order_by("pk").first()
    entry = JournalEntry.objects.order_by("pk").first()
    seller = Seller.objects.order_by("pk").first()
    return {
        "admin@demo.test": [
            product.get_absolute_url(),
            acme.get_absolute_url(),
            order.get_absolute_url(),
            invoice.get_absolute_url(),
        ],
        "sales@demo.test": [f"/sales/orders/{draft.pk}/edit/", acme.get_absolute_url()],
        "warehouse@demo.test": [product.get_absolute_url()],
        "accountant@demo.test": [entry.get_absolute_url(), seller.get_absolute_url()],
        "customer@demo.test": [f"/portal/orders/{order.pk}/"],
    }


def settled_scroll(page) -> int:
    """Sideways scroll once the page has laid out at the new width: charts resize on a
    ResizeObserver a few frames later, so a busy machine is given up to 2 s."""
    extra = 0
    for _ in range(20):
        page.wait_for_timeout(100)
        if (extra := page.evaluate(HORIZONTAL_SCROLL)) <= 0:
            return extra
    return extra


def test_every_page_of_every_role_in_chromium(live_server, browser):
    seed_demo_pages()
    details = detail_pages()
    problems: list[str] = []
    visited = 0
    for email in DEMO_EMAILS:
        context = browser.new_context(viewport=LAPTOP)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        log_in(page, live_server.url, email)
        pages = menu_urls(page)
        assert pages, f"{email} sees no menu"
        pages += [("", path) for path in EXTRA.get(email, []) + details.get(email, [])]
        for label, href in pages:
            page.set_viewport_size(LAPTOP)
            response = page.goto(live_server.url + href)
            assert response.status == 200, f"{email} {href}: {response.status}"
            visited += 1
            where = f"{email} {label or href}"
            problems += [f"{where}: CSP {v}" for v in csp_violations(page)]
            problems += [f"{where}: cut at 1440px: {t}" for t in page.evaluate(CUT_TABLES)]
            problems += [f"{where}: broken at 1440px: {w}" for w in page.evaluate(BROKEN_WORDS)]
            page.set_viewport_size(SMALL_LAPTOP)
            problems += [f"{where}: broken at 1280px: {w}" for w in page.evaluate(BROKEN_WORDS)]
            problems += [f"{where}: cut at 1280px: {t}" for t in page.evaluate(CUT_TABLES)]
            page.set_viewport_size(PHONE)
            if (extra := settled_scroll(page)) > 0:
                problems.append(f"{where}: scrolls sideways by {extra}px at 390px")
        context.close()
    assert visited > 80  # every role's menu, not an empty walk
    assert problems == [], "\n".join(problems)


def test_the_policy_is_enforced_and_a_violation_is_seen(demo_users, live_server, page):
    """The checks above can fail: an inline script is refused and reported."""
    page.add_init_script(CSP_LISTENER)
    response = page.goto(f"{live_server.url}/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = true"; document.body.append(s); }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__ran") is None
    assert csp_violations(page) and "script-src" in csp_violations(page)[0]
