"""Screenshots of each role's main pages at 1440x900 and 390x844, plus the page audit.

    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8000          # screenshots
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8000 --audit  # every page

Needs a running server with the demo data (`make run`). The audit walks every page of
every role (the same list and checks as tests/e2e/test_every_page.py) and prints what it
finds; the screenshots are the pages in MAIN_PAGES, viewport only (PNG, small).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.e2e.pages import (  # noqa: E402
    CSP_LISTENER,
    CUT_TABLES,
    DEMO_EMAILS,
    HORIZONTAL_SCROLL,
    LAPTOP,
    PHONE,
    csp_violations,
    log_in,
    menu_urls,
)

OUT = Path(os.environ.get("SHOTS_DIR") or Path(__file__).resolve().parent)


def fill_cart(page) -> None:
    """The customer's order screen as it looks while ordering: two lines, a search."""
    search = page.get_by_label("Product (name or SKU)")
    search.fill("coffee")
    page.locator("#product-results tr[data-offer]").first.wait_for()
    page.locator("#product-results button[name=add]").first.click()
    page.locator("#cart tr[data-sku]").first.wait_for()
    expect(search).to_be_focused()
    page.keyboard.type("STA-001")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.locator("#cart tr[data-sku]").nth(1).wait_for()
    expect(search).to_be_focused()
    page.keyboard.type("batter")
    page.locator("#product-results tr[data-offer]").first.wait_for()
    page.wait_for_load_state("networkidle")


def review_cart(page) -> None:
    fill_cart(page)
    page.get_by_role("button", name="Review order").first.click()
    page.wait_for_load_state("networkidle")


def open_draft_entry(page) -> None:
    """The staff order entry screen of the newest draft (from the filtered order list)."""
    href = page.locator("#table tbody a[href*='/sales/orders/']").first.get_attribute("href")
    page.goto(page.url.split("/sales/")[0] + href + "edit/")
    page.wait_for_load_state("networkidle")


# path, or (path, steps, name): steps(page) run before the shot, saved as <role>-<name>
MAIN_PAGES = {
    "admin@demo.test": ["/", "/administration/jobs/", "/administration/audit/"],
    "sales@demo.test": [
        "/sales/orders/",
        ("/sales/orders/?status=draft", open_draft_entry, "sales-order-entry"),
        "/customers/",
    ],
    "warehouse@demo.test": ["/inventory/stock/", "/inventory/movements/", "/inventory/low-stock/"],
    "accountant@demo.test": [
        "/credit/requests/",
        "/ledger/journal/",
        "/invoices/",
        "/payments/",
        "/payments/bank/",
        "/invoices/dunning/",
        "/invoices/recurring/",
        "/reports/",
    ],
    "viewer@demo.test": ["/", "/catalog/products/"],
    "customer@demo.test": [
        ("/portal/orders/new/", fill_cart, "portal-orders-new"),
        ("/portal/orders/new/", review_cart, "portal-orders-review"),
        "/portal/orders/",
        "/portal/invoices/",
        "/portal/statement/",
    ],
    "seller@demo.test": ["/portal/credit/", "/portal/credit/transactions/"],
}


def main(base: str, audit: bool, only: str = "") -> int:
    problems = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for email in DEMO_EMAILS:
            for size_name, size in (("1440", LAPTOP), ("390", PHONE)):
                context = browser.new_context(viewport=size)
                context.add_init_script(CSP_LISTENER)
                page = context.new_page()
                log_in(page, base, email)
                role = email.split("@")[0]
                if audit:
                    for label, href in menu_urls(page):
                        if only and only not in href:
                            continue
                        page.goto(base + href)
                        page.wait_for_load_state("networkidle")
                        found = csp_violations(page)
                        if size is PHONE and (extra := page.evaluate(HORIZONTAL_SCROLL)) > 0:
                            found.append(f"scrolls sideways by {extra}px")
                        if size is LAPTOP:
                            found += [f"cut table {t}" for t in page.evaluate(CUT_TABLES)]
                        for problem in found:
                            problems += 1
                            print(f"{role} {size_name} {label} {href}: {problem}")
                else:
                    for item in MAIN_PAGES[email]:
                        path, steps, slug = item if isinstance(item, tuple) else (item, None, "")
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        if steps:
                            steps(page)
                        slug = slug or path.strip("/").replace("/", "-") or "dashboard"
                        page.screenshot(path=str(OUT / f"{role}-{slug}-{size_name}.png"))
                context.close()
        browser.close()
    return 1 if problems else 0


if __name__ == "__main__":
    only = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")), "")
    sys.exit(main(sys.argv[1].rstrip("/"), "--audit" in sys.argv, only))
