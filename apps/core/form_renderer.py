"""Form widgets written in Python instead of through Django's widget templates (issue 14).

Every list page renders its filter bar, and Django's widget templates include one template
per attribute list and per <option>: a 7-field filter bar cost more than its table's query.
For the widgets our pages use (inputs, selects and their options) this renderer writes the
same characters the templates write (tests/core/test_form_renderer.py renders every widget
both ways and compares); any other template goes through the templates as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

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


def _var(value) -> str:
    """{{ value }} in an autoescaping template (localized, escaped unless safe)."""
    return render_value_in_context(value, _CONTEXT)


def _fmt(value) -> str:
    """{{ value|stringformat:'s' }} (the filter keeps safe input safe)."""
    return value if isinstance(value, SafeData) else escape(value)  # escape() takes str()


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(" " + _var(name))
        if value is not True:
            out.append('="' + _fmt(value) + '"')
    return "".join(out)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = widget["value"]
    shown = "" if value is None else ' value="' + _fmt(value) + '"'
    return (
        f'<input type="{_var(widget["type"])}" name="{_var(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{_fmt(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_var(option['label'])}</option>\n"
    )


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html, or None when an option has its own template."""
    out = [f'<select name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_var(group_name)}">')
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
