"""The benchmark report's goal table (bench/goals.py): comparisons and layout, exact values."""

import pytest

from bench.goals import Row, list_rows, table

NOT_LISTS = frozenset({"/healthz", "stock summaries (htmx)", "dashboard"})


@pytest.mark.parametrize(
    ("measured", "op", "target", "met"),
    [
        (0.5, ">=", 0.5, True),  # the goal itself is met
        (0.49, ">=", 0.5, False),
        (100.0, "<=", 100.0, True),
        (100.1, "<=", 100.0, False),
    ],
)
def test_row_met_compares_against_the_target(measured, op, target, met):
    assert Row("m", measured, "ratio", op, target).met is met


def test_row_without_goal_or_at_another_scale_is_not_counted():
    assert Row("stock_remove", 0.31, "ratio").cells() == ("stock_remove", "0.31", "-", "-")


def test_a_figure_that_reads_as_its_target_shows_one_more_digit():
    assert Row("hot", 0.6993, "ratio", ">=", 0.7).cells() == ("hot", "0.699", ">= 0.70", "NO")
    assert Row("hot", 0.7004, "ratio", ">=", 0.7).cells() == ("hot", "0.700", ">= 0.70", "yes")
    assert Row("page", 5.04, "x", "<=", 5.0).cells() == ("page", "5.04x", "<= 5.0x", "NO")
    assert Row("page", 4.96, "x", "<=", 5.0).cells() == ("page", "4.96x", "<= 5.0x", "yes")
    assert Row("page", 4.94, "x", "<=", 5.0).cells() == ("page", "4.9x", "<= 5.0x", "yes")
    other_scale = Row("seed", 55.4, "s", "<=", 180.0, applies=False)
    assert (other_scale.met, other_scale.compared) == (None, True)
    assert other_scale.cells() == ("seed", "55 s", "<= 180 s", "(yes)")
    assert Row("p95", 100.1, "ms", "<=", 100.0, applies=False).cells()[3] == "(no)"


def test_unknown_comparison_is_an_error():
    with pytest.raises(ValueError, match="unknown comparison '<'"):
        _ = Row("m", 1.0, "ms", "<", 2.0).met


def test_list_rows_hold_each_variant_to_its_goal():
    times = {
        "/healthz": (2.0, 4.0),
        "products, first page": (10.0, 100.0),
        "journal": (10.2, 100.1),
        "stock summaries (htmx)": (30.0, 60.0),
        "dashboard": (8.0, 50.5),
    }
    rows = list_rows(times, NOT_LISTS, scale=100_000)
    assert [(r.metric, r.measured, r.op, r.target, r.met) for r in rows] == [
        ("/healthz p50", 2.0, "", None, None),
        ("/healthz p95", 4.0, "", None, None),
        ("products, first page: p95", 100.0, "<=", 100.0, True),
        ("products, first page: p50 / healthz", 5.0, "<=", 5.0, True),
        ("journal: p95", 100.1, "<=", 100.0, False),
        ("journal: p50 / healthz", 5.1, "<=", 5.0, False),
        ("stock summaries (htmx): p95", 60.0, "<=", 100.0, True),
        ("dashboard: p95", 50.5, "<=", 50.0, False),
    ]
    small = list_rows(times, NOT_LISTS, scale=2_000)
    assert {r.met for r in small} == {None}
    assert [r.compared for r in small] == [r.met for r in rows]


def test_table_is_markdown_with_the_count_of_goals_met():
    rows = [
        Row("order_confirm / raw", 0.52, "ratio", ">=", 0.5),
        Row("product list, 16 clients", 150.4, "req/s", ">=", 200.0),
        Row("stock_remove / raw", 0.3, "ratio"),
    ]
    assert table(rows) == [
        "| metric                   |  measured |         goal | met? |",
        "|--------------------------|----------:|-------------:|-----:|",
        "| order_confirm / raw      |      0.52 |      >= 0.50 |  yes |",
        "| product list, 16 clients | 150 req/s | >= 200 req/s |   NO |",
        "| stock_remove / raw       |      0.30 |            - |    - |",
        "",
        "goals met: 1 of 2",
    ]


def test_rows_at_another_scale_are_counted_apart():
    rows = [
        Row("order_confirm / raw", 0.52, "ratio", ">=", 0.5, applies=False),
        Row("dashboard: p95", 80.0, "ms", "<=", 50.0, applies=False),
    ]
    assert table(rows)[-1] == "goals met: 0 of 0 (at another scale than the goals': 1 of 2)"


class _Pages:
    """What bench_lists_http.variants reads from the pages to build its paths."""

    def request(self, path):
        pages = {
            "/inventory/stock/": '<select name="store" id="s"><option value="7">',
            "/inventory/movements/": '<td data-label="Reference">R-1</td>',
            "/catalog/products/?sort=-name": (
                '<td><a href="/catalog/products/3/">P-3</a></td>\n<td><a href="/p/">Blue Cup</a>'
            ),
        }
        return 200, pages[path]


def test_the_ratio_is_taken_on_25_row_pages():
    from django.urls import resolve

    from bench.bench_lists_http import FIFTY_ROWS, NOT_LIST_PAGES, TWENTY_FIVE, variants

    plan = variants(_Pages())
    rows = {}
    for name, path, _htmx in plan:
        view = getattr(resolve(path.split("?")[0]).func, "view_class", None)
        default = getattr(view, "paginate_by", None) or getattr(view, "page_size", None)
        per_page = 25 if "per_page=25" in path else default
        rows[name] = per_page
    # each list held to "p50 <= 5x /healthz" shows 25 rows; each 50-row list has its twin
    assert {name: n for name, n in rows.items() if name not in NOT_LIST_PAGES} == {
        name: 25 for name in rows if name not in NOT_LIST_PAGES
    }
    others = NOT_LIST_PAGES - set(FIFTY_ROWS)  # /healthz, the summaries, the dashboard
    assert sorted(name for name, n in rows.items() if n == 50 and name not in others) == sorted(
        FIFTY_ROWS
    )
    assert [name + TWENTY_FIVE for name in FIFTY_ROWS if name + TWENTY_FIVE in rows] == [
        name + TWENTY_FIVE for name in FIFTY_ROWS
    ]
    assert plan[-1][0] == "dashboard" and len(plan) == 28
