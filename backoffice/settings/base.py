"""Base settings, driven by environment variables (django-environ).

Defaults give a working embedded setup: SQLite under var/, DEBUG on, console email.
Every deployment knob is an environment variable; see docs/operations.md.
"""

from pathlib import Path

import environ
from PIL import Image

Image.MAX_IMAGE_PIXELS = 40_000_000

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "django_htmx",
    "template_partials",
    "django_tables2",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_q",
    "axes",
    "phonenumber_field",
    # ours, lowest layer first (dependencies point one way, DESIGN.md §3)
    "apps.core",
    "apps.accounts",
    "apps.finance",
    "apps.catalog",
    "apps.inventory",
    "apps.customers",
    "apps.sales",
    "apps.ledger",
    "apps.credit",
    "apps.invoicing",
    "apps.reports",
    "apps.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.middleware.RefuseNulMiddleware",  # NUL in a path, query or form: 400
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "apps.core.csp.ContentSecurityPolicyMiddleware",
    # Last, so its process_exception sees a view's exception first: busy database -> 503.
    "apps.core.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backoffice.context_processors.backoffice",
            ],
        },
    },
]

# Inputs and selects written in Python, the same characters as Django's widget templates
# (apps/core/form_renderer.py): every list page renders a filter bar (issue 14).
FORM_RENDERER = "apps.core.form_renderer.FastWidgetRenderer"

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'backoffice.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing (DESIGN.md §6, docs/operations.md "Writers on SQLite"):
    # our engine puts every write transaction in a first-come-first-served line (threads of a
    # process, then an flock across processes) before BEGIN IMMEDIATE; a writer whose line
    # stood still SQLITE_WRITE_WAIT seconds (or waited 4x that in all) gets a clear 503
    # "busy, nothing changed". WAL lets
    # readers go on meanwhile; the busy timeout stays as a backstop for outside writers.
    DATABASES["default"]["ENGINE"] = "apps.core.backends.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "write_wait": env.float("SQLITE_WRITE_WAIT", default=15.0),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that asks the socket instead of sending SELECT 1
        # while the connection is idle (apps/core/backends/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "apps.core.backends.postgresql"
    # Back-office queries are short: PostgreSQL's JIT spent 600 ms compiling a list's plan
    # that runs in far less (docs/performance.md, "Lists at scale"). PG_JIT=on restores
    # the server's setting.
    if "postgresql" in DATABASES["default"]["ENGINE"] and not env.bool("PG_JIT", default=False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # psycopg prepares a statement sent 5 times on one connection: the credit charge's one
    # statement (the only one sent through a server-binding cursor) is then parsed and
    # planned once per connection instead of every charge (a third of its server time;
    # docs/performance.md, "Seller credit"). PG_PREPARE=off behind a pgbouncer in
    # transaction mode older than 1.21; `?prepare_threshold=N` in DATABASE_URL sets N.
    if "postgresql" in DATABASES["default"]["ENGINE"] and env.bool("PG_PREPARE", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend reading the session's user and its roles in one statement.
    "apps.accounts.backends.UserBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes), policy in apps/accounts/login.py and docs/operations.md:
# 5 failures lock the account for the address they came from, 20 from all addresses lock
# it everywhere; the cool-off runs from the locking failure and is never extended.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ACCOUNT_FAILURE_CEILING = env.int("AXES_ACCOUNT_FAILURE_CEILING", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "apps.accounts.login.LoginThrottleHandler"
AXES_USERNAME_CALLABLE = "apps.accounts.login.axes_username"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 60 * 60 * 12
# Django's database sessions, the row read without the ORM's compile step.
SESSION_ENGINE = "apps.accounts.sessions"

# --- I18N -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed copies (gzip + brotli) for production; `make run` collects plain copies
    # (STATIC_COMPRESS=false: compressing 650 files is ~35 s of CPU on a first start).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if env.bool("STATIC_COMPRESS", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    # Never served by URL: report files, issued invoice / credit note PDFs and other private
    # documents are read through views that check the reader. In production an S3 bucket
    # without public access.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(env.path("PRIVATE_ROOT", default=VAR_DIR / "private")),
            "base_url": "/no-public-url/",
        },
    },
}
WHITENOISE_USE_FINDERS = DEBUG
AVATAR_MAX_BYTES = 2 * 1024 * 1024
# Upload limits: request bodies other than files at most 10 MB; files above 2.5 MB stream
# to a temporary file instead of memory; images above 40 megapixels are refused by Pillow
# (decompression bombs) and forms refuse more than 4096 px on a side (apps.core.media).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Who sends the bytes of a checked media file: "django" (FileResponse), or in production
# "x-accel-redirect" (nginx internal location MEDIA_INTERNAL_URL) or "x-sendfile".
MEDIA_SERVE = env.str("MEDIA_SERVE", default="django")
MEDIA_INTERNAL_URL = env.str("MEDIA_INTERNAL_URL", default="/protected-media/")

# --- Email ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="backoffice@localhost")

# --- UI -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/backoffice.html"
DJANGO_TABLES2_PAGE_RANGE = 8
MESSAGE_TAGS = {40: "danger"}

# --- Jobs (django-q2) -----------------------------------------------------------------
# ORM broker by default; set Q_REDIS_URL to move the queue to Redis (DESIGN.md §10).
Q_CLUSTER = {
    "name": "backoffice",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 2,
    "queue_limit": 50,
    "bulk": 10,
    "catch_up": False,
    "save_limit": 500,
    "label": "Jobs",
}
if env.str("Q_REDIS_URL", default=""):
    Q_CLUSTER["redis"] = env.str("Q_REDIS_URL")
else:
    Q_CLUSTER["orm"] = "default"

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "filters": {"denied_one_line": {"()": "apps.core.logfilters.DeniedWithoutTraceback"}},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["denied_one_line"]},
        "weasyprint": {"level": "WARNING"},  # its INFO lines are per-render progress
        "fontTools": {"level": "WARNING"},
    },
}
BACKOFFICE_ACCESS_POLICY = "apps.accounts.roles.has_access"
BACKOFFICE_SCHEDULES = "backoffice.schedules.SCHEDULES"
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout"
FORMAT_MODULE_PATH = ["backoffice.formats"]

# --- REST API (DESIGN.md §12; backoffice/api.py, docs/api.md) --------------------------
from datetime import timedelta as _timedelta  # noqa: E402

INSTALLED_APPS += [  # noqa: F405
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="1200/min")
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="60/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.APITokenAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # enforces CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.api.permissions.AreaPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.LimitOffsetPages",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": API_THROTTLE_USER, "anon": API_THROTTLE_ANON},
    "EXCEPTION_HANDLER": "apps.core.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.Schema",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Backoffice API",
    "DESCRIPTION": "REST API for integrations (web shop, POS terminals, accounting tools). "
    "See docs/api.md. Errors are RFC 9457 problem+json.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Tags start collapsed: rendering every operation of ~130 at once stalls Swagger UI
    # (only the first nine appeared in Chromium); a click on a tag opens its operations.
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "deepLinking": True},
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "apps.sales.models.OrderStatus",
        "SellerStatusEnum": "apps.credit.models.SellerStatus",
        "RequestStatusEnum": "apps.credit.models.RequestStatus",
        "TransactionStatusEnum": "apps.credit.models.TransactionStatus",
        "TransactionTypeEnum": "apps.credit.models.TransactionType",
        "AccountTypeEnum": "apps.ledger.models.AccountType",
        "InvoiceStatusEnum": "apps.invoicing.models.InvoiceStatus",
        "CreditNoteStatusEnum": "apps.invoicing.models.CreditNoteStatus",
        "ReportRunStatusEnum": "apps.reports.models.RunStatus",
        "PaymentStateEnum": "apps.invoicing.models.PaymentState",
        "StatementStatusEnum": "apps.invoicing.models.StatementStatus",
        "BankLineStatusEnum": "apps.invoicing.models.LineStatus",
        "BankMatchStatusEnum": "apps.invoicing.models.MatchStatus",
        "MatchReasonEnum": "apps.invoicing.models.MatchReason",
        "ReasonEnum": "apps.inventory.models.MovementReason",
        "MovementKindEnum": ["receive", "return", "remove", "sale", "adjust", "transfer"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.postprocess",
    ],
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": _timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": _timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "id",
    "AUTH_HEADER_TYPES": ("Bearer",),
}
