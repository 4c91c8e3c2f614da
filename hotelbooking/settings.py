"""One settings module, configured from the environment.

Nothing set: SQLite (IMMEDIATE transactions) and eager Celery, so a fresh machine runs the demo.
DATABASE_URL / CELERY_BROKER_URL switch to PostgreSQL and a real broker.
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# manage.py commands that serve requests or outlive the call: they sign what outlives them, so need the key.
SERVER_COMMANDS = {"runserver", "runserver_plus", "testserver", "shell", "shell_plus"}
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-debug")
else:
    # Outside debug a server must be given its key. A one-off management command (migrate, makemigrations,
    # create_api_key...) signs nothing that outlives it, so it may run with a throwaway key.
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        import hotelbooking

        command = hotelbooking.management_command
        if not command or command in SERVER_COMMANDS:
            raise ImproperlyConfigured("Set the SECRET_KEY environment variable (or DEBUG=1 for development).")
        SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where guests reach the site: the signed "manage my booking" links in emails are built on it (emails are
# written by workers, which have no request to take the host from).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
MANAGE_LINK_DAYS_AFTER_CHECK_OUT = env.int("MANAGE_LINK_DAYS_AFTER_CHECK_OUT", default=30)
# Guesses of confirmation number + last name (bookings.lookup.LookupThrottle): per client address, and per
# booking from all addresses together (higher, so a few wrong names never lock the guest out).
MANAGE_LOOKUP_MAX_ATTEMPTS = env.int("MANAGE_LOOKUP_MAX_ATTEMPTS", default=5)
MANAGE_LOOKUP_WINDOW_SECONDS = env.int("MANAGE_LOOKUP_WINDOW_SECONDS", default=900)
MANAGE_LOOKUP_BOOKING_MAX_ATTEMPTS = env.int("MANAGE_LOOKUP_BOOKING_MAX_ATTEMPTS", default=20)
MANAGE_LOOKUP_BOOKING_WINDOW_SECONDS = env.int("MANAGE_LOOKUP_BOOKING_WINDOW_SECONDS", default=86400)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "django_fsm",
    "inventory",
    "pricing",
    "bookings",
    "frontdesk",
    "channelmanager",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hotelbooking.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "hotelbooking.wsgi.application"

if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

# Throttles and guess counters live here: use Redis (CACHE_URL=redis://...) when several processes serve.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "admin:login"

# Email: console in development, SMTP when EMAIL_URL is given; tests use locmem.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))  # for the file backend
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="reservations@grandhotel.example")

# Celery: eager unless a broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "redeliver-outbox": {"task": "bookings.tasks.redeliver_outbox", "schedule": 60.0},
    "expire-pending-holds": {"task": "bookings.tasks.expire_pending_reservations", "schedule": 60.0},
    "night-audit": {"task": "frontdesk.tasks.run_due_night_audits", "schedule": crontab(minute="*/15")},
    "purge-idempotency-keys": {"task": "bookings.tasks.purge_idempotency_records", "schedule": crontab(minute=0)},
    "flush-channel-ari": {"task": "channelmanager.tasks.flush_all_ari", "schedule": 60.0},
}

# Channel manager: ARI pushes coalesce changes for a few seconds, then retry with exponential backoff.
CHANNEL_ARI_COALESCE_SECONDS = env.int("CHANNEL_ARI_COALESCE_SECONDS", default=5)
CHANNEL_ARI_MAX_ATTEMPTS = env.int("CHANNEL_ARI_MAX_ATTEMPTS", default=8)
CHANNEL_ARI_RETRY_BASE_SECONDS = env.int("CHANNEL_ARI_RETRY_BASE_SECONDS", default=30)
CHANNEL_HTTP_TIMEOUT = env.int("CHANNEL_HTTP_TIMEOUT", default=10)

# Wrong API keys tolerated per client address and window (seconds) before it must wait (429).
API_KEY_FAILURE_LIMIT = env.int("API_KEY_FAILURE_LIMIT", default=20)
API_KEY_FAILURE_WINDOW = env.int("API_KEY_FAILURE_WINDOW", default=600)

# Booking rules
BOOKING_MAX_NIGHTS = env.int("BOOKING_MAX_NIGHTS", default=30)
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=15)
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="bookings.payments.TestGateway")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hotelbooking.api.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hotelbooking.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "hotelbooking.throttling.ApiKeyRateThrottle",
        "hotelbooking.throttling.AnonymousSearchRateThrottle",
    ],
    # Behind N trusted proxies set NUM_PROXIES=N; with 0, X-Forwarded-For is ignored (it cannot be trusted).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "anon_search": env("THROTTLE_ANON_SEARCH", default="120/min"),
        "api_key": env("THROTTLE_API_KEY", default="600/min"),
    },
}


SPECTACULAR_SETTINGS = {
    "TITLE": "Hotel Booking API",
    "DESCRIPTION": "Partner and front-desk API: availability, bookings, front desk, channels. "
    'Authenticate with "Authorization: Api-Key <key>". Errors: {"error": {"code", "message", ...}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "Authorization",
                           "description": 'Value: "Api-Key <key>"'}
        }
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
