"""`make backup` / `make restore` (manage.py backup / restore): a backup, a change, a
restore, and the books hold the original figures (SQLite and PostgreSQL)."""

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from apps.accounts.roles import Role
from apps.core.books import run_checks
from apps.credit.models import Seller
from apps.credit.services import credit_charge
from apps.ledger.models import JournalEntry
from tests.credit.conftest import approver, make_seller  # noqa: F401  (fixtures)
from tests.ledger.conftest import books  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_backup_change_restore_gives_back_the_original_books(
    make_seller,  # noqa: F811
    make_user,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    seller = make_seller("100.00", company="Backup Phones")
    user = make_user(Role.SALES, email="pic@example.test")
    user.avatar.save("a.png", ContentFile(png()), save=True)
    entries = JournalEntry.objects.count()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)

    credit_charge(
        seller=seller, amount="30.00", phone="+447911123456", idempotency_key="after-backup"
    )
    (tmp_path / "media" / user.avatar.name).unlink()
    assert Seller.objects.get(pk=seller.pk).balance == Decimal("70.00")

    out = io.StringIO()
    call_command("restore", archive, yes=True, stdout=out)
    assert out.getvalue().startswith("Restored the ")
    assert Seller.objects.get(pk=seller.pk).balance == Decimal("100.00")
    assert JournalEntry.objects.count() == entries
    assert (tmp_path / "media" / user.avatar.name).read_bytes() == png()
    ok, results = run_checks()
    assert ok, [r.violations for r in results if r.violations]
