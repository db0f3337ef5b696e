"""The session's user and its role names read in one SQL statement.

Every request of a logged-in person reads its user, and nearly every page its roles
(the sidebar, the permission checks). Django's ModelBackend reads the user through the
ORM, then `user_roles` the group names: two statements whose compile step costs more CPU
than the statements themselves (~1.6 ms against ~0.25 ms written out; docs/performance.md,
"The fixed cost of a page (`frame` branch)"). On a GET the statement's rows are kept per
process under the reference stamp (apps.core.reference): users, their role links and the
roles are stamped tables, so a removed role, a deactivated user or a changed password
moves the stamp, and the next request reads the user again, as before. Each request
still gets a new user instance built from the rows.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections

from apps.core import reference
from apps.core.sql import Rows, server_binding

from .roles import roles_from


@functools.cache
def _plan() -> tuple[Rows, str]:
    """(the user's Rows, `SELECT user columns, group name ... WHERE u.id = %s`): one row
    per group of the user (one with a NULL name when it has none), none when no user."""
    user_model = get_user_model()
    users = Rows(user_model, "u")
    link = user_model._meta.get_field("groups").remote_field.through._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    user_column = link.get_field(user_model._meta.model_name).column
    group_column = link.get_field("group").column
    sql = (
        f"SELECT {users.select}, g.{quote(Group._meta.get_field('name').column)}"
        f" FROM {users.table}"
        f" LEFT JOIN {quote(link.db_table)} ug ON ug.{quote(user_column)} = u.id"
        f" LEFT JOIN {quote(Group._meta.db_table)} g ON g.id = ug.{quote(group_column)}"
        f" WHERE u.{quote(user_model._meta.pk.column)} = %s"
    )
    return users, sql


def _read(sql: str, pk) -> tuple:
    with server_binding(), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, [pk])
        return tuple(cursor.fetchall())


class UserBackend(ModelBackend):
    """ModelBackend (email and password, permissions from the groups) whose `get_user`
    also reads the user's role names, in the same statement."""

    def get_user(self, user_id):
        users, sql = _plan()
        try:
            pk = users.model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        # The statement reads users, user-role links and roles: stamped tables, all three.
        rows = reference.cached("accounts_user", f"accounts.user:{pk}", lambda: _read(sql, pk))
        if not rows:
            return None
        user = users.build(rows[0])
        if not self.user_can_authenticate(user):
            return None
        user._backoffice_roles = roles_from(
            (row[-1] for row in rows if row[-1] is not None), user.is_superuser
        )
        return user
