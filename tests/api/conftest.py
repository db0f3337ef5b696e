"""API test fixtures: clients per role (API token auth, as integrations use it)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import apitoken_create


def token_client(user) -> APIClient:
    _, secret = apitoken_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def api_for(role_user):
    """api_for("Sales") -> an APIClient authenticated by an API token of a Sales user."""

    def make(role: str, **kwargs) -> APIClient:
        return token_client(role_user(role, **kwargs))

    return make


@pytest.fixture
def admin_api(api_for):
    return api_for("Admin")


@pytest.fixture
def accountant_user(role_user):
    return role_user("Accountant")


@pytest.fixture
def api(accountant_user):
    """An Accountant's token client."""
    return token_client(accountant_user)


@pytest.fixture
def screen(accountant_user):
    """The same Accountant logged in to the screens (to compare their words)."""
    from django.test import Client

    client = Client()
    client.force_login(accountant_user)
    return client
