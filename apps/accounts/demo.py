"""The demo users of DESIGN.md §9 (password demo-pass-2026), created only by seed_demo."""

import functools

from django.contrib.auth.hashers import make_password

from .models import User
from .roles import Role
from .services import user_roles_set

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    ("admin@demo.test", "Ada Admin", Role.ADMIN),
    ("sales@demo.test", "Sam Sales", Role.SALES),
    ("warehouse@demo.test", "Wes Warehouse", Role.WAREHOUSE),
    ("accountant@demo.test", "Alex Accountant", Role.ACCOUNTANT),
    ("viewer@demo.test", "Vic Viewer", Role.VIEWER),
    ("customer@demo.test", "Cora Customer", Role.CUSTOMER),
    ("seller@demo.test", "Sid Seller", Role.SELLER),
]


@functools.cache
def demo_password_hash() -> str:
    """One hash of the demo password for every demo login: hashing is slow on purpose
    (PBKDF2, ~0.3-1 s each), and seed_demo creates 18 logins."""
    return make_password(DEMO_PASSWORD)


def demo_user(email: str, full_name: str) -> User:
    """A demo login (no roles yet) with the demo password."""
    return User.objects.create(email=email, full_name=full_name, password=demo_password_hash())


def seed(*, stdout) -> None:
    for email, name, role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = demo_user(email, name)
            stdout.write(f"  user {email} ({role})")
        user_roles_set(user=user, roles=[role.value])
        if role == Role.ADMIN and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
