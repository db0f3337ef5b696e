"""cell_text (apps/core/table_rows.py) writes what `{{ value }}` writes, its shortcuts for
text and ints included, with and without thousand separators."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from apps.core.table_rows import cell_text

VALUE = Template("{{ value }}")
VALUES = [
    0,
    7,
    -12,
    1234567,
    True,
    False,
    None,
    "",
    'a <b> & "c"',
    mark_safe("<i>safe</i>"),
    Decimal("1234.50"),
    1234.5,
    dt.date(2026, 11, 29),
]


@pytest.mark.parametrize("separator", [False, True])
def test_cell_text_is_what_the_template_writes(settings, separator):
    settings.USE_THOUSAND_SEPARATOR = separator
    for value in VALUES:
        assert cell_text(value) == VALUE.render(Context({"value": value})), repr(value)
