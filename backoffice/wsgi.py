"""WSGI entry point (gunicorn backoffice.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

# Production settings unless told otherwise: they refuse to start without SECRET_KEY.
# `make run` (local, http) sets DJANGO_SETTINGS_MODULE=backoffice.settings.base itself.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.production")
application = get_wsgi_application()
