"""The session's row, its user and the user's roles read in two statements written out
(apps.accounts.sessions, apps.accounts.backends.UserBackend), and the top bar's user menu
rendered once per user and what it shows ({% user_menu %}): what a GET keeps across
requests (the user's rows, under the reference stamp) is read again after any change of
roles, name, active flag or password."""

import re

import pytest
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from apps.accounts.backends import UserBackend
from apps.accounts.roles import Role, user_roles
from apps.accounts.services import user_roles_set
from apps.core.models import CompanySettings

pytestmark = pytest.mark.django_db


def test_user_and_roles_in_one_statement(make_user, django_assert_num_queries):
    user = make_user(Role.SALES, Role.WAREHOUSE, full_name="Sam Two")
    with django_assert_num_queries(1):
        read = UserBackend().get_user(str(user.pk))
        assert user_roles(read) == {Role.SALES, Role.WAREHOUSE}
        assert read.roles == ["Sales", "Warehouse"]
    assert (read.pk, read.email, read.full_name, read.is_active) == (
        user.pk,
        user.email,
        "Sam Two",
        True,
    )
    assert read.date_joined == user.date_joined
    none = make_user(email="nobody@example.test")
    with django_assert_num_queries(1):
        assert user_roles(UserBackend().get_user(none.pk)) == set()


def test_superuser_is_admin_and_unknown_groups_are_not_roles(make_user):
    user = make_user(is_superuser=True, email="root@example.test")
    user.groups.add(Group.objects.create(name="Not a role"))
    assert user_roles(UserBackend().get_user(user.pk)) == {Role.ADMIN}


def test_no_user_for_a_missing_inactive_or_malformed_id(make_user):
    backend = UserBackend()
    gone = make_user(Role.ADMIN, is_active=False)
    assert backend.get_user(gone.pk) is None
    assert backend.get_user(gone.pk + 1000) is None
    assert backend.get_user("not a number") is None


def test_a_refused_page_reads_session_user_with_roles_and_settings(
    client_for, django_assert_num_queries
):
    CompanySettings.load()  # the row exists (the first read of a new database creates it)
    client = client_for(Role.WAREHOUSE)
    with django_assert_num_queries(3) as queries:  # no page of its own: only the frame's
        assert client.get(reverse("user-list")).status_code == 403
    tables = [re.findall(r'FROM "?(\w+)', q["sql"]) for q in queries.captured_queries]
    # The session's statement reads the reference stamp too (apps.core.reference); this
    # test's first page reads the settings (nothing is kept yet).
    assert tables == [
        ["core_referencestamp", "django_session"],
        ["accounts_user"],
        ["core_companysettings"],
    ]


def test_the_next_page_builds_the_user_from_the_kept_rows(client_for, django_assert_num_queries):
    CompanySettings.load()
    client = client_for(Role.WAREHOUSE)
    assert client.get(reverse("user-list")).status_code == 403  # reads and keeps the user
    with django_assert_num_queries(1) as queries:
        assert client.get(reverse("user-list")).status_code == 403
    tables = [re.findall(r'FROM "?(\w+)', q["sql"]) for q in queries.captured_queries]
    assert tables == [["core_referencestamp", "django_session"]]


def test_a_change_made_without_the_orm_acts_on_the_next_request(make_user):
    user = make_user(Role.ADMIN)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("user-list")).status_code == 200
    assert client.get(reverse("user-list")).status_code == 200  # from the kept rows
    Group.objects.filter(name="Admin").update(name="Former admin")  # the role is renamed away
    assert client.get(reverse("user-list")).status_code == 403
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("stock-list")).status_code == 302


def _menu(client) -> str:
    page = client.get(reverse("product-list")).content.decode()
    return re.search(r' {4}<div class="ms-auto dropdown">.*?</ul>\n    </div>\n', page, re.S).group(
        0
    )


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_user_menu_is_what_its_template_renders_with_this_requests_token(make_user):
    user = make_user(Role.ADMIN, Role.SALES, full_name="Ada <Admin>", is_staff=True)
    client = Client()
    client.force_login(user)
    first, second = _menu(client), _menu(client)  # rendered, then from the store
    assert _token(first) != _token(second)  # each page its own masked token
    for html in (first, second):
        expected = render_to_string(
            "partials/_user_menu.html", {"user": user, "csrf_token": _token(html)}
        )
        assert html == expected
    assert "Ada &lt;Admin&gt;" in second and "Admin, Sales" in second
    assert 'href="/admin/"' in second


def test_the_user_menu_follows_roles_name_and_staff_on_the_next_page(make_user):
    user = make_user(Role.ADMIN, Role.SALES, full_name="Before", is_staff=True)
    client = Client()
    client.force_login(user)
    assert "Admin, Sales" in _menu(client)
    user_roles_set(user=user, roles=[Role.SALES])
    user.full_name = "After"
    user.save()
    menu = _menu(client)
    assert "<br>Sales</span>" in menu and ">After</span>" in menu
    assert 'href="/admin/"' not in menu
    other = make_user(Role.SALES, full_name="After", email=user.email.replace("@", "2@"))
    client.force_login(other)
    assert other.email in _menu(client)  # another user: never the first one's menu


def test_a_removed_role_a_deactivation_or_a_new_password_act_on_the_next_request(make_user):
    user = make_user(Role.ADMIN, Role.WAREHOUSE)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("user-list")).status_code == 200
    user_roles_set(user=user, roles=[Role.WAREHOUSE])
    assert client.get(reverse("user-list")).status_code == 403
    assert client.get(reverse("stock-list")).status_code == 200
    user.set_password("another long passphrase 42")
    user.save()
    assert client.get(reverse("stock-list")).status_code == 302  # the session ended
    client.force_login(user)
    assert client.get(reverse("stock-list")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("stock-list")).status_code == 302
