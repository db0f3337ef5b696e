"""Test settings: fast hashing, in-memory email, same database rules as base."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Uploads and private documents of a test run go to a throwaway folder, not var/.
_files = Path(tempfile.mkdtemp(prefix="backoffice-test-files-"))
MEDIA_ROOT = _files / "media"
STORAGES = {
    **STORAGES,
    "private": {
        **STORAGES["private"],
        "OPTIONS": {**STORAGES["private"]["OPTIONS"], "location": str(_files / "private")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
Q_CLUSTER = {
    "name": "backoffice-test",
    "orm": "default",
    "sync": True,
    "workers": 1,
    "timeout": 60,
    "retry": 120,
}
AXES_COOLOFF_TIME = 0.25
if DATABASES["default"]["ENGINE"] == "apps.core.backends.sqlite3":
    # A file, not :memory:, so threads and live_server share one real database with WAL.
    # Named after the main file so parallel checkouts/sessions never share a test database.
    _main = Path(DATABASES["default"]["NAME"]).name
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_{_main}")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
