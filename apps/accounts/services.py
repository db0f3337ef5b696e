"""Writes on users and roles."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.audit import audit_record

from .models import APIToken, User
from .roles import AREA_APPS, GRANTS, MATRIX, Access, Role


def role_permissions_sync(*, using: str = "default") -> None:
    """Give each role Group exactly the Django model permissions its MATRIX row implies.

    Read access grants view_*; write access grants everything in the area's apps. Used by
    /admin/ (only Admins get into it); our own views check the matrix directly.
    """
    all_perms = list(Permission.objects.using(using).select_related("content_type"))
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for area, row in MATRIX.items():
            access = row.get(role, Access.NONE)
            apps_ = AREA_APPS[area]
            if access in GRANTS["write"]:
                wanted += [p for p in all_perms if p.content_type.app_label in apps_]
            elif access in GRANTS["read"] or access in GRANTS["figures"]:
                wanted += [
                    p
                    for p in all_perms
                    if p.content_type.app_label in apps_ and p.codename.startswith("view_")
                ]
        group.permissions.set(wanted)


def _set_roles(user: User, roles: Iterable[str]) -> None:
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(sorted(unknown))}"})
    user.groups.set(Group.objects.filter(name__in=roles))
    user.is_staff = Role.ADMIN in roles
    user.save(update_fields=["is_staff"])
    user._backoffice_roles = None


@transaction.atomic
def user_create(*, email: str, password: str, roles: Iterable[str], full_name: str = "") -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this email already exists."})
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    _set_roles(user, roles)
    audit_record(subject=user, event="user.roles_set", changes={"roles": sorted(roles)})
    return user


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[str]) -> User:
    before = sorted(user.groups.values_list("name", flat=True))
    roles = sorted(set(roles))
    _set_roles(user, roles)
    if before != roles:
        audit_record(subject=user, event="user.roles_set", changes={"roles": [before, roles]})
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User | None = None) -> User:
    if by is not None and by.pk == user.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    if User.objects.filter(pk=user.pk).exclude(is_active=active).update(is_active=active):
        user.is_active = active
        audit_record(subject=user, event="user.activated" if active else "user.deactivated")
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    full_name: str,
    phone: str,
    is_active: bool,
    roles: Iterable[str],
    by: User | None,
) -> User:
    """The Admin's user form: profile fields, active flag and roles in one transaction."""
    user_set_active(user=user, active=is_active, by=by)
    user.full_name, user.phone = full_name, phone
    user.save(update_fields=["full_name", "phone"])
    return user_roles_set(user=user, roles=roles)


# --- API tokens ---------------------------------------------------------------------------

TOKEN_PREFIX = "bo_"
TOKEN_TOUCH_EVERY = 60  # seconds: last_used_at is written at most once a minute per token


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def apitoken_create(
    *, user: User, name: str, expires_at=None, by: User | None = None
) -> tuple[APIToken, str]:
    """A new token for `user`; returns it with its secret, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token after what will use it, e.g. POS 3."})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Choose an expiry in the future."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = APIToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        token_hash=token_hash(secret),
        expires_at=expires_at,
    )
    audit_record(
        actor=by,
        subject=user,
        event="user.api_token_created",
        changes={"token": token.pk, "name": name, "expires_at": expires_at},
    )
    return token, secret


@transaction.atomic
def apitoken_revoke(*, token: APIToken, by: User | None = None) -> APIToken:
    now = timezone.now()
    if APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit_record(
            actor=by,
            subject=token.user,
            event="user.api_token_revoked",
            changes={"token": token.pk, "name": token.name},
        )
    return token


def apitoken_authenticate(secret: str) -> APIToken | None:
    """The usable token with this secret (and touch its last use), or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        APIToken.objects.usable()
        .select_related("user")
        .filter(token_hash=token_hash(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    stale = now - timedelta(seconds=TOKEN_TOUCH_EVERY)
    if token.last_used_at is None or token.last_used_at < stale:
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def profile_update(*, user: User, full_name: str, phone: str) -> User:
    """The profile's own fields (the profile page and the API's me/)."""
    user.full_name, user.phone = full_name.strip(), phone.strip()
    user.save(update_fields=["full_name", "phone"])
    return user
