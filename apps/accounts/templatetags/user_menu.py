"""`{% user_menu %}`: the top bar's user menu (partials/_user_menu.html: avatar, name,
email, roles, links, the logout form), rendered once per user and what it shows, then
given each request's CSRF token: the same characters as rendering it on every page, for
~a third of the frame's template time (docs/performance.md, "The fixed cost of a page
(`frame` branch)")."""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe

register = template.Library()

TEMPLATE = "partials/_user_menu.html"
_MARK = "\x00csrf-token\x00"  # stands for the token in the stored HTML; escape() keeps it
_MAX = 1024  # menus kept per process (a few bytes each); past it the store starts again
_menus: dict[tuple, str] = {}


def _settings_changed(**kwargs) -> None:
    _menus.clear()  # MEDIA_URL (the avatar), the URLconf...


setting_changed.connect(_settings_changed)


def _key(user) -> tuple:
    """Everything the menu shows: who, under which name and address, the avatar, the
    roles, the admin link; and what its URLs are reversed against."""
    return (
        user.pk,
        user.full_name,
        user.email,
        user.avatar.name,
        tuple(user.roles),
        user.is_staff,
        get_urlconf(),
        get_script_prefix(),
    )


@register.simple_tag(takes_context=True)
def user_menu(context) -> str:
    user = context["user"]
    token = context.get("csrf_token")
    token = str(token) if token else ""
    if not token or token == "NOTPROVIDED":  # {% csrf_token %} writes nothing: no store
        return render_to_string(TEMPLATE, {"user": user, "csrf_token": token})
    key = _key(user)
    html = _menus.get(key)
    if html is None:
        if len(_menus) >= _MAX:
            _menus.clear()
        html = _menus[key] = render_to_string(TEMPLATE, {"user": user, "csrf_token": _MARK})
    return mark_safe(html.replace(_MARK, token))  # the token is [a-zA-Z0-9]: no escaping
