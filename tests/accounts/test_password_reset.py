"""Forgot password (issue 13 item 9): Django's reset flow by email, throttled, with the same
answer whether or not the address has an account."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.password_reset import RESET_PER_EMAIL

pytestmark = pytest.mark.django_db


def test_login_page_links_to_the_reset_and_a_favicon_is_served(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html
    assert 'rel="icon"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_reset_by_email_sets_a_new_password(client, make_user):
    make_user("Viewer", email="forgetful@example.test")
    response = client.post(reverse("password_reset"), {"email": " Forgetful@Example.test "})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["forgetful@example.test"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in page.content
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-Much-better-one-42", "new_password2": "a-Much-better-one-42"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    login = client.post(
        reverse("login"),
        {"username": "forgetful@example.test", "password": "a-Much-better-one-42"},
    )
    assert login.status_code == 302 and login["Location"] == "/"


def test_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_requests_are_throttled_per_address_without_telling(client, make_user):
    make_user("Viewer", email="target@example.test")
    for _ in range(RESET_PER_EMAIL + 2):
        response = client.post(reverse("password_reset"), {"email": "target@example.test"})
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == RESET_PER_EMAIL


def test_requests_are_throttled_per_client_address(client, make_user):
    for n in range(12):
        make_user("Viewer", email=f"user{n}@example.test")
        client.post(reverse("password_reset"), {"email": f"user{n}@example.test"})
    assert len(mail.outbox) == 10  # RESET_PER_IP from one address
