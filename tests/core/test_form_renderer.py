"""apps/core/form_renderer.py writes exactly what Django's widget templates write: every
field of every filter bar, and a form of awkward values, rendered both ways."""

import datetime as dt
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

import django_filters
import pytest
from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from apps.core.form_renderer import FastWidgetRenderer

pytestmark = pytest.mark.django_db

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()


def _filtersets():
    for config in django_apps.get_app_configs():
        if config.name.startswith("apps."):
            for module in ("filters", "filters_bank"):
                if find_spec(f"{config.name}.{module}"):
                    import_module(f"{config.name}.{module}")
    seen, todo = [], list(django_filters.FilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("apps.") and cls._meta.model is not None:
            seen.append(cls)
    return sorted(seen, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


class Awkward(forms.Form):
    text = forms.CharField(initial='a "quoted" <b>&amp; value</b>', required=False)
    safe = forms.CharField(initial=mark_safe("<i>safe</i>"))
    number = forms.DecimalField(initial=Decimal("1234.50"), widget=forms.NumberInput)
    day = forms.DateField(
        initial=dt.date(2026, 11, 29), widget=forms.DateInput(attrs={"type": "date"})
    )
    flag = forms.BooleanField(initial=True, required=False)
    off = forms.BooleanField(initial=False, required=False, disabled=True)
    maybe = forms.NullBooleanField(initial=None, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, initial=7)
    pick = forms.ChoiceField(
        choices=[("", "—"), ("a&b", gettext_lazy("A & B")), (3, 3), ("x", '<x "y">')],
        initial="a&b",
    )
    grouped = forms.ChoiceField(
        choices=[("One", [("1", "one"), ("2", "two")]), ("Two", [("3", "three")]), ("4", "four")],
        initial="3",
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], initial=["a", "b"])
    words = forms.CharField(widget=forms.Textarea, initial="<fallback>")  # templates


def _compare(field, label):
    widget = field.field.widget
    attrs = {"class": "form-select change-filter", "data-x": True, "data-off": False}
    args = (field.html_name, field.value(), field.build_widget_attrs(attrs, widget))
    by_python = widget.render(*args, renderer=FAST)
    assert by_python == widget.render(*args, renderer=TEMPLATES), label


def test_the_setting_names_the_fast_renderer():
    assert settings.FORM_RENDERER == "apps.core.form_renderer.FastWidgetRenderer"


@pytest.mark.parametrize("filterset", _filtersets(), ids=lambda cls: cls.__name__)
def test_every_filter_bar_field(filterset):
    fs = filterset(data={}, queryset=filterset._meta.model._default_manager.none())
    for field in fs.form:
        _compare(field, f"{filterset.__name__}.{field.name}")


@pytest.mark.parametrize("bound", [False, True])
def test_awkward_values(bound):
    data = {
        "text": 'x\' onmouseover="y" &',
        "number": "12.5",
        "day": "2026-02-03",
        "maybe": "true",
        "hidden": "<h>",
        "pick": "3",
        "grouped": "2",
        "many": ["b"],
    }
    form = Awkward(data=data) if bound else Awkward()
    for field in form:
        _compare(field, field.name)
