"""After the benchmark data set (`seed_demo --scale N`): the daily sales figures rebuilt from
the bulk-created orders and returns, and the dashboard's daily figures and gauges recomputed
over it (the demo seed computed them before the bulk load). seed_demo calls `after_scale`
once every builder is done and the tables are indexed and analysed."""

from __future__ import annotations

from .summary import summaries_rebuild


def after_scale(*, scale: int, stdout) -> None:
    summaries_rebuild()
    stdout.write("  sales figures rebuilt, dashboard figures recomputed")
