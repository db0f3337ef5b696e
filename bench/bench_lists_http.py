"""List pages over HTTP against a running server (gunicorn), next to /healthz in the same run.

Logs in as the demo admin through the real login form, then requests every variant in
turn (first page, sorted, filtered, searched, htmx partials, the dashboard), round after
round, so load changes on the machine touch every variant alike. Prints p50/p95 per
variant and its ratio to /healthz; with --clients N also the product list's throughput
under N concurrent clients. Standard library only (bench/load_http.py's Browser).

    DATABASE_URL=... .venv/bin/gunicorn backoffice.wsgi -b 127.0.0.1:8330 &
    .venv/bin/python bench/bench_lists_http.py --base http://127.0.0.1:8330 --rounds 30

Variants that need a value from the data (a store id, a movement reference, a word of a
product name) read it from the pages first, so the script runs on any seeded database.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_http import Browser  # noqa: E402


def _first(pattern: str, page: str, what: str) -> str:
    match = re.search(pattern, page, re.S)
    if not match:
        raise SystemExit(f"could not find {what}")
    return match.group(1)


# Lists that show 50 rows a page by default (paginate_by or page_size 50): each is measured as it
# opens (held to the p95 goal) and again at 25 rows (`per_page=25`, as a user may choose),
# which is the page issue 14's "a 25-row list page <= 5x /healthz" is about.
FIFTY_ROWS = (
    "stock, first page",
    "stock, search name",
    "stock, sorted by quantity",
    "low stock page",
    "movements, first page",
    "movements, by reference",
    "credit transactions",
    "journal",
)
TWENTY_FIVE = ", 25 rows"
# Variants that are not a 25-row list page (the report holds the others to "p50 <= 5x
# /healthz"; the dashboard has its own goal).
NOT_LIST_PAGES = frozenset({"/healthz", "stock summaries (htmx)", "dashboard", *FIFTY_ROWS})


def _twenty_five(path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}per_page=25"


def variants(browser: Browser) -> list[tuple[str, str, bool]]:
    _, stock = browser.request("/inventory/stock/")
    store = _first(r'<select name="store".*?<option value="(\d+)"', stock, "a store")
    _, moves = browser.request("/inventory/movements/")
    reference = _first(r'data-label="Reference">([^<]+)</td>', moves, "a movement reference")
    _, products = browser.request("/catalog/products/?sort=-name")
    row = r'<td><a href="/catalog/products/\d+/">[^<]*</a></td>\s*<td><a href="[^"]*">([^<]+)</a>'
    word = _first(row, products, "a product name").split()[-1]
    plan = [
        ("/healthz", "/healthz", False),
        ("products, first page", "/catalog/products/", False),
        ("products, sorted by stock", "/catalog/products/?sort=on_hand", False),
        ("products, sorted by stock desc, htmx", "/catalog/products/?sort=-on_hand", True),
        ("products, low stock", "/catalog/products/?status=low", False),
        ("products, one store by stock", f"/catalog/products/?store={store}&sort=on_hand", False),
        ("products, search name", f"/catalog/products/?q={word.lower()}", False),
        ("products, page 200", "/catalog/products/?page=200", False),
        ("stock, first page", "/inventory/stock/", False),
        ("stock, search name", f"/inventory/stock/?q={word.lower()}", False),
        ("stock, sorted by quantity", "/inventory/stock/?sort=quantity", False),
        ("stock summaries (htmx)", "/inventory/stock/?_partial=summaries", True),
        ("low stock page", "/inventory/low-stock/", False),
        ("movements, first page", "/inventory/movements/", False),
        ("movements, by reference", f"/inventory/movements/?reference={reference}", False),
        ("credit transactions", "/credit/transactions/", False),
        ("journal", "/ledger/journal/", False),
        ("customers", "/customers/", False),
        ("orders", "/sales/orders/", False),
        ("dashboard", "/", False),
    ]
    twins = [
        (name + TWENTY_FIVE, _twenty_five(path), htmx)
        for name, path, htmx in plan
        if name in FIFTY_ROWS
    ]
    return plan[:-1] + twins + plan[-1:]


def measure(
    browsers: list[Browser], plan, rounds: int, slow_ms: float | None = None
) -> list[dict[str, list[float]]]:
    """Each round requests every variant from every server in turn (interleaved).

    With `slow_ms`, a variant whose warm-up request took longer (or did not answer 200)
    is not requested again: its one warm-up time stands for it (a report goes on with the
    other variants instead of spending many minutes, or stopping, on one page)."""
    times = [{name: [] for name, _, _ in plan} for _ in browsers]
    warm = [{} for _ in browsers]
    once: set[str] = set()
    for browser, first in zip(browsers, warm, strict=True):  # warm-up: connections, plans
        for name, path, htmx in plan:
            started = time.perf_counter()
            try:
                status, _, _ = browser.request_url(path, htmx=htmx)
            except OSError:  # no answer at all (timed out, worker killed)
                if slow_ms is None:
                    raise
                status = 0
            first[name] = took = 1000 * (time.perf_counter() - started)
            if slow_ms is not None and (status != 200 or took > slow_ms):
                once.add(name)
                print(f"{browser.base}{path}: HTTP {status} in {took:.0f} ms, measured once")
            elif status != 200:
                raise SystemExit(f"{browser.base}{path}: HTTP {status}")
    for name in once:
        for server, first in zip(times, warm, strict=True):
            server[name].append(first[name])
    for _ in range(rounds):
        for name, path, htmx in plan:
            if name in once:
                continue
            for browser, server in zip(browsers, times, strict=True):
                started = time.perf_counter()
                browser.request_url(path, htmx=htmx)
                server[name].append(1000 * (time.perf_counter() - started))
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def throughput(base: str, path: str, clients: int, seconds: float, warm: float = 0.0) -> float:
    """Requests per second of `path` under `clients` concurrent clients (each a logged-in
    browser sending its next request when the last one is answered), counted over
    `seconds` after `warm` seconds of the same load that are not counted: the server's
    threads open their database connections and prepare their statements there, as a
    server that has been up for a while has done (a steady rate, not a cold start)."""
    browsers = [Browser(base) for _ in range(clients)]
    for b in browsers:
        b.login("admin@demo.test")
    done = [0] * clients
    start = time.monotonic() + warm
    stop = start + seconds

    def work(i: int) -> None:
        while (now := time.monotonic()) < stop:
            browsers[i].request_url(path)
            if now >= start:  # a request sent after the warm-up counts
                done[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base",
        default="http://127.0.0.1:8000",
        help="server URL; several comma-separated (e.g. before,after) are measured interleaved",
    )
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=0, help="throughput run (0: none)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--warm", type=float, default=3, help="seconds of the throughput load not counted"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated variant names (/healthz is always measured)"
    )
    args = parser.parse_args()
    browsers = [Browser(base) for base in args.base.split(",")]
    for browser in browsers:
        browser.login("admin@demo.test")
    plan = variants(browsers[0])
    if args.only:
        # Names hold commas ("products, one store by stock"): a name is chosen when it
        # stands between commas (or the ends) of --only, whole.
        items = f",{args.only},"
        plan = [
            variant
            for variant in plan
            if variant[0] == "/healthz" or re.search(rf",\s*{re.escape(variant[0])}\s*,", items)
        ]
    times = measure(browsers, plan, args.rounds)
    floors = [pct(server["/healthz"], 0.5) for server in times]
    head = "".join(f" | {'p50':>6} {'p95':>6} {'x hz':>5}" for _ in browsers)
    print(f"{'variant (ms; x hz = p50 / healthz p50)':44}{head}")
    for name, _, _ in plan:
        cells = "".join(
            f" | {pct(server[name], 0.5):6.1f} {pct(server[name], 0.95):6.1f}"
            f" {pct(server[name], 0.5) / floor:5.1f}"
            for server, floor in zip(times, floors, strict=True)
        )
        print(f"{name:44}{cells}")
    for base in args.base.split(","):
        if args.clients:
            rate = throughput(base, "/catalog/products/", args.clients, args.seconds, args.warm)
            print(f"{base} product list, {args.clients} clients: {rate:.0f} req/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
