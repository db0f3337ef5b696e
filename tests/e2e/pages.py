"""Walking every page of every role in a real browser: the page list comes from the
navigation each role sees (the sidebar), and each page is measured the way a person would
notice problems: a page that scrolls sideways on a phone, a table cut off on a laptop, a
Content-Security-Policy violation (blocked script or style).

Used by tests/e2e/test_every_page.py and docs/screenshots/take.py (same checks, same list).
"""

from __future__ import annotations

DEMO_EMAILS = (
    "admin@demo.test",
    "sales@demo.test",
    "warehouse@demo.test",
    "accountant@demo.test",
    "viewer@demo.test",
    "customer@demo.test",
    "seller@demo.test",
)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}
SMALL_LAPTOP = {"width": 1280, "height": 800}

# Runs in every page before its own scripts: records CSP violations the page cannot hide.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                    " at " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""

HORIZONTAL_SCROLL = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)

# Tables wider than the box they sit in (the box then scrolls sideways or cuts them).
CUT_TABLES = """() => Array.from(document.querySelectorAll("main table")).filter(t => {
  const box = t.closest(".table-responsive") || t.parentElement;
  return t.offsetParent !== null && box.scrollWidth > box.clientWidth + 1;
}).map(t => (t.id || t.closest("[id]")?.id || "table") + ": " +
            t.closest(".table-responsive, div").scrollWidth + " > " +
            t.closest(".table-responsive, div").clientWidth)"""


def log_in(page, base_url: str, email: str, password: str = "demo-pass-2026"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def menu_urls(page) -> list[tuple[str, str]]:
    """[(label, href)] of the role's navigation (present in the DOM at any width)."""
    links = page.locator("#main-menu [data-menu-item]")
    return [
        (links.nth(i).text_content().strip(), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]


def csp_violations(page) -> list[str]:
    return page.evaluate("() => window.__csp || []")


# Words a data grid splits across two lines ("Harbo|ur"), in grids that should break only
# between words (all but .table-dense): "<table id>: <word>", at most 5 a page. A word is a
# run without spaces or hyphens: a line may break after a hyphen ("2026-12-|01", "8-|pack")
# as text does anywhere; it is the breaks inside such a run that overflow-wrap makes.
BROKEN_WORDS = """() => {
  const found = [];
  for (const table of document.querySelectorAll("main table:not(.table-dense)")) {
    if (table.offsetParent === null) continue;
    const walker = document.createTreeWalker(table.tBodies[0] || table, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node && found.length < 5; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s-]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
        if (tops.size > 1) found.push((table.id || table.closest("[id]")?.id || "table") + ": " + match[0]);
      }
    }
  }
  return found;
}"""
