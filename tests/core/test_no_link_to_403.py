"""No link leads to a 403 (issue 13 item 3): for every demo role, open every page of its
menu and every page linked from those (one of each URL pattern), follow every link found,
and expect none to answer 403. Links are rendered through one helper over the role matrix
(`apps.core.permissions.may_open`, the `may_open` filter, role-aware table links)."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.core.permissions import may_open
from tests.core.menu_pages import menu_urls, url_pattern
from tests.demo import seed_demo_pages

pytestmark = pytest.mark.django_db

SKIP = re.compile(r"^/(static|media|admin)/|_export=|/logout/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not SKIP.search(href):
            self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def test_no_link_on_any_page_of_any_role_leads_to_a_403():
    seed_demo_pages()
    forbidden: list[str] = []
    checked = 0
    for user in User.objects.filter(email__endswith="@demo.test", is_active=True):
        client = Client()
        client.force_login(user)
        pages = menu_urls(user)
        seen_pages: set[str] = set()
        followed: dict[str, int] = {}  # one link per URL pattern: same view, same answer
        while pages and len(seen_pages) < 60:
            url = pages.pop(0)
            if url_pattern(url) in seen_pages:
                continue
            seen_pages.add(url_pattern(url))
            response = client.get(url)
            assert response.status_code == 200, f"{user.email} {url}: {response.status_code}"
            for href in _links(response.content.decode()):
                if url_pattern(href) in followed:
                    continue
                answer = client.get(href)
                followed[url_pattern(href)] = status = answer.status_code
                checked += 1
                html = answer.get("Content-Type", "").startswith("text/html")
                if status == 403:
                    forbidden.append(f"{user.email}: {url} links to {href}")
                elif status == 200 and html and url_pattern(href) not in seen_pages:
                    pages.append(href)
    assert checked > 150
    assert forbidden == []


def test_may_open_reads_the_target_views_area(make_user):
    sales = make_user("Sales")
    accountant = make_user("Accountant")
    assert may_open(sales, "/finance/currencies/") is True  # read
    assert may_open(sales, "/finance/currencies/EUR/") is False  # the edit form
    assert may_open(accountant, "/finance/currencies/EUR/") is True
    assert may_open(sales, "/administration/audit/") is False
    assert may_open(sales, "/static/css/app.css") is True  # not ours to judge
