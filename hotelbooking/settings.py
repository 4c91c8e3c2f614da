"""One settings module, configured from the environment.

Nothing set: SQLite (IMMEDIATE transactions) and eager Celery, so a fresh machine runs the demo.
DATABASE_URL / CELERY_BROKER_URL switch to PostgreSQL and a real broker.
"""

import os
import re
import secrets
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
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
    "axes",
    "csp",
    "auditlog",
    "imagekit",  # photo renditions (inventory.photos)
    "currency",  # exchange rates and amount display; imports nothing of the domain
    "inventory",
    "pricing",
    "bookings",
    "frontdesk",
    "invoicing",
    "channelmanager",
    "ratecalendar",
    "reports",
    "webhooks",
    "privacy",  # last: it may read every other app; nothing imports it
]

MIDDLEWARE = [
    "hotelbooking.request_log.RequestLogMiddleware",  # first: one line per request, timing all the rest
    "hotelbooking.health.HealthCheckMiddleware",  # /healthz, before the https redirect and the host check
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, as Django's docs and WhiteNoise's ask: here
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (as Django asks): the guest's language from the set_language
    # cookie, else the browser's Accept-Language; the API always answers in English (hotelbooking.locale).
    "hotelbooking.locale.GuestLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hotelbooking.replica.ReplicaReadsMiddleware",  # the pages of REPLICA_READ_VIEWS may read from the replica
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "auditlog.middleware.AuditlogMiddleware",  # who made a change, for the audit trail (frontdesk.audit)
    "frontdesk.home.desk_home",  # desk staff opening the admin index land on today's desk
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a lockout found during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "currency.context_processors.switcher",
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

# A PostgreSQL streaming replica for searches, calendars and reports (hotelbooking.replica): skipped while it is
# down or lags more than REPLICA_MAX_LAG_SECONDS. Off in the test suite unless a test turns REPLICA_READS on.
if env("DATABASE_REPLICA_URL", default=""):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL (its primary).")
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("REPLICA_CONNECT_TIMEOUT", default=2))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # in tests: the replica's copy of the test database
    DATABASE_ROUTERS = ["hotelbooking.replica.ReplicaRouter"]
REPLICA_READS = env.bool("REPLICA_READS", default="PYTEST_VERSION" not in os.environ)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=2.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# The pages (URL names, with * wildcards) whose GET may read from the replica; nothing else does.
REPLICA_READ_VIEWS = env.list("REPLICA_READ_VIEWS", default=[
    "pricing:home", "pricing:search", "api-hotel-availability",  # the availability search, page and API
    "admin:ratecalendar_calendar", "channel-ical-feed",  # the rates calendar, the iCal feeds
    "admin:reports_*",  # reports
])

# Throttles and guess counters live here: use Redis (CACHE_URL=redis://...) when several processes serve.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"  # the fallback: a browser that asks for none of LANGUAGES gets English
# Guest pages and emails (decision 11). Each name in its own language, as the switcher shows it.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # the .po files and their compiled .mo, both committed
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Production (DEBUG off) serves what `manage.py collectstatic` (make install, make serve) wrote to STATIC_ROOT:
# compressed (gzip, brotli) with content-hashed names, cached for a year by WhiteNoise. Development and the test
# suite (pytest sets PYTEST_VERSION) need no collectstatic: plain names, found in the apps' static folders.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG and "PYTEST_VERSION" not in os.environ)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if STATIC_MANIFEST
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if not STATIC_MANIFEST:  # nothing is read from STATIC_ROOT then, so its absence is no news (pytest: pyproject)
    warnings.filterwarnings("ignore", message=re.escape(f"No directory at: {STATIC_ROOT}"), category=UserWarning)
# Uploads (hotel logos, photos and their renditions). runserver serves them under DEBUG; in production the web
# server (or a storage such as S3 through django-storages) serves MEDIA_ROOT at MEDIA_URL.
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))

LOGIN_URL = "admin:login"

# Staff logins. The throttle (django-axes) first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "hotelbooking.logins.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Wrong passwords are counted per username and client address together: one address cannot go on guessing a
# username, and nobody elsewhere can lock a clerk out by typing wrong passwords for their name.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [
    [name.strip() for name in group.split("+")]
    for group in env.list("AXES_LOCKOUT_PARAMETERS", default=["username+ip_address"])
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hotelbooking.logins.lockout_response"
# The client address by the same rule as the API throttles (REMOTE_ADDR, or X-Forwarded-For with NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "hotelbooking.logins.client_ip"

# HTTPS. Outside DEBUG every default is the production one; `manage.py check --deploy` passes with them.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Only behind a proxy that sets this header on every request and drops it from clients; otherwise anybody
# could claim HTTPS. "X-Forwarded-Proto" means "X-Forwarded-Proto: https"; "Name=value" names both.
if env("SECURE_PROXY_SSL_HEADER", default=""):
    _header, _, _value = env("SECURE_PROXY_SSL_HEADER").partition("=")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _header.strip().upper().replace("-", "_"), _value.strip() or "https")

# Content-Security-Policy (django-csp): scripts, styles and images from this site only, no inline code.
# Under DEBUG it is report-only, so Django's debug pages (inline styles) still work and the console shows
# what production would block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *env.list("CSP_SCRIPT_SRC", default=[])],
        "style-src": [SELF, *env.list("CSP_STYLE_SRC", default=[])],
        "img-src": [SELF, "data:", *env.list("CSP_IMG_SRC", default=[])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": env("CSP_REPORT_URI")} if env("CSP_REPORT_URI", default="") else {}),
    },
}
if env.bool("CSP_REPORT_ONLY", default=DEBUG):
    CONTENT_SECURITY_POLICY_REPORT_ONLY, CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY, None

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
    "settle-payments": {"task": "bookings.tasks.payments_settle", "schedule": 60.0},
    "charge-due-balances": {"task": "bookings.tasks.charge_due_balances", "schedule": crontab(minute="*/30")},
    "night-audit": {"task": "frontdesk.tasks.run_due_night_audits", "schedule": crontab(minute="*/15")},
    "purge-idempotency-keys": {"task": "bookings.tasks.purge_idempotency_records", "schedule": crontab(minute=0)},
    "flush-channel-ari": {"task": "channelmanager.tasks.flush_all_ari", "schedule": 60.0},
    "channel-ari-daily-full-resync": {"task": "channelmanager.tasks.full_resync_due", "schedule": crontab(minute=20)},
    # Five minutes after each night-audit tick: the manager report of every day audited since.
    "manager-reports": {"task": "reports.tasks.send_manager_reports", "schedule": crontab(minute="5-59/15")},
    "partner-webhook-retries": {"task": "webhooks.tasks.send_due_deliveries", "schedule": 60.0},
    # Ten minutes after each night-audit tick: the accounting export of every day audited since.
    "accounting-exports": {"task": "invoicing.tasks.write_accounting_exports", "schedule": crontab(minute="10-59/15")},
    # Once a day: anonymise past guests whose every stay is past its hotel's retention period (privacy).
    "guest-data-retention": {"task": "privacy.tasks.erase_expired_guests", "schedule": crontab(hour=3, minute=30)},
}

# Channel manager: ARI pushes coalesce changes for a few seconds, then retry with exponential backoff.
CHANNEL_ARI_COALESCE_SECONDS = env.int("CHANNEL_ARI_COALESCE_SECONDS", default=5)
CHANNEL_ARI_MAX_ATTEMPTS = env.int("CHANNEL_ARI_MAX_ATTEMPTS", default=8)
CHANNEL_ARI_RETRY_BASE_SECONDS = env.int("CHANNEL_ARI_RETRY_BASE_SECONDS", default=30)
CHANNEL_HTTP_TIMEOUT = env.int("CHANNEL_HTTP_TIMEOUT", default=10)

# Partner webhooks (webhooks app): endpoint URLs must be https to a public address, unless this is on
# (development, and the tests, whose receivers listen on 127.0.0.1).
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)

# Wrong API keys tolerated per client address and window (seconds) before it must wait (429).
API_KEY_FAILURE_LIMIT = env.int("API_KEY_FAILURE_LIMIT", default=20)
API_KEY_FAILURE_WINDOW = env.int("API_KEY_FAILURE_WINDOW", default=600)

# Guest data (privacy app): how long the emailed link to a guest's own data works, and how many requests per
# client address and per email address (each per PRIVACY_REQUEST_WINDOW_SECONDS) are taken.
PRIVACY_REQUEST_LINK_HOURS = env.int("PRIVACY_REQUEST_LINK_HOURS", default=24)
PRIVACY_REQUEST_MAX_PER_ADDRESS = env.int("PRIVACY_REQUEST_MAX_PER_ADDRESS", default=5)
PRIVACY_REQUEST_MAX_PER_EMAIL = env.int("PRIVACY_REQUEST_MAX_PER_EMAIL", default=3)
PRIVACY_REQUEST_WINDOW_SECONDS = env.int("PRIVACY_REQUEST_WINDOW_SECONDS", default=3600)

# Booking rules
BOOKING_MAX_NIGHTS = env.int("BOOKING_MAX_NIGHTS", default=30)
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=15)

# Stripe (bookings.payments.stripe_gateway and the webhook at /payments/stripe/webhook). With both keys set Stripe
# is on (stripe_enabled()): the booking flow charges through Stripe unless PAYMENT_GATEWAY says otherwise, the
# guest pages use Stripe's card fields, and no card number is accepted. STRIPE_API_BASE points the client at
# another host (stripe-mock, a test fake).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="bookings.payments.stripe_gateway.StripeGateway"
                      if STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY else "bookings.payments.TestGateway")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=20.0)  # seconds; past it the payment is UNKNOWN, not failed
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)  # same idempotency key each time

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hotelbooking.api.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only (the schema says so; a form post answers 415). The channel endpoint parses its own XML.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
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
    "DESCRIPTION": (BASE_DIR / "hotelbooking" / "api_description.md").read_text(encoding="utf-8"),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Partners authenticate with their API key only; staff sessions still work (SessionAuthentication above)
    # but are not advertised to client generators.
    "AUTHENTICATION_WHITELIST": ["hotelbooking.api.ApiKeyAuthentication"],
    # Webhooks (what we POST to partners): OpenAPI 3.1's webhooks section.
    "WEBHOOKS": "webhooks.schema.WEBHOOKS",  # one per event type (webhooks.catalog)
    "ENUM_NAME_OVERRIDES": {"WebhookEventTypeEnum": "webhooks.catalog.EVENT_TYPE_CHOICES"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "webhooks.schema.webhook_headers",
        "hotelbooking.openapi.postprocess_contract",
    ],
}

# /healthz (hotelbooking.health): how long each check (database, cache, broker) may take before it fails.
HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=2.0)

# Logs go to stderr. LOG_FORMAT=json: one JSON object per record (python-json-logger), for a log shipper.
# Every request is one line on hotelbooking.requests (hotelbooking.request_log); REQUEST_LOG=0 silences it.
LOG_FORMAT = env("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: give text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s", "rename_fields": {"asctime": "time"}},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "hotelbooking.requests": {"level": "INFO" if env.bool("REQUEST_LOG", default=True) else "WARNING"},
    },
}
