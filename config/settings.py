"""Settings, all from the environment.

With nothing set, the project runs on the embedded defaults: a SQLite file, Celery tasks run in-process, files on
local disk, email printed to the console. Production sets DATABASE_URL, CELERY_BROKER_URL (or REDIS_URL),
SECRET_KEY, ALLOWED_HOSTS and the email settings.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (it is only optional when DJANGO_DEBUG=1).")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The product's name, shown in the header and emails; deployments may rename it.
SITE_NAME = os.environ.get("SITE_NAME", "Community Value Charters")
# Absolute address used in emails (invitation and password reset links are built from the request otherwise).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The installation's OCDS ocid prefix (registered with the Open Contracting Partnership for a real publisher).
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-cvc000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # lets the admin's widgets find Django's own form templates under our form renderer
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "charters",
    "tenders",
    "evaluation",
    "compact",
    "publication",
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
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.AuditContextMiddleware",
    # Last, so that the view and its template rendering run inside the authority scope.
    "accounts.middleware.AuthorityScopeMiddleware",
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
                "accounts.context_processors.site",
            ],
            "builtins": ["accounts.templatetags.govuk", "accounts.templatetags.app_extras"],
        },
    }
]
# Forms render GOV.UK markup (templates/govuk/); TemplatesSetting lets the project templates override Django's.
FORM_RENDERER = "accounts.forms_rendering.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day: long enough to find the email, short enough to be safe

# Invitations to join an authority's staff expire after this many days.
INVITATION_MAX_AGE_DAYS = int(os.environ.get("INVITATION_MAX_AGE_DAYS", "14"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Generated exports and uploaded evidence are never served by URL: views check who asks, then stream them.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Supporting documents on offers: the largest file accepted, in MB. Django's own upload limits need no raising:
# DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out, and files over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary
# file rather than memory. The upload page stops reading a file once it passes this limit
# (tenders/views/offer_documents.py), so an oversized upload is not written to disk in full.
OFFER_DOCUMENT_MAX_MB = int(os.environ.get("OFFER_DOCUMENT_MAX_MB", "10"))
# Evidence on contract delivery reports (compact/evidence.py): the largest file accepted, in MB.
EVIDENCE_MAX_MB = int(os.environ.get("EVIDENCE_MAX_MB", "10"))

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST  # configuration lives in MAILERS (Django 6.1); the old EMAIL_* settings are deprecated
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Community Value Charters <no-reply@localhost>")

# Celery: with no broker configured, tasks run in-process (eagerly) so the embedded default needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_IGNORE_RESULT = True  # job records, not the result backend, carry status and files
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Reads already treat a tender past its deadline as closed; this records it (audited) every quarter-hour.
    "close-due-tenders": {"task": "tenders.close_due", "schedule": 15 * 60},
    # Daily reminders about delivery reports due soon or overdue, early in the London morning; safe to run twice.
    "send-report-reminders": {"task": "compact.send_report_reminders", "schedule": crontab(hour=7, minute=0)},
}

# The API (/api/v1/, docs/api.md): personal tokens first, so a refused request is challenged with "Bearer"; the
# session (with its CSRF check) serves the browser. Errors, pagination and throttles come from accounts/api/.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.foundation.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.api.foundation.AnonymousIpThrottle",
        "accounts.api.foundation.TokenOrUserThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "accounts.api.foundation.ApiPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "accounts.api.foundation.exception_handler",
    # The client's address is REMOTE_ADDR (gunicorn is told the proxy's forwarded address): never trust a
    # client-supplied X-Forwarded-For for the per-IP limit.
    "NUM_PROXIES": 0,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests allowed per period ("120/minute", "5000/hour"): anonymous callers per IP address, signed-in callers per
# token (or per person, for the browser session).
API_THROTTLE_RATES = {
    "anon": os.environ.get("API_RATE_ANON", "120/minute"),
    "user": os.environ.get("API_RATE_USER", "600/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community Value Charters API",
    "DESCRIPTION": (
        "Authorities, the measure library, charters and their versions, consultations and comments. Public data "
        "needs no credentials; staff actions need a personal API token (made on your account page) or a signed-in "
        "session, and the same roles as the pages. Every error has the same body: status, title, detail and "
        "errors by field."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The documentation page's assets are served from our static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api.foundation.describe_path_parameters",
    ],
    # One name per choice set, wherever a field uses it.
    "ENUM_NAME_OVERRIDES": {
        "TenderStatusEnum": "tenders.models.TenderStatus",
        "OfferStatusEnum": "tenders.models.OfferStatus",
        "QuestionKindEnum": "tenders.models.QuestionKind",
        "DocumentKindEnum": "tenders.models.DocumentKind",
        "CharterOriginEnum": "charters.models.Charter.Origin",
        "VersionStatusEnum": "charters.models.VersionStatus",
        "CommentStatusEnum": "charters.models.CommentStatus",
        "EvaluationStatusEnum": "evaluation.models.EvaluationStatus",
        "DeclarationEnum": "evaluation.models.Declaration",
        "ConflictDecisionEnum": "evaluation.models.ConflictDecision",
        "ConflictDecisionChoiceEnum": ["allowed", "excluded"],
        "PriceFormulaEnum": ["lowest_ratio", "linear_deduction"],
        "TieBreakEnum": ["quality", "price", "social_value"],
        "ContractStatusEnum": "compact.models.ContractStatus",
        "ContractEndStatusEnum": ["completed", "ended_early"],
        "DeliveryReportStatusEnum": "compact.models.ReportStatus",
        "CommitmentStatusEnum": ["on_track", "at_risk", "off_track", "not_started"],
        "VerificationDecisionEnum": ["accepted", "queried", "rejected"],
        "AssessmentKindEnum": "compact.models.AssessmentKind",
        "AssessmentStatusEnum": "compact.models.AssessmentStatus",
        "CaseKindEnum": "compact.models.CaseKind",
        "ChecklistStatusEnum": "compact.models.ChecklistStatus",
        "JobStatusEnum": "accounts.models.JobStatus",
    },
}
# Shared cache (the API's rate-limit counters): set CACHE_URL to a Redis address so every web process counts
# together; without it each process counts on its own.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security. Production (DEBUG off) is HTTPS-only; `manage.py check --deploy` reports nothing with these.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}
