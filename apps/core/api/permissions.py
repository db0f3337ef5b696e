"""The API asks the same question as the screens: does the role matrix
(`apps.accounts.roles`, through `apps.core.permissions.has_access`) grant this need here?"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.core.permissions import has_access


def view_need(view, request) -> str:
    needs = getattr(view, "action_needs", {}) or {}
    action = getattr(view, "action", None)
    if action in needs:
        return needs[action]
    return "read" if request.method in SAFE_METHODS else "write"


def is_own_request(view, request) -> bool:
    """A portal user reaching an endpoint scoped to their own party (customer, seller)."""
    if getattr(view, "own_actions", None) is None:
        return False
    return getattr(view, "action", None) in view.own_actions and has_access(
        request.user, view.area, "own"
    )


class AreaPermission(BasePermission):
    """403 unless the user's roles grant the view's need on its `area` (or the request is a
    portal user's own-party request, whose queryset the view narrows to the party)."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        area = getattr(view, "area", "")
        if not area:  # endpoints without an area (auth/me, tokens) decide themselves
            return True
        if has_access(user, area, view_need(view, request)):
            request.own_scope = False
            return True
        if is_own_request(view, request):
            request.own_scope = True
            return True
        return False
