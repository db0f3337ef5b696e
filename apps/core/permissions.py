"""How views ask "may this user do this here?".

The answer comes from the permission matrix in `apps.accounts.roles` (the one source of
truth, DESIGN.md §7), reached through settings.BACKOFFICE_ACCESS_POLICY so core stays the
lowest layer. A view names its `area` and what it needs:

    read     open the screen (list, detail)
    write    change things (create, edit, delete, business actions)
    figures  dashboards and reports (Sales and Warehouse see their own figures)
    returns  record returns (Warehouse may, on orders it can otherwise only read)
    own      portal pages scoped to the logged-in party
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.utils.module_loading import import_string

NEEDS = ("read", "write", "figures", "returns", "own")


@cache
def _policy():
    return import_string(settings.BACKOFFICE_ACCESS_POLICY)


def has_access(user, area: str, need: str = "read") -> bool:
    if need not in NEEDS:
        raise ValueError(f"unknown need {need!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return _policy()(user, area, need)


class AreaRequiredMixin(AccessMixin):
    """403 unless the user's roles grant `need` on `area`; anonymous users go to login.

    `need` defaults to "read" for safe methods and "write" otherwise.
    """

    area: str = ""
    need: str | None = None
    write_need: str = "write"

    def get_need(self) -> str:
        if self.need:
            return self.need
        return "read" if self.request.method in ("GET", "HEAD", "OPTIONS") else self.write_need

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.area:
            raise PermissionDenied
        if not has_access(request.user, self.area, self.get_need()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def can(self, need: str, area: str | None = None) -> bool:
        return has_access(self.request.user, area or self.area, need)


def may_open(user, url: str) -> bool:
    """Would `user` get past the role check on a GET of `url`? (No 403 behind a link.)

    Reads the target view's own `area`/`need` (the same the view's dispatch checks), so a
    link and its page can never disagree. URLs outside our views (static, admin, external)
    and views without an area answer True: their own checks apply as usual.
    """
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return True
    try:
        match = resolve(parts.path)
    except Resolver404:
        return True
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, AreaRequiredMixin):
        return True
    if not view_class.area:
        return False
    return has_access(user, view_class.area, view_class.need or "read")
