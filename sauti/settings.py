"""Sauti settings: one module, driven by environment variables (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from django.utils.translation import gettext_lazy as _

from sauti.core.env import env_bool, env_choice, env_int, env_list, env_secret, env_str, private_file

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("SAUTI_VAR_DIR", str(Path.cwd() / "var"))).resolve()

SAUTI_ENV = env_choice("SAUTI_ENV", ("development", "test", "production"), "development")
PRODUCTION = SAUTI_ENV == "production"

TESTING = SAUTI_ENV == "test"
DEBUG = env_bool("DEBUG", default=SAUTI_ENV == "development")
SECRET_KEY = env_secret("SECRET_KEY", file=VAR_DIR / "secret_key", required=PRODUCTION)
# Fernet keys for identities at rest, newest first; older keys still decrypt (see `sauti rotate-keys`).
SAUTI_IDENTITY_KEYS = env_secret(
    "SAUTI_IDENTITY_KEYS", file=VAR_DIR / "identity_keys", required=PRODUCTION, nbytes=32
)
# Key for the keyed hash that lets us look a phone number up without storing it in clear.
SAUTI_LOOKUP_KEY = env_secret("SAUTI_LOOKUP_KEY", file=VAR_DIR / "lookup_key", required=PRODUCTION)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "sauti.core",
    "sauti.audit",
    "sauti.places",
    "sauti.people",
    "sauti.monitoring",
    "sauti.insights",
    "sauti.messaging",
    "sauti.conversations",
    "sauti.api",
    "sauti.dialogues",
    "sauti.trust",
    "sauti.peers",
    "sauti.mapping",
    "sauti.opinions",
    "sauti.questionnaires",
    "sauti.evidence",
    "sauti.home",
    "sauti.impact",
    "sauti.budgets",
    "sauti.ops",
    "sauti.throttles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzipped here, not only by a proxy that may not (static files come compressed from WhiteNoise,
    # above, and never reach it). Django's GZipMiddleware pads each response at random against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sauti.audit.middleware.AuditActorMiddleware",
    "sauti.people.security.TwoFactorMiddleware",
    "sauti.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sauti.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "sauti.urls"
WSGI_APPLICATION = "sauti.wsgi.application"

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
                "sauti.people.context_processors.sauti",
                "sauti.monitoring.context_processors.monitoring",
                "sauti.messaging.context_processors.messaging",
                "sauti.home.menu.menu",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'sauti.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database holds the encrypted identities and the audit log: private like the keys (0600; SQLite
    # gives its -wal and -shm files the database file's permissions).
    if str(DATABASES["default"]["NAME"]) not in ("", ":memory:") and "mode=memory" not in str(
        DATABASES["default"]["NAME"]
    ):
        private_file(Path(str(DATABASES["default"]["NAME"])))
    # Seconds a web process keeps its SQLite connection; 0 reopens it per request (opening costs ~3 ms,
    # which caps webhook throughput: see bench/messaging_bench.py).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("SQLITE_CONN_MAX_AGE", 600, minimum=0)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades failing.
        # A checkpoint every 10,000 WAL pages (~40 MB) instead of SQLite's 1,000: each one copies a hot page
        # once however often it changed, and its fsyncs stalled a webhook every ~125 messages (bench/).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            f"PRAGMA wal_autocheckpoint={env_int('SQLITE_WAL_AUTOCHECKPOINT', 10000, minimum=0)};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "POSTGRES_PREPARED_STATEMENTS", default=True
):
    # The ORM binds values into the SQL text, which is never prepared; the hot path's own statements
    # (sauti.core.db: the inbound webhook's INSERT) bind on the server and are prepared on first use per
    # connection, which needs this to be set. Off for a pooler that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sw", _("Kiswahili"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "sauti_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env_str("TIME_ZONE", "Africa/Nairobi")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sauti <sauti@localhost>")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sauti.people.security.LockoutTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "sauti.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    # JSON only: the browsable API's inline scripts would break the Content-Security-Policy.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["sauti.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "sauti.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sauti API",
    "DESCRIPTION": "Reports, cases, categories and places. Token authentication: `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["sauti.api.schema.only_api"],
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "Status": "sauti.monitoring.models.Status",
        "Channel": "sauti.monitoring.models.ReportChannel",
        "Precision": "sauti.monitoring.models.Precision",
        "VerificationMethod": "sauti.monitoring.models.VerificationMethod",
    },
    # Every 4xx answer: {"detail": "..."} or {"<field>": ["...", ...]} (sauti.api.errors), plus place_choices
    # when a report's place is ambiguous (409).
    "APPEND_COMPONENTS": {
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "detail": {"type": "string"},
                    # a 409 of POST /api/reports/: the places an ambiguous place_text may mean
                    "place_choices": {"type": "array", "items": {"$ref": "#/components/schemas/PlaceChoice"}},
                },
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        }
    },
}
# Anonymous submissions per client address (per organisation): public reports and opinion votes, at most
# this many per window (seconds); 0 turns a limit off. Coordinators can set their organisation's own
# limits at /throttles/<organisation>/.
SAUTI_THROTTLE_REPORTS = env_int("SAUTI_THROTTLE_REPORTS", 10, minimum=0)
SAUTI_THROTTLE_REPORTS_WINDOW = env_int("SAUTI_THROTTLE_REPORTS_WINDOW", 3600, minimum=10)
SAUTI_THROTTLE_VOTES = env_int("SAUTI_THROTTLE_VOTES", 120, minimum=0)
SAUTI_THROTTLE_VOTES_WINDOW = env_int("SAUTI_THROTTLE_VOTES_WINDOW", 600, minimum=10)
# Look-ups of a report's status page (reference + secret) per client: guessing secrets is throttled.
SAUTI_THROTTLE_STATUS = env_int("SAUTI_THROTTLE_STATUS", 20, minimum=0)
SAUTI_THROTTLE_STATUS_WINDOW = env_int("SAUTI_THROTTLE_STATUS_WINDOW", 3600, minimum=10)
# Anonymous web answers to a trust survey per client: generous, since a meeting's participants may share
# one hotspot's address, but twelve answers a minute from one phone are stuffing.
SAUTI_THROTTLE_TRUST = env_int("SAUTI_THROTTLE_TRUST", 30, minimum=0)
SAUTI_THROTTLE_TRUST_WINDOW = env_int("SAUTI_THROTTLE_TRUST_WINDOW", 3600, minimum=10)
# Photos larger than this many pixels are refused from their header, before any decoding (a phone photo is
# 12-50 megapixels). Pillow's own decompression-bomb guard is set to the same figure.
SAUTI_MAX_IMAGE_PIXELS = env_int("SAUTI_MAX_IMAGE_PIXELS", 60_000_000, minimum=1_000_000)
# Map tiles: any XYZ tile URL; empty means no tiles (boundaries are still drawn).
SAUTI_TILE_URL = env_str("SAUTI_TILE_URL", "")
SAUTI_TILE_ATTRIBUTION = env_str("SAUTI_TILE_ATTRIBUTION", "")
SAUTI_CSP_IMG_EXTRA = env_list("SAUTI_CSP_IMG_EXTRA")

# Messaging: the address providers call back (defaults to SITE_URL), the conversation handlers, limits.
SAUTI_PUBLIC_URL = env_str("SAUTI_PUBLIC_URL", SITE_URL)
# The handlers lived in conversations/handlers.py until 2026-12; a deployment's .env may still name them there.
_MOVED_HANDLERS = {
    "sauti.conversations.handlers.handle_sms": "sauti.conversations.actions.do_handle_sms",
    "sauti.conversations.handlers.handle_ussd": "sauti.conversations.actions.do_handle_ussd",
}
SAUTI_SMS_HANDLER = env_str("SAUTI_SMS_HANDLER", "sauti.conversations.actions.do_handle_sms")
SAUTI_SMS_HANDLER = _MOVED_HANDLERS.get(SAUTI_SMS_HANDLER, SAUTI_SMS_HANDLER)
SAUTI_USSD_HANDLER = env_str("SAUTI_USSD_HANDLER", "sauti.conversations.actions.do_handle_ussd")
SAUTI_USSD_HANDLER = _MOVED_HANDLERS.get(SAUTI_USSD_HANDLER, SAUTI_USSD_HANDLER)
SAUTI_SMS_RATE_LIMIT = env_int("SAUTI_SMS_RATE_LIMIT", 10, minimum=1)
# Seconds a worker's claim on an inbound message (processing) or an outbox message (sending) lasts; the
# minutely sweep takes older claims back (inbound: processed again; outbox: see do_resolve_stuck_sending).
SAUTI_PROCESSING_LEASE_SECONDS = env_int("SAUTI_PROCESSING_LEASE_SECONDS", 300, minimum=2)
# /healthz answers 503 when no worker has beaten for this many seconds, or a message has waited this long.
SAUTI_HEALTH_WORKER_SECONDS = env_int("SAUTI_HEALTH_WORKER_SECONDS", 120, minimum=15)
SAUTI_HEALTH_BACKLOG_SECONDS = env_int("SAUTI_HEALTH_BACKLOG_SECONDS", 600, minimum=10)
SAUTI_AT_BASE_URL = env_str("SAUTI_AT_BASE_URL", "")
SAUTI_TWILIO_BASE_URL = env_str("SAUTI_TWILIO_BASE_URL", "")

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a hard-to-undo commitment for the whole domain: the deployer opts in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Monitors probe /healthz on the machine itself, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
    if len(SECRET_KEY) < 50:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS["default"]["BACKEND"] = env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

# Structured logs (sauti.core.logs.py): every record one JSON line, plus one line per request and per task
# with its duration. On by default in production.
SAUTI_STRUCTURED_LOGS = env_bool("SAUTI_STRUCTURED_LOGS", default=PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "sauti.core.logs.JsonFormatter"},
    },
    # Webhook paths carry the channel's secret token: it never reaches a log line (issue 14).
    "filters": {"webhook_tokens": {"()": "sauti.core.logs.RedactWebhookTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if SAUTI_STRUCTURED_LOGS else "plain",
            "filters": ["webhook_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Retention (sauti/people/subjects.py): identities of people in no group whose last report is older than
# this many days are erased by `sauti evidence retention` (reports stay, by pseudonym); 0 keeps them.
SAUTI_IDENTITY_RETENTION_DAYS = env_int("SAUTI_IDENTITY_RETENTION_DAYS", 730, minimum=0)
# Minutes between the worker's signatures of the audit chain head with each organisation's key (signed only
# when the chain has moved; every evidence bundle signs it too).
SAUTI_SIGN_HEAD_MINUTES = env_int("SAUTI_SIGN_HEAD_MINUTES", 60, minimum=1)
# Log-in lockout (sauti/people/security.py): this many failures for one username from one address within
# the window lock further attempts (429) until the window has passed.
SAUTI_LOGIN_MAX_FAILURES = env_int("SAUTI_LOGIN_MAX_FAILURES", 5, minimum=1)
SAUTI_LOGIN_LOCKOUT_SECONDS = env_int("SAUTI_LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
# ... and this many failures from one address, whatever the usernames, lock that address.
SAUTI_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("SAUTI_LOGIN_MAX_FAILURES_PER_ADDRESS", 50, minimum=1)
# Reverse proxies (addresses or networks, e.g. 10.0.0.0/8) whose X-Forwarded-For is believed: the client
# address is the last one they did not add. Empty: X-Forwarded-For is ignored and REMOTE_ADDR is the client.
SAUTI_TRUSTED_PROXIES = env_list("SAUTI_TRUSTED_PROXIES")
# Every way in (web and admin log-in, ODK Basic) goes through this backend, which applies the lockout.
AUTHENTICATION_BACKENDS = ["sauti.people.security.LockoutBackend"]
# Two-factor authentication (TOTP) for admins and coordinators; the test suite turns it off.
SAUTI_REQUIRE_2FA = env_bool("SAUTI_REQUIRE_2FA", default=True)
