"""Login throttling: the email is normalised before django-axes sees it (issue 12 §1) and
the lock protects against guessing without handing out a denial of service (§2)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """A controlled clock for django-axes (no sleeps): clock.advance(minutes=14)."""

    class Clock:
        def __init__(self):
            self.now = timezone.now()

        def __call__(self):
            return self.now

        def advance(self, **kwargs):
            self.now += timedelta(**kwargs)

    fake = Clock()
    for target in ("django.utils.timezone.now", "axes.attempts.now", "axes.handlers.proxy.now"):
        monkeypatch.setattr(target, fake)
    return fake


def post_login(client, email, password, ip="10.0.0.1", url=None):
    return client.post(
        url or reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_normalize_login_email_strips_and_lowercases():
    from apps.accounts.login import normalize_login_email

    assert normalize_login_email("  LockCase@Demo.TEST ") == "lockcase@demo.test"
    assert normalize_login_email(None) == ""


def test_letter_case_does_not_dodge_the_lock(client, make_user, password):
    make_user("Sales", email="lockcase@demo.test")
    variants = [
        "lockcase@demo.test",
        "LOCKCASE@demo.test",
        "LockCase@Demo.test",
        " lockcase@DEMO.test",
    ]
    for email in [*variants, "lockCASE@demo.test"]:
        post_login(client, email, "wrong")
    response = post_login(client, "LOCKCASE@demo.test", password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    from axes.models import AccessAttempt

    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("lockcase@demo.test", 5)
    ]


def test_admin_login_shares_the_normalised_lock(make_user, password):
    make_user("Admin", email="boss@demo.test", is_staff=True)
    client = Client()
    for email in [
        "BOSS@demo.test",
        "Boss@demo.test",
        "boss@DEMO.test",
        "bOss@demo.test",
        "boss@demo.test",
    ]:
        post_login(client, email, "wrong", url="/admin/login/")
    response = post_login(client, "BOSS@DEMO.TEST", password, url="/admin/login/")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_attempts_during_the_lock_do_not_extend_it(clock, make_user, password):
    """One request every 14 minutes cannot keep an account locked forever."""
    make_user("Admin", email="admin@demo.test")
    attacker = Client()
    for _ in range(5):
        post_login(attacker, "admin@demo.test", "guess")
    for _ in range(3):  # a poke every 14 minutes while locked
        clock.advance(minutes=4)
        assert post_login(attacker, "admin@demo.test", password).status_code == 429
    clock.advance(minutes=4)  # 16 minutes after the lock: the cool-off has run out
    assert post_login(attacker, "admin@demo.test", "guess").status_code == 200  # a fresh count
    clock.advance(minutes=14)
    owner = Client()
    assert post_login(owner, "admin@demo.test", password).status_code == 302


def test_one_address_locks_only_itself_below_the_account_ceiling(clock, make_user, password):
    make_user("Admin", email="admin@demo.test")
    attacker = Client()
    for _ in range(5):
        post_login(attacker, "admin@demo.test", "guess", ip="203.0.113.9")
    assert post_login(attacker, "admin@demo.test", password, ip="203.0.113.9").status_code == 429
    owner = Client()
    assert post_login(owner, "admin@demo.test", password, ip="10.0.0.7").status_code == 302


def test_guessing_from_many_addresses_hits_the_account_ceiling(
    clock, settings, make_user, password
):
    ceiling = settings.AXES_ACCOUNT_FAILURE_CEILING
    assert ceiling == 20
    make_user("Admin", email="admin@demo.test")
    attacker = Client()
    for n in range(ceiling):  # 4 guesses from each address: no address reaches its own limit
        post_login(attacker, "admin@demo.test", f"guess{n}", ip=f"198.51.100.{n // 4}")
    assert post_login(attacker, "admin@demo.test", password, ip="198.51.100.99").status_code == 429
    assert post_login(Client(), "admin@demo.test", password, ip="10.0.0.7").status_code == 429
    clock.advance(minutes=16)
    assert post_login(Client(), "admin@demo.test", password, ip="10.0.0.7").status_code == 302
