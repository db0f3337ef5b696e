"""The demo users of DESIGN.md §9 (password demo-pass-2026), created only by seed_demo."""

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


def seed(*, stdout) -> None:
    for email, name, role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            stdout.write(f"  user {email} ({role})")
        user_roles_set(user=user, roles=[role.value])
        if role == Role.ADMIN and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
