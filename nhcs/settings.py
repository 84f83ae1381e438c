"""NHCS settings. Everything that differs between a laptop and production comes from the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NHCS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: `make run` (and the test settings) turn it on; production never does.
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: one key per checkout, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _dev_host() -> str:
    """The address `make run` serves (the Makefile's HOST as NHCS_HOST; runserver's forms: "8000",
    "0.0.0.0:8000", "[::1]:8000")."""
    value = os.environ.get("NHCS_HOST", "").strip() or "127.0.0.1:8000"
    return f"127.0.0.1:{value}" if value.isdigit() else value


DEV_HOST = _dev_host()
ALLOWED_HOSTS = list(
    dict.fromkeys(
        env_list("ALLOWED_HOSTS", f"127.0.0.1,localhost,{DEV_HOST.rsplit(':', 1)[0].strip('[]')}" if DEBUG else "")
    )
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_fsm",
    "simple_history",
    # Before django_tasks_db: its `db_worker` command (the same worker, plus the reaper of lost jobs) wins.
    "nhcs.ops",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "nhcs.accounts",
    "nhcs.core",
    "nhcs.mail",
    "nhcs.workflow",
    "nhcs.sheets",
    "nhcs.customers",
    "nhcs.links",
    "nhcs.capa",
    "orders",
    "complaints",
    "satisfaction",
    "customer_property",
    "nhcs.api",
    # Last: it finds the areas' dashboard modules when every app is ready.
    "nhcs.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the path, the query or the form data is refused with 400 before any view sees it.
    "nhcs.core.middleware.RefuseNulBytesMiddleware",
    # Settings read from tables that every page consults (readers of each record type) read once per request.
    "nhcs.core.request_cache.RequestCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nhcs.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A form sent (any write) drops the task count kept in the session (NHCS_TASK_BADGE_SECONDS).
    "nhcs.core.middleware.task_badge_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Login throttling (django-axes): last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nhcs.urls"
WSGI_APPLICATION = "nhcs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nhcs.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'nhcs.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several office users at once on the embedded database: wait for the write lock, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after NHCS_LOGIN_FAILURE_LIMIT wrong passwords for one user name from one
# address, that pair is locked out for NHCS_LOGIN_COOLOFF_MINUTES (the admin unlocks at once: Axes → access
# attempts, delete). A successful login forgets the earlier failures.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "nhcs.accounts.backends.UserBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("NHCS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("NHCS_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "nhcs.accounts.views.locked_out"
# Behind our own reverse proxies the address is the client's, as for customers' answers.
AXES_CLIENT_IP_CALLABLE = "nhcs.accounts.throttle.client_address"
AXES_VERBOSE = False
# Password reset requests answered per address and per e-mail address in an hour (nhcs.accounts.throttle).
NHCS_PASSWORD_RESET_PER_HOUR = int(os.environ.get("NHCS_PASSWORD_RESET_PER_HOUR", "5"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
# Each language named in itself (the header's switcher), never translated.
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    # Uploads: a full disk is told to the user, the data kept (nhcs.ops.storage).
    "default": {"BACKEND": "nhcs.ops.storage.FullDiskAwareStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploads are served by a view that checks the user may see the record, never as static files.
MEDIA_URL = "/media-not-served/"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds the send job waits for the mail server before the attempt counts as failed (and is retried).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nhcs@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails (task links, survey links) start with this. In development, unless given, it
# follows the address the development server serves (NHCS_HOST), so the links the console prints work.
SITE_URL = (os.environ.get("SITE_URL") or (f"http://{DEV_HOST}" if DEBUG else "http://127.0.0.1:8000")).rstrip("/")
# Our own reverse proxies: behind them the customer's address (kept with answers given through a link)
# is read from X-Forwarded-For; from anyone else that header is ignored.
NHCS_TRUSTED_PROXIES = env_list("NHCS_TRUSTED_PROXIES", "127.0.0.1,::1")

# Background jobs (the Tasks API, imported in nhcs/jobs.py): every e-mail is sent by a job, with retries.
# "database" (default) keeps the queue in the database above; run `manage.py db_worker` beside the web
# server, on one machine or several (they share the queue). "rq" keeps it in Redis for larger sites: needs
# `pip install django-tasks-rq`, NHCS_REDIS_URL and `manage.py rqworker --with-scheduler --job-class
# django_tasks_rq.Job default` instead of db_worker.
NHCS_TASKS_BACKEND = os.environ.get("NHCS_TASKS_BACKEND", "database").strip().lower()
if NHCS_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif NHCS_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("NHCS_REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("NHCS_TASKS_BACKEND must be 'database' or 'rq'.")
# Minutes to wait before each new attempt at a mail the server did not take; after the last, it is "failed".
NHCS_MAIL_RETRY_MINUTES = [int(m) for m in env_list("NHCS_MAIL_RETRY_MINUTES", "1,5,15,60,180,360,720")]
# A job RUNNING for more than NHCS_JOB_REAP_SECONDS whose worker is gone (killed, machine lost) is queued
# again by the other workers, up to NHCS_JOB_MAX_STARTS starts in all, then failed (nhcs.ops.reaper). On
# PostgreSQL a live worker's job is never taken from it, however long it runs.
NHCS_JOB_REAP_SECONDS = float(os.environ.get("NHCS_JOB_REAP_SECONDS", "900"))
NHCS_JOB_MAX_STARTS = int(os.environ.get("NHCS_JOB_MAX_STARTS", "3"))
# The dashboard and the customer dossier keep a reader's figures this long (0: read them on every visit);
# the page says as of when they are. Django's cache (CACHES; per process unless configured otherwise).
NHCS_DASHBOARD_CACHE_SECONDS = int(os.environ.get("NHCS_DASHBOARD_CACHE_SECONDS", "300"))
# The navigation's count of the user's open tasks is kept in the user's session this long (0: counted on
# every page). The user's own actions (any form sent) count it afresh at once; My tasks and the home page
# always count live and refresh it; work that others send the user shows within this many seconds.
NHCS_TASK_BADGE_SECONDS = int(os.environ.get("NHCS_TASK_BADGE_SECONDS", "60"))

# Hour of the day (office time, Asia/Shanghai) at which the daily job mails the reminders of overdue tasks.
NHCS_REMINDER_HOUR = int(os.environ.get("NHCS_REMINDER_HOUR", "8"))
if not 0 <= NHCS_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured("NHCS_REMINDER_HOUR must be an hour between 0 and 23.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# History is never reverted in the admin: data changes through the record pages, where flows apply.
SIMPLE_HISTORY_REVERT_DISABLED = True
# The key of the sign-offs' keyed hashes (HMAC); defaults to one derived from SECRET_KEY. Keep it when
# SECRET_KEY is rotated, or earlier signatures no longer verify.
NHCS_SIGNATURE_KEY = os.environ.get("NHCS_SIGNATURE_KEY", "")

# Exports: list PDFs are capped at what renders in about 10 s (WeasyPrint lays out some 30–50 rows a second);
# beyond it the refusal points to the Excel export. Longer exports are made by the worker, with a progress
# bar (nhcs.sheets.background): lists over NHCS_EXPORT_BACKGROUND_ROWS rows (Excel) or
# NHCS_EXPORT_BACKGROUND_PDF_ROWS rows (PDF), record sheets printing over NHCS_EXPORT_BACKGROUND_RECORD_ROWS
# rows; their files are kept NHCS_EXPORT_KEEP_HOURS hours.
NHCS_PDF_MAX_ROWS = int(os.environ.get("NHCS_PDF_MAX_ROWS", "500"))
NHCS_EXPORT_BACKGROUND_ROWS = int(os.environ.get("NHCS_EXPORT_BACKGROUND_ROWS", "2000"))
NHCS_EXPORT_BACKGROUND_PDF_ROWS = int(os.environ.get("NHCS_EXPORT_BACKGROUND_PDF_ROWS", "200"))
NHCS_EXPORT_BACKGROUND_RECORD_ROWS = int(os.environ.get("NHCS_EXPORT_BACKGROUND_RECORD_ROWS", "100"))
NHCS_EXPORT_KEEP_HOURS = float(os.environ.get("NHCS_EXPORT_KEEP_HOURS", "24"))
NHCS_ATTACHMENT_MAX_BYTES = int(os.environ.get("NHCS_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, images and fonts from our own static files only; no
# inline script, no inline style (tests/core/test_csp.py keeps the served templates free of them), no
# framing, forms posted to ourselves only. The PDF sheets (WeasyPrint) are never served as pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# The REST API (/api/v1/, nhcs/api): a per-user token or the session; the same services and permission
# checks as the pages; throttled per user (and per address before login).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "nhcs.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("NHCS_API_ANON_RATE", "30/min"),
        "user": os.environ.get("NHCS_API_USER_RATE", "600/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "nhcs.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NHCS API",
    "DESCRIPTION": "NH-QP14 customer service records for ERP integration.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Not at `check --deploy`: building the schema reads the database, which a deploy check may not have yet;
    # tests/api checks the schema (schemathesis) instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # One name per choice set where fields of the same name carry different sets (and one set several names).
    "ENUM_NAME_OVERRIDES": {
        "RequirementStatusEnum": "orders.choices.RequirementStatus",
        "OpinionOutcomeEnum": "nhcs.api.enums.opinion_outcomes",
        "ComplaintChannelEnum": "complaints.choices.ComplaintChannel",
        "AcknowledgementChannelEnum": "nhcs.capa.choices.InformChannel",
        "WrittenChannelEnum": "nhcs.api.enums.written_channels",
        "CustomerChannelEnum": "nhcs.customers.choices.Channel",
        "PropertyKindEnum": "customer_property.choices.PropertyKind",
        "ActionKindEnum": "nhcs.capa.choices.ActionKind",
        "IncidentKindEnum": "customer_property.choices.IncidentKind",
        "FeedbackSourceEnum": "complaints.choices.FeedbackSource",
        "ShipmentSourceEnum": "orders.choices.ShipmentSource",
        "AttachmentKindEnum": "nhcs.workflow.choices.AttachmentKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_without_traceback": {"()": "nhcs.core.log.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own loggers write through the root's handler only (its default console handler printed
        # every record a second time when DEBUG was on).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A refusal (403) is one line: who was refused where, not the traceback of the PermissionDenied.
        "django.request": {"filters": ["forbidden_without_traceback"]},
        # django-axes: lockouts are warnings; its note of every login and clean-up is not needed.
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
