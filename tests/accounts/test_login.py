import pytest
from django.urls import reverse

from apps.accounts.models import User

pytestmark = pytest.mark.django_db


def test_login_with_email_any_case_lands_on_dashboard(client, make_user, password):
    make_user("Sales", email="sam@example.test")
    response = client.post(reverse("login"), {"username": "SAM@Example.test", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_portal_user_lands_on_portal(client, make_user, password):
    make_user("Customer", email="cust@example.test")
    client.post(reverse("login"), {"username": "cust@example.test", "password": password})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("portal-home")
    assert client.get(reverse("portal-home")).status_code == 200


def test_wrong_password_shows_error_next_to_form(client, make_user):
    make_user("Sales", email="sam@example.test")
    response = client.post(reverse("login"), {"username": "sam@example.test", "password": "nope"})
    assert response.status_code == 200
    assert b"Wrong email or password" in response.content


def test_five_failures_lock_the_account_even_with_the_right_password(client, make_user, password):
    make_user("Sales", email="sam@example.test")
    for _ in range(4):
        assert (
            client.post(
                reverse("login"), {"username": "sam@example.test", "password": "nope"}
            ).status_code
            == 200
        )
    fifth = client.post(reverse("login"), {"username": "sam@example.test", "password": "nope"})
    assert fifth.status_code == 429
    assert b"Too many failed login attempts" in fifth.content
    right = client.post(reverse("login"), {"username": "sam@example.test", "password": password})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(client, make_user, password):
    make_user("Sales", email="sam@example.test")
    make_user("Viewer", email="vic@example.test")
    for _ in range(5):
        client.post(reverse("login"), {"username": "sam@example.test", "password": "nope"})
    response = client.post(reverse("login"), {"username": "vic@example.test", "password": password})
    assert response.status_code == 302


def test_inactive_user_cannot_log_in(client, make_user, password):
    make_user("Sales", email="gone@example.test", is_active=False)
    response = client.post(
        reverse("login"), {"username": "gone@example.test", "password": password}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only_and_ends_session(client, make_user):
    client.force_login(make_user("Viewer"))
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def test_password_change(client, make_user, password):
    user = make_user("Viewer")
    client.force_login(user)
    response = client.post(
        reverse("password-change"),
        {
            "old_password": password,
            "new_password1": "Another-long-pass-77",
            "new_password2": "Another-long-pass-77",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("Another-long-pass-77")


def test_password_change_rejects_wrong_old_password(client, make_user):
    user = make_user("Viewer")
    client.force_login(user)
    response = client.post(
        reverse("password-change"),
        {
            "old_password": "bad",
            "new_password1": "Another-long-pass-77",
            "new_password2": "Another-long-pass-77",
        },
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
