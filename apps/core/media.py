"""Private user media (issue 12 §7): every file under MEDIA_URL is served by `media_serve`,
which asks the rule registered for the file's folder whether this reader may see it.

Apps register their folders (`media_rule("avatars/", check)`, in their `media.py`,
autodiscovered like books.py); a folder without a rule answers 404. In production Django
only decides: MEDIA_SERVE="x-accel-redirect" (nginx, internal location
MEDIA_INTERNAL_URL) or "x-sendfile" (Apache mod_xsendfile, Caddy, lighttpd) hands the
bytes to the web server (docs/operations.md). Replaced or cleared files are deleted once
the transaction commits (`delete_replaced_files`), so an old URL stops answering.
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponse

# check(request, name) -> True (serve), False (not for this reader: 404). A check that
# needs a login says so with `login_required=True`.
_RULES: dict[str, tuple[Callable, bool]] = {}


def media_rule(prefix: str, check: Callable, *, login_required: bool = True) -> None:
    _RULES[prefix.rstrip("/") + "/"] = (check, login_required)


def _rule_for(name: str):
    for prefix, rule in _RULES.items():
        if name.startswith(prefix):
            return rule
    return None


def _clean_name(path: str) -> str | None:
    name = posixpath.normpath(path).lstrip("/")
    if not path or name.startswith("..") or name in (".", "") or "\\" in name or "\0" in name:
        return None
    return name


def media_serve(request, path: str) -> HttpResponse:
    name = _clean_name(path)
    rule = _rule_for(name) if name else None
    if rule is None:
        raise Http404("No such file.")
    check, login_required = rule
    if login_required and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not check(request, name) or not default_storage.exists(name):
        raise Http404("No such file.")
    mode = getattr(settings, "MEDIA_SERVE", "django")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_INTERNAL_URL.rstrip("/") + "/" + name
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = str(Path(settings.MEDIA_ROOT) / name)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- replaced files ---------------------------------------------------------------------


def _file_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


@receiver(pre_save, dispatch_uid="media_remember_files")
def _remember_files(sender, instance, raw=False, **kwargs):
    fields = _file_fields(sender)
    if raw or not fields or instance._state.adding or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).values(*fields).first() or {}
    instance._media_old = old


@receiver(post_save, dispatch_uid="media_delete_replaced")
def delete_replaced_files(sender, instance, raw=False, **kwargs):
    old = getattr(instance, "_media_old", None)
    if raw or not old:
        return
    del instance._media_old
    for field, old_name in old.items():
        new_name = getattr(instance, field).name or ""
        if old_name and old_name != new_name:
            _delete_on_commit(old_name)


@receiver(post_delete, dispatch_uid="media_delete_removed")
def _delete_removed(sender, instance, **kwargs):
    for field in _file_fields(sender):
        if name := getattr(instance, field).name:
            _delete_on_commit(name)


def _delete_on_commit(name: str) -> None:
    transaction.on_commit(lambda: default_storage.delete(name))


# --- shared upload checks ----------------------------------------------------------------

MAX_IMAGE_SIDE = 4096


def image_side_problem(upload, max_side: int = MAX_IMAGE_SIDE) -> str | None:
    """The error for an uploaded image larger than max_side pixels on a side, or None.
    (Pillow's MAX_IMAGE_PIXELS, set in settings, already refuses decompression bombs.)"""
    image = getattr(upload, "image", None)
    if image is not None and max(image.size) > max_side:
        return f"The image is larger than {max_side} pixels on a side."
    return None
