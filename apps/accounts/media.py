"""Avatars: for logged-in staff (and the person themself)."""

from apps.core.media import media_rule

from .roles import is_portal_user


def _avatar_reader(request, name: str) -> bool:
    user = request.user
    return not is_portal_user(user) or (user.avatar and user.avatar.name == name)


media_rule("avatars/", _avatar_reader)
