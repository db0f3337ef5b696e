"""Every list variant the demo admin's menu reaches, timed in one process (issue 14: "every
list variant (first page, filtered, searched, sorted, deep page, htmx) p95 <= 100 ms").

`make bench` measures 27 chosen variants over HTTP; this sweep walks all of them, so a sort
or a filter that no index serves shows up. For each list of the menu (one URL per view):
the list, page 2 and its last page, every sort its header links to in both directions
(with the last page of each descending one), the first two choices of each select of its
filter bar, every sort again under the first choice of a select that changes what the
sorts read (SCOPES: the product list's stock column becomes one store's), and searches
(its `type="search"` boxes and any box named `q`) for a word the page shows, for "zz" and
for "a". Each variant is requested `tries` times through Django's
test client (no HTTP, no other client) and its best time kept: the first request of a
variant also plans its statements and fills the process's caches.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_report \\
        .venv/bin/python bench/sweep_lists.py [--only /ledger/,/credit/] [--show 40]

`make bench` runs it after the lists over HTTP (bench/report.py) and reports how many
variants took longer than the p95 goal, and the slowest.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

SORT = re.compile(r'href="\?(?:[^"]*&amp;)?sort=(-?[\w.]+)')
SELECT = re.compile(r'<select name="(\w+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
INPUT = re.compile(r"<input\b[^>]*>")
NAME = re.compile(r'\bname="(\w+)"')
PAGE = re.compile(r"[?&;]page=(\d+)")
LIST = re.compile(r'<table[^>]*class="[^"]*\btable\b')
SKIP = re.compile(r"^/(static|media|admin)/|_export=|/logout/|lookup")
WORD = re.compile(r"<td[^>]*>(?:<a [^>]*>)?([A-Za-z]{4,})")
NOT_FILTERS = ("per_page", "cols")
# Filters under which the list's sorts read other data (the product list's stock column is
# one store's once a store is chosen): each sort is swept again with the filter's first
# choice.
SCOPES = ("store",)


def _searches(html: str) -> list[str]:
    """The names of the page's search boxes: `type="search"` inputs, and `q` whatever its
    type (some filter bars write their search box as a text input)."""
    found = []
    for tag in INPUT.findall(html):
        name = NAME.search(tag)
        if name and ('type="search"' in tag or name.group(1) == "q"):
            found.append(name.group(1))
    return list(dict.fromkeys(found))


def variants(url: str, html: str) -> list[str]:
    """The variants of the list at `url` whose first page is `html` (the list itself
    excluded), in a fixed order."""
    base = url.split("?")[0]
    found = []
    pages = [int(p) for p in PAGE.findall(html)]
    last = max(pages, default=1)
    if last > 1:
        found += [f"{base}?page=2", f"{base}?page={last}"]
    for key in dict.fromkeys(k.lstrip("-") for k in SORT.findall(html)):
        found += [f"{base}?sort={key}", f"{base}?sort=-{key}"]
        if last > 1:
            found.append(f"{base}?sort=-{key}&page={last}")
    keys = list(dict.fromkeys(k.lstrip("-") for k in SORT.findall(html)))
    for name, options in SELECT.findall(html):
        if name not in NOT_FILTERS:
            found += [f"{base}?{urlencode({name: v})}" for v in OPTION.findall(options)[:2]]
        if name in SCOPES and (first := OPTION.findall(options)[:1]):
            # a filter that changes what a sort means (one store's stock): every sort
            # under it, both directions, with the last page each way
            scoped = f"{base}?{urlencode({name: first[0]})}"
            for key in keys:
                for sort in (key, f"-{key}"):
                    found.append(f"{scoped}&sort={sort}")
                    if last > 1:
                        found.append(f"{scoped}&sort={sort}&page={last}")
    words = WORD.findall(html)[:1]
    for name in _searches(html):
        found += [f"{base}?{urlencode({name: w.lower()})}" for w in [*words, "zz", "a"]]
    return list(dict.fromkeys(found))


def sweep(email: str = "admin@demo.test", only=(), tries: int = 2):
    """[(best ms, status, url)] of every variant of every list in `email`'s menu (those
    under one of the `only` prefixes, if given), slowest first. Django must be set up."""
    from django.test import Client
    from django.urls import Resolver404, resolve

    from apps.accounts.models import User
    from backoffice.navigation import menu_for

    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)

    def timed(url: str) -> tuple[float, int, str]:
        best = None
        for _ in range(tries):
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            took = 1000 * (time.perf_counter() - started)
            best = took if best is None else min(best, took)
        return best, response.status_code, body.decode(errors="replace")

    def view_of(url: str) -> str:
        try:
            return resolve(urlsplit(url).path).route
        except Resolver404:
            return url

    seen, results = set(), []
    for url in (item["url"] for section in menu_for(user) for item in section["items"]):
        if SKIP.search(url) or view_of(url) in seen or (only and not url.startswith(only)):
            continue
        seen.add(view_of(url))
        took, status, html = timed(url)
        results.append((took, status, url))
        if status == 200 and LIST.search(html):
            for variant in variants(url, html):
                took, status, _ = timed(variant)
                results.append((took, status, variant))
    return sorted(results, reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated URL prefixes of lists")
    parser.add_argument("--show", type=int, default=40, help="how many of the slowest to print")
    parser.add_argument("--tries", type=int, default=2)
    parser.add_argument("--limit-ms", type=float, default=100.0)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    only = tuple(p for p in args.only.split(",") if p)
    results = sweep(only=only, tries=args.tries)
    for took, status, url in results[: args.show]:
        print(f"{took:8.1f} ms  {status}  {url}")
    over = sum(1 for took, _, _ in results if took > args.limit_ms)
    failed = [(status, url) for _, status, url in results if status != 200]
    print(f"{len(results)} variants; over {args.limit_ms:.0f} ms: {over}; not 200: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
