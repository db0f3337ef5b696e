"""API token authentication (kept apart from api.py: DRF imports it while loading settings)."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from . import services

KEYWORD = "Token"


class APITokenAuthentication(BaseAuthentication):
    """`Authorization: Token bo_...` with a named API token (apps.accounts.models.APIToken)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the header as: Authorization: Token <secret>.")
        token = services.apitoken_authenticate(parts[1].decode(errors="replace"))
        if token is None:
            raise AuthenticationFailed("This API token is unknown, expired or revoked.")
        return token.user, token

    def authenticate_header(self, request):
        return KEYWORD
