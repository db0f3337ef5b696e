"""apps.core.querycache: a base queryset built once per key, cloned per use (`built_once`),
and any value built once per key (`kept`)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.catalog.models import Category
from apps.core import querycache
from apps.core.models import CompanySettings
from apps.core.querycache import built_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    querycache.forget_built()
    yield
    querycache.forget_built()


def counting_builder(calls):
    def build():
        calls.append(1)
        return Category.objects.order_by("name")

    return build


def test_same_key_builds_once_and_hands_out_independent_clones():
    calls = []
    Category.objects.create(name="Alpha")
    Category.objects.create(name="Beta")
    first = built_once(("test.categories",), counting_builder(calls))
    second = built_once(("test.categories",), counting_builder(calls))
    assert len(calls) == 1
    assert first is not second
    assert list(first.filter(name="Alpha").values_list("name", flat=True)) == ["Alpha"]
    # The filter on the first clone never reaches the second, nor the cached one.
    assert list(second.values_list("name", flat=True)) == ["Alpha", "Beta"]
    third = built_once(("test.categories",), counting_builder(calls))
    assert list(third.values_list("name", flat=True)) == ["Alpha", "Beta"]
    assert third._result_cache is None


def test_another_key_builds_again():
    calls = []
    built_once(("test.categories", 1), counting_builder(calls))
    built_once(("test.categories", 2), counting_builder(calls))
    built_once(("test.categories", 1), counting_builder(calls))
    assert len(calls) == 2


def test_saved_company_settings_build_again():
    calls = []
    built_once(("test.categories",), counting_builder(calls))
    settings = CompanySettings.load()
    settings.default_low_stock_threshold = 3
    settings.save()
    built_once(("test.categories",), counting_builder(calls))
    assert len(calls) == 2


def test_a_new_day_builds_again(monkeypatch):
    calls = []
    built_once(("test.categories",), counting_builder(calls))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(querycache.timezone, "localdate", lambda: tomorrow)
    built_once(("test.categories",), counting_builder(calls))
    built_once(("test.categories",), counting_builder(calls))
    assert len(calls) == 2


def test_the_oldest_entry_goes_first(monkeypatch):
    monkeypatch.setattr(querycache, "MAX_ENTRIES", 2)
    calls = []
    for key in (1, 2, 1, 3):  # 1 is used again after 2, so 2 is the oldest when 3 comes
        built_once(("test.categories", key), counting_builder(calls))
    assert len(calls) == 3
    built_once(("test.categories", 1), counting_builder(calls))
    assert len(calls) == 3
    built_once(("test.categories", 2), counting_builder(calls))
    assert len(calls) == 4


def test_kept_builds_a_value_once_per_key_and_shares_it():
    """`kept`: any value (here the compiled SQL of a page's parts), without the settings
    and date in its key and without a clone."""
    calls = []

    def build():
        calls.append(1)
        return ("SELECT 1", (2,))

    first = querycache.kept(("test.sql", 7), build)
    assert querycache.kept(("test.sql", 7), build) is first
    assert len(calls) == 1
    assert querycache.kept(("test.sql", 8), build) == ("SELECT 1", (2,))
    assert len(calls) == 2
    none = querycache.kept(("test.none",), lambda: None)  # None is a value like any other
    assert none is None and querycache.kept(("test.none",), build) is None
    assert len(calls) == 2
