"""Form widgets written in Python instead of through Django's widget templates (issue 14).

Every list page renders its filter bar, and Django's widget templates include one template
per attribute list and per <option>: a 7-field filter bar cost more than its table's query.
For the widgets our pages use (inputs, selects and their options) this renderer writes the
same characters the templates write (tests/core/test_form_renderer.py renders every widget
both ways and compares); any other template goes through the templates as before.
"""

from __future__ import annotations

import html as html_lib

from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.widgets import Select, Widget
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe

_WIDGETS = "django/forms/widgets/"
# Templates that are `{% include "django/forms/widgets/input.html" %}` plus a newline.
_INPUTS = frozenset(
    _WIDGETS + name
    for name in (
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "tel.html",
        "search.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "checkbox.html",
        "color.html",
    )
)
_OPTION = _WIDGETS + "select_option.html"
_CONTEXT = Context(autoescape=True)  # read only: autoescape, use_l10n, use_tz


def var_text(value, context=_CONTEXT) -> str:
    """{{ value }} in `context` (an autoescaping one unless given: localized, escaped unless
    safe). Plain text (names, ids, labels, attribute values) is escaped directly: what the
    template does to it, without the lazy-string checks `escape` makes on every call."""
    if type(value) is str and context.autoescape:
        return html_lib.escape(value)
    return render_value_in_context(value, context)


def _fmt(value) -> str:
    """{{ value|stringformat:'s' }} (the filter keeps safe input safe; escape() takes str())."""
    return value if isinstance(value, SafeData) else html_lib.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(" " + var_text(name))
        if value is not True:
            out.append('="' + _fmt(value) + '"')
    return "".join(out)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = widget["value"]
    shown = "" if value is None else ' value="' + _fmt(value) + '"'
    return (
        f'<input type="{var_text(widget["type"])}" name="{var_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{_fmt(option["value"])}"{_attrs(option["attrs"])}>'
        f"{var_text(option['label'])}</option>\n"
    )


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html, or None when an option has its own template."""
    out = [f'<select name="{var_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{var_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FastWidgetRenderer(DjangoTemplates):
    """FORM_RENDERER: inputs and selects in Python, everything else through templates.
    (Django's renderer strips the template's output: no trailing newline.)"""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if len(context) == 1 else None
        if widget is not None:
            if template_name in _INPUTS:
                return _input(widget)
            if template_name == _WIDGETS + "select.html":
                html = _select(widget)
                if html is not None:
                    return html
        return super().render(template_name, context, request)


# A select's options, written once per list of choices: (value, label) pairs -> each
# option's HTML unselected and selected. Keyed by the choices themselves (read on every
# request as before), so a store or category added, renamed or deactivated is a new key:
# never a stale option. Bounded: emptied when it holds too many lists.
_OPTIONS: dict[tuple, list[tuple[str, str, str]]] = {}
_OPTIONS_MAX = 512


def _options(choices) -> list[tuple[str, str, str]] | None:
    key = []
    for value, label in choices:
        if value is None:
            value = ""
        if isinstance(label, list | tuple) or isinstance(value, SafeData | list | tuple):
            return None  # option groups, or values written as they are: the templates
        if type(label) is not str and not isinstance(label, Promise):
            return None  # localized labels (numbers, dates): the templates
        if isinstance(label, SafeData):
            return None
        key.append((str(value), str(label)))
    key = tuple(key)
    found = _OPTIONS.get(key)
    if found is None:
        found = [
            (
                value,
                f'\n  <option value="{escape(value)}">{escape(label)}</option>\n',
                f'\n  <option value="{escape(value)}" selected>{escape(label)}</option>\n',
            )
            for value, label in key
        ]
        if len(_OPTIONS) >= _OPTIONS_MAX:
            _OPTIONS.clear()
        _OPTIONS[key] = found
    return found


def quick_select(widget, name, value, attrs, renderer) -> str | None:
    """A single `<select>` as FastWidgetRenderer writes it from Django's optgroups, without
    building an option dict per choice; None when it does not apply (then the widget renders
    as before)."""
    if not isinstance(renderer or get_default_renderer(), FastWidgetRenderer):
        return None
    if (
        widget.template_name != _WIDGETS + "select.html"
        or widget.option_template_name != _OPTION
        or widget.option_inherits_attrs
        or widget.allow_multiple_selected
    ):
        return None
    options = _options(widget.choices)
    if options is None:
        return None
    context = Widget.get_context(widget, name, value, attrs)["widget"]
    selected = context["value"]  # ChoiceWidget.format_value: a list of str
    out = [f'<select name="{var_text(context["name"])}"{_attrs(context["attrs"])}>']
    chosen = False
    for text, plain, marked in options:  # Django's optgroups: the first match only
        if not chosen and text in selected:
            out.append(marked)
            chosen = True
        else:
            out.append(plain)
    out.append("\n</select>")
    return "".join(out)


class _QuickSelect:
    """Mixed into a plain Select's class (quick_widget): render through quick_select."""

    def render(self, name, value, attrs=None, renderer=None):
        html = quick_select(self, name, value, attrs, renderer)
        if html is None:
            return super().render(name, value, attrs, renderer)
        return mark_safe(html)


_QUICK: dict[type, type] = {}


def quick_widget(widget) -> None:
    """Give a single-choice Select (or NullBooleanSelect...) instance the quick render; any
    other widget, or a Select subclass with its own render, is left as it is."""
    cls = type(widget)
    if cls in _QUICK.values() or not issubclass(cls, Select) or cls.render is not Widget.render:
        return
    quick = _QUICK.get(cls)
    if quick is None:
        quick = _QUICK[cls] = type(f"Quick{cls.__name__}", (_QuickSelect, cls), {})
    widget.__class__ = quick
