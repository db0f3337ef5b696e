"""`make bench`'s sweep of every list variant (bench/sweep_lists.py): which variants a list
gives, that the sweep requests them all as the demo admin, and its rows in the report."""

import pytest

from bench.goals import Row
from bench.report import sweep_rows
from bench.sweep_lists import sweep, variants
from tests.core.menu_pages import demo_client

PAGE = """
<select name="status" class="form-select"><option value="">Any status</option>
<option value="draft">Draft</option><option value="sent">Sent</option>
<option value="paid">Paid</option></select>
<select name="per_page"><option value="25">25</option></select>
<input type="search" name="q" value="">
<input type="text" name="reference" id="id_reference"><input type="text" name="q" class="x">
<table class="table"><thead><tr>
<th><a href="?sort=number">Number</a></th><th><a href="?q=&amp;sort=-total">Total</a></th>
</tr></thead><tbody><tr><td><a href="/x/1/">Lumen</a></td><td>12.00</td></tr></tbody></table>
<a class="page-link" href="?page=2">2</a><a class="page-link" href="?q=&amp;page=41">41</a>
"""


def test_a_list_gives_its_pages_sorts_filters_and_searches():
    assert variants("/invoices/?x=1", PAGE) == [
        "/invoices/?page=2",
        "/invoices/?page=41",
        "/invoices/?sort=number",
        "/invoices/?sort=-number",
        "/invoices/?sort=-number&page=41",
        "/invoices/?sort=total",
        "/invoices/?sort=-total",
        "/invoices/?sort=-total&page=41",
        "/invoices/?status=draft",
        "/invoices/?status=sent",
        "/invoices/?q=lumen",
        "/invoices/?q=zz",
        "/invoices/?q=a",
    ]


def test_a_search_box_written_as_a_text_input_is_searched_too():
    page = '<table class="table"></table><input type="text" name="q" id="id_q">'
    assert variants("/ledger/journal/", page) == [
        "/ledger/journal/?q=zz",
        "/ledger/journal/?q=a",
    ]


def test_a_list_of_one_page_has_no_page_variants():
    assert variants("/finance/taxes/", '<table class="table"></table>') == []


@pytest.mark.django_db
def test_the_sweep_requests_every_variant_as_the_admin():
    demo_client()
    found = sweep(only=("/finance/currencies/",), tries=1)
    urls = [url for _, _, url in found]
    assert "/finance/currencies/" in urls
    assert {url.split("?")[0] for url in urls} == {"/finance/currencies/"}
    assert len(urls) > 5 and len(set(urls)) == len(urls)
    assert {status for _, status, _ in found} == {200}
    assert [took for took, _, _ in found] == sorted((took for took, _, _ in found), reverse=True)


def test_the_report_counts_the_variants_over_the_goal_and_those_not_answering():
    swept = [(250.0, 200, "/ledger/journal/?sort=total"), (100.0, 200, "/a/"), (3.0, 500, "/b/")]
    label = "3 list variants swept in-process, best of 2"
    assert sweep_rows(swept, at=True) == [
        Row(f"{label}: over 100 ms", 1, "count", "<=", 0, True),
        Row(f"{label}: not answering 200", 1, "count", "<=", 0, True),
        Row("slowest swept variant: /ledger/journal/?sort=total", 250.0, "ms"),
    ]
    assert sweep_rows([], at=True) == []
