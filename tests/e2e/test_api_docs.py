"""Swagger UI and ReDoc render in Chromium from our static files alone (no CDN): every
request the pages make goes to the live server, and the operations appear."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_and_redoc_work_offline(demo_users, login, live_server):
    page = login("admin@demo.test")
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/docs/")
    # the schema is generated on the first request: give it time on a busy machine
    title = page.locator(".swagger-ui .info .title")
    expect(title).to_contain_text("Backoffice API", timeout=60_000)
    assert [e for e in errors if "blob:" not in e] == []
    # every tag (28 of them) is listed, collapsed; opening one shows its operations
    expect(page.locator(".swagger-ui .opblock-tag")).to_have_count(28, timeout=60_000)
    page.locator("#operations-tag-orders").click()
    expect(page.locator("#operations-orders-orders_confirm_create")).to_be_visible()
    assert [u for u in outside if u.startswith("http")] == []
    # ReDoc's sidebar names its maker with an image from its CDN; the page's policy keeps
    # the browser from fetching it (nothing from another origin), so no request leaves.
    left = []
    page.on(
        "requestfinished",
        lambda r: left.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    response = page.goto(f"{live_server.url}/redoc/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
    expect(page.get_by_text("/api/v1/movements/").first).to_be_attached(timeout=60_000)
    assert [u for u in left if u.startswith("http")] == []
