"""API auth: JWT login/refresh/logout, API tokens, session + CSRF, login throttling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import APIToken
from apps.accounts.services import apitoken_create, token_hash

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def login(client, email, password):
    return client.post("/api/v1/auth/login/", {"email": email, "password": password}, format="json")


def test_jwt_login_refresh_logout(role_user, password):
    role_user("Sales", email="sales@example.test")
    client = APIClient()

    # the email is normalised as the login form does (case, spaces)
    tokens = login(client, "  Sales@Example.TEST ", password)
    assert tokens.status_code == 200, tokens.content
    assert set(tokens.json()) == {"access", "refresh"}

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    me = client.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "sales@example.test"
    assert me.json()["roles"] == ["Sales"]

    renewed = client.post("/api/v1/auth/refresh/", {"refresh": tokens.json()["refresh"]})
    assert renewed.status_code == 200
    # rotation blacklisted the old refresh token
    again = client.post("/api/v1/auth/refresh/", {"refresh": tokens.json()["refresh"]})
    assert again.status_code == 401
    assert again["Content-Type"] == PROBLEM

    out = client.post("/api/v1/auth/logout/", {"refresh": renewed.json()["refresh"]})
    assert out.status_code == 205
    after = client.post("/api/v1/auth/refresh/", {"refresh": renewed.json()["refresh"]})
    assert after.status_code == 401


def test_me_put_changes_only_profile_fields(api_for):
    client = api_for("Viewer")
    answer = client.put(
        "/api/v1/auth/me/",
        {"full_name": "Vera Viewer", "phone": "+44 20 7946 0000", "email": "x@y.test"},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["full_name"] == "Vera Viewer"
    assert answer.json()["email"] == "viewer@example.test"


def test_wrong_password_then_lockout_like_the_form(role_user, password, settings):
    role_user("Sales", email="sales@example.test")
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = login(client, "sales@example.test", "nope")
        assert wrong.status_code == 401
        assert wrong.json()["detail"] == "Wrong email or password."
    locked = login(client, "SALES@example.test", "nope")
    assert locked.status_code == 429
    assert locked["Content-Type"] == PROBLEM
    assert locked.json()["detail"].startswith("Too many failed login attempts")
    # locked: even the right password is refused, through the API and through the form
    assert login(client, "sales@example.test", password).status_code == 429
    form = Client().post(
        "/accounts/login/", {"username": "sales@example.test", "password": password}
    )
    assert form.status_code == 429


def test_api_token_is_hashed_shown_once_and_revocable(role_user):
    user = role_user("Warehouse")
    client = APIClient()
    client.force_authenticate(user)
    created = client.post("/api/v1/auth/tokens/", {"name": "POS 3"}, format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["token"]
    stored = APIToken.objects.get(pk=created.json()["id"])
    assert stored.token_hash == token_hash(secret) and secret not in stored.token_hash
    assert "token" not in client.get(f"/api/v1/auth/tokens/{stored.pk}/").json()

    pos = APIClient()
    pos.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert pos.get("/api/v1/stores/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    assert client.delete(f"/api/v1/auth/tokens/{stored.pk}/").status_code == 204
    refused = pos.get("/api/v1/stores/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This API token is unknown, expired or revoked."


def test_expired_token_is_refused(role_user):
    token, secret = apitoken_create(user=role_user("Viewer"), name="old")
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/products/").status_code == 401


def test_only_admin_manages_other_peoples_tokens(role_user):
    sales, admin = role_user("Sales"), role_user("Admin")
    mine, _ = apitoken_create(user=sales, name="mine")
    other = APIClient()
    other.force_authenticate(role_user("Viewer"))
    assert other.get(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 404
    refused = other.post("/api/v1/auth/tokens/", {"name": "x", "user": sales.pk}, format="json")
    assert refused.status_code == 403
    boss = APIClient()
    boss.force_authenticate(admin)
    made = boss.post("/api/v1/auth/tokens/", {"name": "for sales", "user": sales.pk}, format="json")
    assert made.status_code == 201 and made.json()["user"] == sales.pk
    assert boss.delete(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 204


def test_session_auth_enforces_csrf(role_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(role_user("Admin"))
    assert client.get("/api/v1/categories/").status_code == 200
    refused = client.post("/api/v1/categories/", {"name": "Tools"}, format="json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["detail"].startswith("CSRF Failed")
    client.get("/accounts/profile/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ok = client.post(
        "/api/v1/categories/", {"name": "Tools"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert ok.status_code == 201
    assert ok.json()["name"] == "Tools"


def test_anonymous_gets_401_problem():
    answer = APIClient().get("/api/v1/products/")
    assert answer.status_code == 401
    assert answer["Content-Type"] == PROBLEM
    assert answer["WWW-Authenticate"] == "Token"
    assert answer.json()["title"] == "Authentication required"


def test_tokens_on_the_profile_page_and_the_admins_user_page(role_user):
    from django.test import Client

    user = role_user("Warehouse")
    browser = Client()
    browser.force_login(user)
    assert "No API tokens yet." in browser.get("/accounts/profile/").content.decode()
    page = browser.post("/accounts/tokens/new/", {"name": "POS 3", "expires_in_days": "30"})
    assert page.status_code == 200
    secret = page.context["new_token"]["secret"]
    token = APIToken.objects.get(user=user)
    assert token.token_hash == token_hash(secret) and token.name == "POS 3"
    assert (token.expires_at - timezone.now()).days == 29
    assert secret in page.content.decode()
    assert secret not in browser.get("/accounts/profile/").content.decode()  # shown once
    bad = browser.post("/accounts/tokens/new/", {"name": " "})
    assert "Name the token after what will use it" in bad.content.decode()

    admin = Client()
    admin.force_login(role_user("Admin"))
    assert "POS 3" in admin.get(f"/accounts/users/{user.pk}/").content.decode()
    made = admin.post("/accounts/tokens/new/", {"name": "Shop", "user": user.pk})
    assert made.status_code == 200 and made.context["new_token"]["name"] == "Shop"
    revoked = admin.post(
        f"/accounts/tokens/{token.pk}/revoke/", {"next": f"/accounts/users/{user.pk}/"}
    )
    assert revoked.status_code == 302 and revoked["Location"] == f"/accounts/users/{user.pk}/"
    token.refresh_from_db()
    assert token.status == "revoked"
    other = Client()
    other.force_login(role_user("Viewer"))
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert other.post("/accounts/tokens/new/", {"name": "x", "user": user.pk}).status_code == 403


def test_users_api_uses_the_admins_rules(admin_api):
    weak = admin_api.post(
        "/api/v1/users/",
        {"email": "new@example.test", "password": "123", "roles": ["Sales"]},
        format="json",
    )
    assert weak.status_code == 400
    assert "This password is too short." in weak.json()["errors"]["password"][0]
    made = admin_api.post(
        "/api/v1/users/",
        {"email": " New@Example.test", "password": "a-long-pass-2026", "roles": ["Sales"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert (made.json()["email"], made.json()["roles"]) == ("new@example.test", ["Sales"])
    again = admin_api.post(
        "/api/v1/users/",
        {"email": "NEW@example.test", "password": "a-long-pass-2026", "roles": []},
        format="json",
    )
    assert again.status_code == 400
    changed = admin_api.patch(
        f"/api/v1/users/{made.json()['id']}/",
        {"roles": ["Viewer"], "is_active": False},
        format="json",
    )
    assert changed.status_code == 200
    assert (changed.json()["roles"], changed.json()["is_active"]) == (["Viewer"], False)
