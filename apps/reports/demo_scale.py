"""After the benchmark data set (`seed_demo --scale N`): the dashboard's daily figures and
gauges recomputed over it. The reports app comes after every app with a scale builder in
INSTALLED_APPS, so this runs last, on the finished data (the demo seed computed them
before the bulk load). Summary tables that other stores keep belong here too."""

from __future__ import annotations

from .summary import dashboard_refresh


def seed_scale(*, scale: int, stdout) -> None:
    dashboard_refresh()
    stdout.write("  dashboard figures recomputed")
