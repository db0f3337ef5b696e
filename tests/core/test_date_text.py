"""date_text (apps/core/table_rows.py) writes what `{{ value|date:fmt }}` writes in a
template, with the time zone looked up once per writer instead of per cell: aware
datetimes in the current zone, naive ones and dates as they are, `{% localtime off %}`."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from apps.core.table_rows import date_text

UTC = dt.UTC
VALUES = [
    dt.datetime(2026, 11, 29, 23, 30, 5, tzinfo=UTC),  # the next day in Berlin
    dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # the hour DST starts in Berlin
    dt.datetime(2026, 7, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
    dt.datetime(2026, 11, 29, 23, 30),  # naive: written as it is
    dt.date(2026, 11, 29),
]
FORMATS = ["Y-m-d H:i", "Y-m-d H:i:s", "Y-m-d", "d.m.Y", "j M Y, P"]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Pacific/Auckland"])
@pytest.mark.parametrize("use_tz", [None, True, False])
def test_date_text_is_what_the_date_filter_writes(zone, use_tz):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for fmt in FORMATS:
            context = None if use_tz is None else Context(use_tz=use_tz)
            write = date_text(fmt, context)
            template = Template(f'{{{{ value|date:"{fmt}" }}}}')
            for value in VALUES:
                if type(value) is dt.date and any(c in fmt for c in "HisP"):
                    continue  # both raise: a date has no time
                expected = template.render(Context({"value": value}, use_tz=use_tz is not False))
                assert write(value) == expected, (zone, use_tz, fmt, value)


def test_the_zone_is_the_one_current_when_the_writer_is_made():
    value = dt.datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        write = date_text("Y-m-d H:i")
    assert write(value) == "2026-11-30 00:30"
