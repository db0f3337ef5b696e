"""The audit log's "Who" filter is a typed lookup (not a <select> of every user: at scale
every seller has a login): a login, a suggestion, an id or part of a name picks the users;
text naming nobody is a form error and an empty list."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.core.audit import audit_record

pytestmark = pytest.mark.django_db


def test_who_is_a_typed_lookup(client_for):
    client = client_for("Admin")
    ann = User.objects.create_user("ann@example.test", "pw-12345678", full_name="Ann Archer")
    bob = User.objects.create_user("bob@example.test", "pw-12345678", full_name="Bob Baker")
    for user in (ann, bob):
        audit_record(event="test.seen", subject=user, actor=user, message=user.email)
    url = reverse("audit-list")

    def who(text):
        response = client.get(url, {"actor": text, "q": "example.test"})
        return response, {r.record.actor_id for r in response.context["table"].page.object_list}

    page = client.get(url).content.decode()
    assert 'list="user-options"' in page and '<datalist id="user-options">' in page
    assert "bob@example.test</option>" not in page
    assert who("Ann Archer · ann@example.test")[1] == {ann.pk}
    assert who("BOB@example.test")[1] == {bob.pk}
    by_id, rows = who(str(bob.pk))
    assert rows == {bob.pk}
    assert 'value="Bob Baker · bob@example.test"' in by_id.content.decode()
    assert who("archer")[1] == {ann.pk}
    nobody, rows = who("nobody here")
    assert rows == set()
    assert "No user matches “nobody here”." in nobody.content.decode()

    options = client.get(reverse("user-lookup"), {"actor": "example.test"}).content.decode()
    assert '<option value="Ann Archer · ann@example.test">' in options
    assert '<option value="Bob Baker · bob@example.test">' in options
    assert client_for("Accountant").get(reverse("user-lookup"), {"q": "a"}).status_code == 403
