import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from apps.accounts.models import User

pytestmark = pytest.mark.django_db


def png(size=(64, 64), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_avatar_upload_is_saved_and_shown(client, make_user, media):
    user = make_user("Viewer")
    client.force_login(user)
    upload = SimpleUploadedFile("me.png", png(), content_type="image/png")
    response = client.post(
        reverse("profile"), {"full_name": "Vic V", "phone": "", "avatar": upload}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Vic V"
    assert user.avatar.name.startswith("avatars/") and user.avatar.name.endswith(".png")
    assert user.avatar.url.encode() in client.get(reverse("profile")).content


def test_avatar_that_is_not_an_image_is_refused(client, make_user, media):
    user = make_user("Viewer")
    client.force_login(user)
    upload = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    response = client.post(reverse("profile"), {"full_name": "X", "avatar": upload})
    assert response.status_code == 200
    assert "avatar" in response.context["form"].errors
    user.refresh_from_db()
    assert user.full_name != "X" and not user.avatar


@override_settings(AVATAR_MAX_BYTES=1000)
def test_avatar_over_the_size_limit_is_refused(client, make_user, media):
    user = make_user("Viewer")
    client.force_login(user)
    big = png((400, 400), "BMP")
    upload = SimpleUploadedFile("big.bmp", big, content_type="image/bmp")
    response = client.post(reverse("profile"), {"full_name": "X", "avatar": upload})
    errors = response.context["form"].errors["avatar"]
    assert len(big) == 480054  # 54-byte header + 400 x 400 x 3
    assert errors == ["The image is 468.8\xa0KB; the limit is 1000\xa0bytes."]


def test_admin_creates_user_with_roles(admin_client):
    response = admin_client.post(
        reverse("user-create"),
        {
            "email": "New@Example.test",
            "full_name": "Nia New",
            "roles": ["Sales", "Viewer"],
            "password1": "Long-enough-pass-2026",
            "password2": "Long-enough-pass-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert sorted(user.groups.values_list("name", flat=True)) == ["Sales", "Viewer"]
    assert user.is_staff is False


def test_create_user_errors_are_inline_and_nothing_is_written(admin_client, make_user):
    make_user("Sales", email="taken@example.test")
    response = admin_client.post(
        reverse("user-create"),
        {"email": "taken@example.test", "roles": [], "password1": "a", "password2": "b"},
    )
    form = response.context["form"]
    assert form.errors["email"] == ["A user with this email already exists."]
    assert form.errors["roles"] == ["This field is required."]
    assert form.errors["password2"] == ["The two passwords differ."]
    assert User.objects.filter(email="taken@example.test").count() == 1


def test_admin_changes_roles_and_admin_role_grants_django_admin(admin_client, make_user):
    user = make_user("Viewer")
    response = admin_client.post(
        reverse("user-update", args=[user.pk]),
        {"full_name": "P", "phone": "", "is_active": "on", "roles": ["Admin"]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == ["Admin"]
    assert user.is_staff is True


def test_deactivate_and_reactivate(admin_client, make_user):
    user = make_user("Viewer")
    admin_client.post(reverse("user-active", args=[user.pk]), {"active": "0"})
    user.refresh_from_db()
    assert user.is_active is False
    admin_client.post(reverse("user-active", args=[user.pk]), {"active": "1"})
    user.refresh_from_db()
    assert user.is_active is True


def test_admin_cannot_deactivate_self(client, make_user):
    admin = make_user("Admin")
    client.force_login(admin)
    response = client.post(reverse("user-active", args=[admin.pk]), {"active": "0"}, follow=True)
    assert b"You cannot deactivate your own account." in response.content
    admin.refresh_from_db()
    assert admin.is_active is True


def test_user_list_filters_by_role(admin_client, make_user):
    make_user("Sales", email="s1@example.test")
    make_user("Viewer", email="v1@example.test")
    response = admin_client.get(reverse("user-list"), {"role": "Sales"})
    assert [r.record.email for r in response.context["table"].rows] == ["s1@example.test"]


def test_company_settings_saved_by_admin_only(admin_client, client_for):
    response = admin_client.post(
        reverse("company-settings"),
        {
            "name": "Harbour Trading",
            "address": "1 Quay",
            "tax_id": "X1",
            "email": "",
            "phone": "",
            "base_currency": "usd",
            "default_low_stock_threshold": "7",
            "invoice_terms": "Net 30",
            "invoice_due_days": "30",
            "time_zone": "Europe/London",
            "fiscal_year_start_month": "1",
            "notes": "",
        },
    )
    assert response.status_code == 302
    from apps.core.models import CompanySettings

    company = CompanySettings.load()
    assert (company.name, company.base_currency, company.default_low_stock_threshold) == (
        "Harbour Trading",
        "USD",
        7,
    )
    assert client_for("Sales").get(reverse("company-settings")).status_code == 403


def test_company_base_currency_must_exist(admin_client):
    response = admin_client.post(
        reverse("company-settings"),
        {
            "name": "H",
            "base_currency": "XXX",
            "default_low_stock_threshold": "7",
            "invoice_due_days": "30",
        },
    )
    assert response.context["form"].errors["base_currency"] == [
        "Unknown currency code. Add it under Finance > Currencies first."
    ]
