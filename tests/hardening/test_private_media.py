"""User media are served through a view that checks the reader (issue 12 §7)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.models import CompanySettings
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


def png(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def logged_in(make_user, role, email):
    client = Client()
    client.force_login(make_user(role, email=email))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_avatars_only_for_logged_in_staff(media, make_user):
    owner = make_user(Role.SALES, email="owner@example.test")
    owner.avatar.save("x.png", ContentFile(png()), save=True)
    url = owner.avatar.url
    assert url.startswith("/media/avatars/")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert logged_in(make_user, Role.CUSTOMER, "cust@example.test").get(url).status_code == 404
    staff = logged_in(make_user, Role.VIEWER, "viewer@example.test").get(url)
    assert staff.status_code == 200
    assert body(staff) == png()
    assert staff["Cache-Control"] == "private, max-age=3600"
    assert staff["X-Content-Type-Options"] == "nosniff"


def test_product_images_for_logged_in_users(media, make_user):
    product = ProductFactory()
    product.image.save("p.png", ContentFile(png()), save=True)
    assert Client().get(product.image.url).status_code == 302
    assert (
        logged_in(make_user, Role.CUSTOMER, "c@example.test").get(product.image.url).status_code
        == 200
    )


def test_the_current_logo_is_public_nothing_else_is(media):
    company = CompanySettings.load()
    company.logo.save("logo.png", ContentFile(png()), save=True)
    assert Client().get(company.logo.url).status_code == 200
    (media / "company" / "old.png").write_bytes(png())
    assert Client().get("/media/company/old.png").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/../backoffice/settings/base.py",
        "/media/avatars/../../etc/passwd",
        "/media/other/x.png",
        "/media/",
    ],
)
def test_unknown_or_escaping_paths_are_404(media, admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_production_hands_the_file_to_the_web_server(media, settings, make_user):
    settings.MEDIA_SERVE = "x-accel-redirect"
    settings.MEDIA_INTERNAL_URL = "/protected-media/"
    owner = make_user(Role.SALES, email="owner@example.test")
    owner.avatar.save("x.png", ContentFile(png()), save=True)
    response = logged_in(make_user, Role.VIEWER, "v@example.test").get(owner.avatar.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + owner.avatar.name
    assert body(response) == b""
    settings.MEDIA_SERVE = "x-sendfile"
    response = logged_in(make_user, Role.VIEWER, "v2@example.test").get(owner.avatar.url)
    assert response["X-Sendfile"] == str(media / owner.avatar.name)


def test_replacing_an_avatar_deletes_the_old_file(
    media, make_user, django_capture_on_commit_callbacks
):
    user = make_user(Role.SALES, email="sam@example.test")
    client = Client()
    client.force_login(user)
    for name in ("one.png", "two.png"):
        upload = SimpleUploadedFile(name, png(), content_type="image/png")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("profile"), {"full_name": "Sam", "phone": "", "avatar": upload})
    user = User.objects.get(pk=user.pk)
    assert sorted(p.name for p in (media / "avatars").iterdir()) == [
        user.avatar.name.split("/")[-1]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("profile"), {"full_name": "Sam", "phone": "", "avatar-clear": "on"})
    assert list((media / "avatars").iterdir()) == []


def test_product_image_and_logo_have_a_pixel_limit(media, admin_client):
    from apps.catalog.forms import ProductForm
    from apps.core.forms import CompanySettingsForm

    huge = SimpleUploadedFile("big.png", png((5000, 10)), content_type="image/png")
    form = ProductForm(data={}, files={"image": huge})
    form.is_valid()
    assert form.errors["image"] == ["The image is larger than 4096 pixels on a side."]
    huge.seek(0)
    form = CompanySettingsForm(data={}, files={"logo": huge}, instance=CompanySettings.load())
    form.is_valid()
    assert form.errors["logo"] == ["The image is larger than 4096 pixels on a side."]


def test_upload_limits_are_set(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    from PIL import Image as PILImage

    assert PILImage.MAX_IMAGE_PIXELS == 40_000_000
