"""Settings for the mission-order portal, read from the environment.

With no environment at all the portal runs on an embedded default: SQLite, a
Celery transport on the file system (a real worker and beat, no server) and
Telegram notices kept in the outbox.  ``DATABASE_URL``, ``REDIS_URL`` and
``TELEGRAM_BOT_TOKEN`` switch to the real services.  Bad values fail loudly.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; anything but the usual spellings fails at start instead of meaning "no"."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE | _FALSE:
        return raw in _TRUE
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


DEBUG = env_bool("DEBUG", False)
_DEV_KEY = "insecure-development-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The issuer's signature on the order PDFs (PAdES): a PKCS#12 file and its password; signatures are trusted
# when they chain to a certificate of PDF_SIGNING_TRUST. The defaults are the demo CA and certificate that
# `manage.py make_signing_cert` makes under var/signing/ (production must set all three).
PDF_SIGNING_DEMO_PASSWORD = "demo-signing-key"
PDF_SIGNING_P12 = env.str("PDF_SIGNING_P12", default=str(VAR_DIR / "signing" / "signer.p12"))
PDF_SIGNING_PASSWORD = env.str("PDF_SIGNING_PASSWORD", default=PDF_SIGNING_DEMO_PASSWORD)
PDF_SIGNING_TRUST = env.str("PDF_SIGNING_TRUST", default=str(VAR_DIR / "signing" / "ca.pem"))

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "import_export",
    "ministry",
    "missions",
    "groups",
    "finance",
    "inbox",
    "portal",
    "common",
    "bench",  # manage.py seed_scale, for benchmarks; portal.production leaves it out
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.admin_digits.AdminKhmerDigitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "portal.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process, the worker and beat share one file: wait for locks,
    # take the write lock at the start of a transaction, and use WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # Pages run short queries: starting parallel workers for one costs more (~5 ms) than it saves, and
    # on a small server takes cores from the web and Celery processes; a Memoize node sizes its cache from
    # the planner's row estimate and paid 2-6 ms to set it up on a list of 50 rows.  (docs/DECISIONS.md)
    options = DATABASES["default"].setdefault("OPTIONS", {})
    planner = "-c max_parallel_workers_per_gather=0 -c random_page_cost=1.1 -c enable_memoize=off"
    options["options"] = f"{options.get('options', '')} {planner}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")

if REDIS_URL:
    # A Redis outage must not take pages down: SafeRedisCache misses instead of raising.
    CACHES = {"default": {"BACKEND": "portal.cache.SafeRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}}

CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Phnom_Penh"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 5, "socket_connect_timeout": 5}
else:
    # The folders are made by the Celery app when it is first configured (portal/celery.py), not here.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "mark-overdue-returns": {"task": "missions.tasks.mark_overdue_orders", "schedule": 3600.0},
    "sweep-notice-outbox": {"task": "groups.tasks.sweep_outbox", "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=30.0)},
    "sweep-pending-renders": {"task": "missions.tasks.sweep_pending_renders", "schedule": 120.0},
    "sweep-order-posts": {"task": "groups.tasks.sweep_order_posts", "schedule": 300.0},
    "returns-digest": {"task": "groups.tasks.send_returns_digest", "schedule": 86400.0},
}

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.accounts.OfficialNameSimilarityValidator"},
    {"NAME": "portal.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Also locks an address after this many failures across every username (one password tried on many accounts).
AXES_HANDLER = "portal.accounts.AddressLimitedAxesHandler"
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # a reset link works once, for three days
AXES_VERBOSE = False

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "km"
LANGUAGES = [("km", _("Khmer")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Phnom_Penh"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads and generated PDFs live outside static/ and are served only
# through permission-checked views: there is no MEDIA_URL route.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "private")))
MEDIA_URL = "/private-not-served/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Portal ---------------------------------------------------------------
RETURN_OVERDUE_DAYS = env.int("RETURN_OVERDUE_DAYS", default=7)
# Days an order stays overdue before the head of the requesting unit is told too.
RETURN_ESCALATE_DAYS = env.int("RETURN_ESCALATE_DAYS", default=7)
ALLOW_OTHER_ISSUERS = env_bool("ALLOW_OTHER_ISSUERS", False)
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="")
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
TELEGRAM_RATE_PER_CHAT = env.float("TELEGRAM_RATE_PER_CHAT", default=1.0)  # messages a second
TELEGRAM_RATE_PER_GROUP_MINUTE = env.int("TELEGRAM_RATE_PER_GROUP_MINUTE", default=20)
TELEGRAM_RATE_GLOBAL = env.float("TELEGRAM_RATE_GLOBAL", default=30.0)
NOTICE_SENDING_LEASE = env.int("NOTICE_SENDING_LEASE", default=120)  # seconds before a vanished send is retried
NOTICE_SWEEP_GRACE = env.int("NOTICE_SWEEP_GRACE", default=30)  # seconds a due notice may wait in the queue
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@mcs.gov.kh")
if TELEGRAM_BOT_TOKEN and ":" not in TELEGRAM_BOT_TOKEN:
    raise ImproperlyConfigured("TELEGRAM_BOT_TOKEN does not look like a bot token (id:secret)")

# --- Security headers -----------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
ADMIN_URL_PREFIX = "admin/"
# The bare page that benchmarks compare every page with (bench/pages.py, bench/load); on with DEBUG.
EXPOSE_TRIVIAL_VIEW = env_bool("EXPOSE_TRIVIAL_VIEW", False)
RATELIMIT_VIEW = "portal.views.ratelimited"
RATELIMIT_FAIL_OPEN = True  # with the cache away, public pages stay up (tokens are 192 bits)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},  # the file-system transport has no host name to report
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
