"""The column chooser (issue 13 item 4): defaults until the person chooses, the choice in
the URL, hidden columns left out of the table but never out of the CSV."""

import pytest
from django.http import QueryDict

from apps.core.columns import OptionalColumn, columns_chosen

pytestmark = pytest.mark.django_db

OPTIONAL = (OptionalColumn("before", "Before"), OptionalColumn("value", "Value", default=False))


def test_defaults_until_the_chooser_sends_its_mark():
    assert columns_chosen(QueryDict(""), OPTIONAL).hidden == {"value"}
    assert columns_chosen(QueryDict("cols=-&cols=value"), OPTIONAL).hidden == {"before"}
    assert columns_chosen(QueryDict("cols=-"), OPTIONAL).hidden == {"before", "value"}
    assert columns_chosen(QueryDict("cols=-&cols=nonsense"), OPTIONAL).hidden == {
        "before",
        "value",
    }


def test_journal_hides_posted_at_by_default_and_shows_it_when_chosen(admin_client):
    plain = admin_client.get("/ledger/journal/").content.decode()
    assert "?sort=posted_by" in plain and "?sort=posted_at" not in plain  # column headers
    assert 'name="cols" value="posted_at" id="col-posted_at">' in plain  # unticked
    chosen = admin_client.get("/ledger/journal/?cols=-&cols=posted_at").content.decode()
    assert "sort=posted_at" in chosen and "sort=posted_by" not in chosen
    assert 'value="posted_at" id="col-posted_at" checked>' in chosen
    csv = admin_client.get("/ledger/journal/?cols=-&_export=csv")
    header = b"".join(csv.streaming_content).decode().splitlines()[0]
    assert "Posted at" in header and "Posted by" in header  # the export keeps every column
