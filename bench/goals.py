"""Issue 14's goals and the one table `make bench` prints (pure: no Django, no I/O).

Each row is a measured figure, the goal it is held to (">=" or "<=" a target, or none) and
whether the goal applies at this run's data scale (the goals are set at scale 100,000; at
another scale the comparison is shown in brackets and not counted).
`tests/core/test_bench_goals.py` checks the comparisons and the table with exact values.
"""

from __future__ import annotations

from dataclasses import dataclass

GOAL_SCALE = 100_000
ORDER_CONFIRM_RATIO = 0.5
CREDIT_CHARGE_RATIO = 0.7
LIST_P95_MS = 100.0
LIST_HEALTHZ_TIMES = 5.0
DASHBOARD_MS = 50.0
PRODUCT_LIST_RPS = 200.0
SEED_SECONDS = 180.0

FORMATS = {
    "ratio": "{:.2f}",
    "ms": "{:.1f} ms",
    "x": "{:.1f}x",
    "req/s": "{:.0f} req/s",
    "s": "{:.0f} s",
    "count": "{:.0f}",
}
# One more digit where a figure would read the same as its target (0.6993 against 0.7
# would read "0.70 >= 0.70 NO"): the cell then shows what decided it.
CLOSE_FORMATS = {
    "ratio": "{:.3f}",
    "ms": "{:.2f} ms",
    "x": "{:.2f}x",
    "req/s": "{:.1f} req/s",
    "s": "{:.1f} s",
    "count": "{:.0f}",
}


@dataclass(frozen=True)
class Row:
    metric: str
    measured: float
    unit: str  # a key of FORMATS
    op: str = ""  # ">=", "<=" or "" (reported, no goal)
    target: float | None = None
    applies: bool = True  # False: the goal is set for another scale (indicative only)

    @property
    def met(self) -> bool | None:
        """Whether the goal is met; None when there is none or it does not apply."""
        return self.compared if self.applies else None

    @property
    def compared(self) -> bool | None:
        """The measured figure against the target, at any scale; None without a goal."""
        if not self.op:
            return None
        if self.op == ">=":
            return self.measured >= self.target
        if self.op == "<=":
            return self.measured <= self.target
        raise ValueError(f"unknown comparison {self.op!r}")

    def cells(self) -> tuple[str, str, str, str]:
        goal = f"{self.op} {FORMATS[self.unit].format(self.target)}" if self.op else "-"
        if self.applies:
            met = {True: "yes", False: "NO", None: "-"}[self.met]
        else:  # indicative only: "(yes)", "(no)"
            met = {True: "(yes)", False: "(no)", None: "-"}[self.compared]
        measured = FORMATS[self.unit].format(self.measured)
        if self.op and measured == FORMATS[self.unit].format(self.target):
            measured = CLOSE_FORMATS[self.unit].format(self.measured)
        return self.metric, measured, goal, met


def list_rows(
    times: dict[str, tuple[float, float]], not_lists: frozenset[str], *, scale: int
) -> list[Row]:
    """Rows for the HTTP variants, `times[name] = (p50 ms, p95 ms)` with "/healthz" among
    them: every variant's p95 (the dashboard's against its own goal) and each list page's
    p50 as a multiple of /healthz's p50."""
    at = scale == GOAL_SCALE
    floor = times["/healthz"][0]
    rows = [Row("/healthz p50", floor, "ms"), Row("/healthz p95", times["/healthz"][1], "ms")]
    for name, (p50, p95) in times.items():
        if name == "/healthz":
            continue
        limit = DASHBOARD_MS if name == "dashboard" else LIST_P95_MS
        rows.append(Row(f"{name}: p95", p95, "ms", "<=", limit, at))
        if name not in not_lists:
            rows.append(
                Row(f"{name}: p50 / healthz", p50 / floor, "x", "<=", LIST_HEALTHZ_TIMES, at)
            )
    return rows


def table(rows: list[Row]) -> list[str]:
    """The rows as a Markdown table (pastes into docs/performance.md) and a count of the
    goals met."""
    head = ("metric", "measured", "goal", "met?")
    body = [row.cells() for row in rows]
    widths = [max(len(cells[i]) for cells in [head, *body]) for i in range(4)]

    def line(cells) -> str:
        left = cells[0].ljust(widths[0])
        rest = " | ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return f"| {left} | {rest} |"

    rule = "|" + "|".join(["-" * (widths[0] + 2)] + ["-" * (w + 1) + ":" for w in widths[1:]])
    judged = [row.met for row in rows if row.met is not None]
    indicative = [row.compared for row in rows if row.met is None and row.compared is not None]
    summary = f"goals met: {sum(judged)} of {len(judged)}"
    if indicative:
        summary += f" (at another scale than the goals': {sum(indicative)} of {len(indicative)})"
    return [line(head), rule + "|", *(line(cells) for cells in body), "", summary]
