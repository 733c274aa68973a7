"""Kaskad settings. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("KASKAD_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("KASKAD_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", ""}
HTTPS = env_bool("KASKAD_HTTPS", False)
# A development key is fine for the embedded default on this machine (`make run`, the tests);
# anything others can reach (HTTPS, or a host name other than this machine's loopback) must
# set its own: with the public key anyone could forge sessions and password-reset links.
DEVELOPMENT_SECRET_KEY = "django-insecure-dev-only-key-set-KASKAD_SECRET_KEY-in-production-0123"
SECRET_KEY = os.environ.get("KASKAD_SECRET_KEY", "").strip() or DEVELOPMENT_SECRET_KEY
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and (HTTPS or set(ALLOWED_HOSTS) - LOCAL_HOSTS):
    reason = (
        "KASKAD_HTTPS=1"
        if HTTPS
        else f"KASKAD_ALLOWED_HOSTS names {', '.join(sorted(set(ALLOWED_HOSTS) - LOCAL_HOSTS))}"
    )
    raise ImproperlyConfigured(
        f"KASKAD_SECRET_KEY is not set, but this installation is reachable by others "
        f"({reason}). The built-in development key is public: set KASKAD_SECRET_KEY to a long "
        f'random value, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
    )
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("KASKAD_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    # modeltranslation must come before admin to patch its forms
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # serves the API docs' Swagger UI from our static files instead of a CDN (offline schools)
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "kaskad.core",
    "kaskad.accounts",
    "kaskad.registry",
    "kaskad.catalogue",
    "kaskad.cascade",
    "kaskad.delivery",
    "kaskad.assessment",
    "kaskad.certificates",
    "kaskad.learning",
    "kaskad.plagiarism",
    "kaskad.monitoring",
    "kaskad.surveys",
    "kaskad.library",
    "kaskad.networks",
    "kaskad.projects",
    "kaskad.observations",
    "kaskad.reports",
    "kaskad.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # after SecurityMiddleware, before the rest: sees the signed-in user on the way out
    "kaskad.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # after LocaleMiddleware: a signed-in user's saved language wins over cookie and browser
    "kaskad.accounts.middleware.UserLanguageMiddleware",
    # a NUL character would reach PostgreSQL as a server error: refused here, on every path
    "kaskad.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kaskad.web.navigation.navigation",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DATA_DIR = Path(os.environ.get("KASKAD_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_SQLITE = f"sqlite:///{DATA_DIR / 'kaskad.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the background worker writes;
        # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DATABASES["default"].setdefault("TEST", {})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache -----------------------------------------------------------------------------------
# Throttles (public registration) and caches (course outlines, survey results) must be the same
# for every process: gunicorn runs several workers, and a per-process cache would multiply each
# limit by their number. The default is a table in the database itself (created by every
# `migrate`: kaskad/core/apps.py), so the embedded SQLite needs nothing more; with
# KASKAD_REDIS_URL set, Redis is used instead (the `redis` package must then be installed).
CACHE_TABLE = "kaskad_cache"
REDIS_URL = os.environ.get("KASKAD_REDIS_URL", "").strip()
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    try:
        import redis  # noqa: F401
    except ImportError as exc:
        raise ImproperlyConfigured(
            "KASKAD_REDIS_URL is set, but the Python package `redis` is not installed: "
            "pip install redis, or unset KASKAD_REDIS_URL to keep the cache in the database."
        ) from exc
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kaskad",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "kaskad.core.cache.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {
                "MAX_ENTRIES": int(os.environ.get("KASKAD_CACHE_MAX_ENTRIES", "20000")),
                "CULL_FREQUENCY": 4,
            },
        }
    }

# --- Background jobs ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KASKAD_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Days to answer a teacher's request for support, by topic (kaskad/networks/support_requests.py).
KASKAD_REQUEST_SLA_DAYS = {
    "planning": 5,
    "assessment": 5,
    "distance": 7,
    "research": 10,
    "pastoral": 7,
    "management": 10,
    "other": 10,
}
# Queued when a portfolio submission commits (assessment names none of the parts built on it);
# `manage.py jobs_maintain` re-queues a portfolio left at plagiarism "pending" (ADR 0004).
KASKAD_AFTER_SUBMISSION_TASKS = ["kaskad.plagiarism.tasks.check_portfolio"]

# A worker on another machine is taken for lost after this long without a heartbeat (one on
# this machine as soon as its process is gone); its job is then marked failed and restartable.
KASKAD_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("KASKAD_WORKER_HEARTBEAT_SECONDS", "30"))
KASKAD_WORKER_LOST_MINUTES = int(os.environ.get("KASKAD_WORKER_LOST_MINUTES", "10"))
# Finished task rows, and the files of finished jobs (uploads and error reports hold IINs),
# are deleted after these many days; `manage.py serve` checks every so many seconds.
KASKAD_TASK_RETENTION_DAYS = int(os.environ.get("KASKAD_TASK_RETENTION_DAYS", "30"))
KASKAD_JOB_FILE_RETENTION_DAYS = int(os.environ.get("KASKAD_JOB_FILE_RETENTION_DAYS", "30"))
KASKAD_JOB_MAINTENANCE_SECONDS = int(os.environ.get("KASKAD_JOB_MAINTENANCE_SECONDS", "60"))
# Run with each maintenance pass: the reports' sweep of changed records (docs/adr/0007) and the
# check for teachers' requests past their due date (notified once each, by the worker).
KASKAD_MAINTENANCE_HOOKS = [
    "kaskad.reports.readmodels.changes_sweep",
    "kaskad.networks.support_requests.requests_overdue_sweep",
]
# The share of the time the worker's report rebuilds may work: they pause after each grouped
# read, so that the live system keeps its throughput (docs/adr/0007).
KASKAD_REPORTS_REBUILD_DUTY = float(os.environ.get("KASKAD_REPORTS_REBUILD_DUTY", "0.1"))

# --- Auth and security ------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_FAILURE_LIMIT = int(os.environ.get("KASKAD_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("KASKAD_LOGIN_FAILURE_WINDOW", "900"))
# Who may follow every background job, not only their own (core may not import accounts).
KASKAD_JOB_SUPERVISOR_CHECK = "kaskad.accounts.permissions.sees_all_jobs"
# The demo logins `manage.py serve` prints after seeding (core may not import accounts).
KASKAD_DEMO_LOGINS = "kaskad.accounts.demo.demo_logins"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8  # one working day
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("KASKAD_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "kk"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("kk", "ru", "en")
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kaskad.formats"]
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders but warns when it is absent
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploads: imports stream to disk; anything over the limit is refused with a message.
# Registry imports: CSV is sized for the national people file (400,000 rows, ~74 MB) with
# room to grow; a workbook of the same rows is smaller on disk but far costlier to read.
IMPORT_MAX_BYTES = int(os.environ.get("KASKAD_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
IMPORT_MAX_BYTES_XLSX = int(os.environ.get("KASKAD_IMPORT_MAX_BYTES_XLSX", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Each file is counted as it arrives and skipped once past its view's limit (kaskad.core.uploads).
FILE_UPLOAD_HANDLERS = [
    "kaskad.core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_LIMITS = {
    "assessment:portfolio_upload": "kaskad.assessment.portfolios.views.upload_limit_for",
    "api:portfolio_file_upload": "kaskad.assessment.portfolios.views.upload_limit_for",
    "networks:event_action": "kaskad.networks.views.upload_limit_for",
    "networks:request_create": "kaskad.networks.views.upload_limit_for",
    "projects:action_research": "kaskad.projects.views.upload_limit_for",
}

# --- E-mail -------------------------------------------------------------------------------
# Notifications go out by e-mail too (kaskad/core/notifications.py). Printed to the console
# until an SMTP server is configured, so a developer's machine never tries to send mail.
EMAIL_BACKEND = os.environ.get(
    "KASKAD_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("KASKAD_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("KASKAD_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KASKAD_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KASKAD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KASKAD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("KASKAD_EMAIL_TLS", "") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("KASKAD_EMAIL_FROM", "kaskad@localhost")

# The address the public reaches this site at: QR codes on certificates link to it.
KASKAD_PUBLIC_URL = os.environ.get("KASKAD_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The plagiarism index of every portfolio and published material (one writer at a time).
KASKAD_PLAGIARISM_INDEX = Path(
    os.environ.get("KASKAD_PLAGIARISM_INDEX", str(DATA_DIR / "plagiarism-index"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403) is an everyday event, not a fault: one line, no traceback.
    "filters": {"forbidden_one_line": {"()": "kaskad.core.logs.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["forbidden_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("KASKAD_LOG_LEVEL", "WARNING")},
}
