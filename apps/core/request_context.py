"""Who is acting, from where: per-request values read by the audit log and BaseModel.save.

A ContextVar (not a module global) so concurrent requests and threads never see each
other's actor; the middleware sets it, services may override it with `acting_as`.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any = None
    ip: str | None = None


_current: ContextVar[Actor | None] = ContextVar("backoffice_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor()


def current_user():
    user = current_actor().user
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


@contextlib.contextmanager
def acting_as(user=None, ip: str | None = None):
    """Run a block as `user` (jobs, management commands, tests)."""
    token = _current.set(Actor(user=user, ip=ip))
    try:
        yield
    finally:
        _current.reset(token)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# Values a GET request reads several times and cannot change (CompanySettings.load: the
# page title, the base currency, the default threshold). Only safe methods get a memo, so a
# request that edits what is memoised never sees a stale copy; outside requests there is none.
_memo: ContextVar[dict | None] = ContextVar("backoffice_request_memo", default=None)


def request_memo() -> dict | None:
    """This GET request's memo (a dict), or None outside one."""
    return _memo.get()


@contextlib.contextmanager
def memo_for(request):
    token = _memo.set({} if request.method in ("GET", "HEAD") else None)
    try:
        yield
    finally:
        _memo.reset(token)
