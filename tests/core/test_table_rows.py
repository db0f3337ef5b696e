"""Rows in one loop (apps/core/table_rows.py) write exactly what django-tables2's cell loop
wrote: for every table on every page the demo admin reaches (menu pages and one of each
page they link to), the two renderings of the page's rows parse to the same HTML."""

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template import Context, Template

from tests.core.menu_pages import demo_client, menu_urls, page_tables, url_pattern

pytestmark = pytest.mark.django_db

# templates/django_tables2/backoffice.html before issue 14: tables2's BoundRow cell loop.
CELL_LOOP = Template(
    "{% load l10n %}{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>"
    "{% for column, cell in row.items %}<td {{ column.attrs.td.as_html }}"
    '{% if column.header %} data-label="{{ column.header|striptags }}"{% endif %}>'
    "{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}"
    "{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>"
    "{% endfor %}</tr>{% endfor %}"
)
ONE_LOOP = Template(
    "{% load core_tags %}{% table_rows table as rows %}{% for r in rows %}{{ r }}{% endfor %}"
)
SKIP = re.compile(r"^/(static|media|admin)/|_export=|/logout/")


class _Tokens(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input" and ("type", "hidden") in attrs:  # fresh keys and tokens each time
            attrs = [(k, "*" if k == "value" else v) for k, v in attrs]
        self.tokens.append((tag, sorted(attrs)))
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not SKIP.search(href):
            self.hrefs.append(href)

    def handle_endtag(self, tag):
        self.tokens.append(("/", tag))

    def handle_data(self, data):
        if data.strip():
            self.tokens.append(" ".join(data.split()))


def _parse(html: str) -> _Tokens:
    parser = _Tokens()
    parser.feed(html)
    return parser


def _render(template: Template, table) -> list:
    table._counter = itertools.count()  # odd/even row classes start over
    return _parse(template.render(Context({"table": table}))).tokens


def _tables(response) -> list:
    """The page's tables that are written through our tables2 template."""
    return [
        table
        for table, _ in page_tables(response)
        if table.template_name == settings.DJANGO_TABLES2_TEMPLATE
    ]


def test_one_loop_writes_the_rows_tables2_wrote_on_every_list():
    admin, client = demo_client()
    pages = menu_urls(admin)
    seen: set[str] = set()
    compared: dict[str, int] = {}
    while pages:
        url = pages.pop(0)
        if url_pattern(url) in seen:
            continue
        seen.add(url_pattern(url))
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for table in _tables(response):
            expected = _render(CELL_LOOP, table)
            assert _render(ONE_LOOP, table) == expected, f"{url}: {type(table).__name__}"
            compared[type(table).__name__] = compared.get(type(table).__name__, 0) + len(expected)
        pages += [h for h in _parse(response.content.decode()).hrefs if url_pattern(h) not in seen]
    # Every list of the back office that uses the shared template, each with rows.
    lists = {
        "AuditEventTable",
        "CategoryTable",
        "CreditRequestTable",
        "CustomerTable",
        "InvoiceTable",
        "JournalEntryTable",
        "SellerTable",
        "StoreTable",
        "TransactionTable",
    }
    assert {name for name in lists if compared.get(name, 0) > 10} == lists, compared


def test_an_email_may_break_before_its_at_only_and_is_escaped():
    from apps.core.table_rows import breakable_email
    from apps.core.templatetags.core_tags import email_breakable

    assert breakable_email("hello@acme.example") == "hello<wbr>@acme.example"
    assert breakable_email('"a<b>"@x&y.example') == "&quot;a&lt;b&gt;&quot;<wbr>@x&amp;y.example"
    assert breakable_email("no-at-sign<>") == "no-at-sign&lt;&gt;"
    assert email_breakable("") == ""  # so `|default:"—"` still applies
    assert email_breakable(None) is None
