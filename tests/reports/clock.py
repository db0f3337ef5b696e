"""Run real services "on" a past day: stock movements and their journal entries take the
date of the clock (timezone.now), so a history over several months needs the clock set.
Nothing of ours is replaced: only Django's clock and the movement's default timestamp."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from apps.inventory.models import StockMovement


@contextmanager
def on_day(day: dt.date):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    created = StockMovement._meta.get_field("created_at")
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch.object(created, "_get_default", lambda: moment),
    ):
        yield moment
