"""Concurrent HTTP load against a running server, then `check_books`.

Drives the real screens the way the browser does (login form, CSRF cookie, form posts):
warehouse users removing stock from one level, a seller selling charges, in parallel.
Counts answers by status code; any 5xx is a failure. Afterwards the books must still
balance: run `python manage.py check_books` against the same database.

    make run &                                   # or any server on BASE
    .venv/bin/python bench/load_http.py --base http://127.0.0.1:8000 --threads 16 --requests 200

Standard library only, so it runs from any checkout.
"""

from __future__ import annotations

import argparse
import collections
import http.cookiejar
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal

PASSWORD = "demo-pass-2026"


class Browser:
    """A cookie-keeping client that submits forms with their CSRF token."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        """(status, body); a redirect after a POST (success) is followed like a browser."""
        status, body, _ = self.request_url(path, data)
        return status, body

    def request_url(
        self, path: str, data: dict | None = None, htmx: bool = False
    ) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if htmx:
            req.add_header("HX-Request", "true")
        if data is not None:
            req.add_header("Referer", self.base + path)
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            req.add_header("X-CSRFToken", token)
        try:
            with self.opener.open(req, timeout=60) as response:
                return (
                    response.status,
                    response.read().decode("utf-8", "replace"),
                    response.geturl(),
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), self.base + path

    def login(self, email: str) -> None:
        self.request("/accounts/login/")
        status, page = self.request("/accounts/login/", {"username": email, "password": PASSWORD})
        if "Log out" not in page:
            raise SystemExit(f"login failed for {email} (HTTP {status})")


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    return match.group(1) if match else ""


def first_option(page: str, select_name: str) -> str:
    block = re.search(rf'<select name="{select_name}".*?</select>', page, re.S)
    values = re.findall(r'<option value="([^"]+)"', block.group(0)) if block else []
    return values[0] if values else ""


def stock_available(browser: Browser, store: str, sku: str) -> int:
    """Units in the store now, from the form's live #available region."""
    query = urllib.parse.urlencode({"_partial": "available", "store": store, "product": sku})
    _, page, _ = browser.request_url(f"/inventory/remove/?{query}", htmx=True)
    match = re.search(r'available-quantity">(-?[\d,]+)<', page)
    if not match:
        raise SystemExit(f"could not read the available quantity from: {page[:200]}")
    return int(match.group(1).replace(",", ""))


def seller_balance(browser: Browser) -> Decimal:
    _, page, _ = browser.request_url("/portal/credit/?_partial=balance", htmx=True)
    match = re.search(r'id="balance-amount"[^>]*>([\d,]+\.\d\d)', page)
    if not match:
        raise SystemExit(f"could not read the seller balance from: {page[:200]}")
    return Decimal(match.group(1).replace(",", ""))


def run(threads: int, work, count: int) -> collections.Counter:
    """Spread `count` calls of work(n) over `threads`; print throughput and latency."""
    results: collections.Counter = collections.Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(count))

    def worker():
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            started = time.monotonic()
            outcome = work(n)
            with lock:
                latencies.append(time.monotonic() - started)
                results[outcome] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    began = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    p50 = 1000 * latencies[len(latencies) // 2]
    p99 = 1000 * latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(
        f"  {threads} clients: {count / elapsed:.1f} req/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms,"
        f" max {1000 * latencies[-1]:.0f} ms"
    )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base",
        default="http://127.0.0.1:8000",
        help="server URL; several comma-separated spread the clients over them (scale-out)",
    )
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--requests", type=int, default=200, help="per scenario")
    args = parser.parse_args()
    bases = args.base.split(",")

    # Stock: many removals of 1 unit from one level; no more may succeed than it holds.
    warehouse = [Browser(bases[i % len(bases)]) for i in range(args.threads)]
    for b in warehouse:
        b.login("warehouse@demo.test")
    _, form = warehouse[0].request("/inventory/remove/")
    store = first_option(form, "store")
    _, products = warehouse[0].request("/catalog/products/?sort=sku")
    sku = re.search(r">([A-Z]{3}-\d{3})<", products).group(1)
    warehouse[0].request(
        "/inventory/receive/",
        {"store": store, "product": sku, "quantity": "100", "reference": "load"},
    )
    available = stock_available(warehouse[0], store, sku)

    def remove(n: int) -> str:
        b = warehouse[n % len(warehouse)]
        data = {
            "store": store,
            "product": sku,
            "quantity": "1",
            "reason": "damaged",
            "reference": f"load-{n}",
        }
        status, page, url = b.request_url("/inventory/remove/", data)
        if status >= 500:
            return f"HTTP {status}"
        if not url.endswith("/inventory/remove/"):
            return "removed"  # redirected away: the movement was recorded
        return "refused (not enough stock)" if "Not enough" in page else "refused (form error)"

    started = time.monotonic()
    stock = run(args.threads, remove, args.requests)
    left = stock_available(warehouse[0], store, sku)
    print(
        f"stock: {available} units of {sku} in store {store}, {args.requests} removals of 1: "
        f"{dict(stock)} in {time.monotonic() - started:.1f}s; {left} left"
    )
    expected = min(available, args.requests)
    ok = stock["removed"] == expected and left == available - expected
    print(
        f"  expected {expected} removed and {available - expected} left: {'OK' if ok else 'MISMATCH'}"
    )

    # Seller credit: charges of 1.00 until the balance runs out, with replayed keys.
    sellers = [Browser(bases[i % len(bases)]) for i in range(args.threads)]
    for b in sellers:
        b.login("seller@demo.test")

    run_id = uuid.uuid4()

    def charge(n: int) -> str:
        b = sellers[n % len(sellers)]
        key = uuid.uuid5(run_id, str(n // 2)).hex  # every key sent twice
        status, page = b.request(
            "/portal/credit/charge/",
            {"phone": "+447911123456", "amount": "1.00", "idempotency_key": key},
        )
        if status >= 500:
            return f"HTTP {status}"
        return "answered" if status in (200, 302) else f"HTTP {status}"

    before = seller_balance(sellers[0])
    started = time.monotonic()
    credit = run(args.threads, charge, args.requests)
    after = seller_balance(sellers[0])
    keys = (args.requests + 1) // 2
    charged = min(keys, int(before))
    print(
        f"credit: balance {before}, {args.requests} charges of 1.00 ({keys} keys, each sent twice): "
        f"{dict(credit)} in {time.monotonic() - started:.1f}s; balance now {after}"
    )
    credit_ok = after == before - charged
    print(
        f"  expected {charged} charged once each, balance {before - charged}: {'OK' if credit_ok else 'MISMATCH'}"
    )
    ok = ok and credit_ok

    failures = sum(v for k, v in (stock + credit).items() if k.startswith("HTTP 5"))
    print("5xx answers:", failures)
    print("Now run: python manage.py check_books   (against the server's database)")
    return 1 if failures or not ok else 0


if __name__ == "__main__":
    sys.exit(main())
