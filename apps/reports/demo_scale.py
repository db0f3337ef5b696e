"""After the benchmark data set (`seed_demo --scale N`): the dashboard's daily figures and
gauges recomputed over it (the demo seed computed them before the bulk load). seed_demo
calls `after_scale` once every builder is done and the tables are indexed and analysed."""

from __future__ import annotations

from .summary import dashboard_refresh


def after_scale(*, scale: int, stdout) -> None:
    dashboard_refresh()
    stdout.write("  dashboard figures recomputed")
