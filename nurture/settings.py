"""Settings for Nurture, read from the environment in this one module (twelve-factor).

Every value has an embedded default so that `make run` needs no services: SQLite under
`var/`, e-mail to the console, background tasks run immediately, files on local disk.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NURTURE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "nurture-development-key-not-for-production"
# The development key is only ever used when no SECRET_KEY is given; production sets one.
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Production is a site served over https without DEBUG: there, every transport protection
# below is on by default, and the published development key is refused outright.
PRODUCTION = not DEBUG and SITE_URL.startswith("https://")
if PRODUCTION and SECRET_KEY in {DEVELOPMENT_SECRET_KEY, ""}:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: SITE_URL is https and DEBUG is off, so this is a production "
        "site, and the development key is public. Set SECRET_KEY in the environment to a "
        "long random value (docs/operations.md, Security)."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "csp",
    "axes",
    # Two-factor authentication: TOTP (authenticator apps) and one-time backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Serves the API docs' Swagger UI from its packaged static files, not a CDN.
    "ninja",
    "nurture.core",
    "nurture.accounts",
    "nurture.audit",
    "nurture.privacy",
    "nurture.programmes",
    "nurture.startups",
    "nurture.applications",
    "nurture.resources",
    "nurture.compute",
    "nurture.funding",
    "nurture.platforms",
    "nurture.reviewers",
    "nurture.reviews",
    "nurture.selection",
    "nurture.workspace",
    "nurture.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has passed the two-factor code step.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "nurture.accounts.middleware.SessionExpiryMiddleware",
    # Staff (and founders who turned it on) reach nothing but the code step until verified.
    "nurture.accounts.middleware.TwoFactorMiddleware",
    # Who is acting, for the audit of permission changes made through signals.
    "nurture.accounts.middleware.CurrentRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "nurture.audit.middleware.RequestContextMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the view into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nurture.urls"
WSGI_APPLICATION = "nurture.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nurture" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nurture.core.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The written-out reads of the busiest pages and the ledger's posting run as prepared
        # statements (nurture/core/sql.py); the ORM binds on the client and never prepares.
        # They are planned once per connection (the generic plan): left to choose, PostgreSQL
        # plans a LIMIT query anew each time. Behind a pooler in transaction mode,
        # DATABASE_PREPARED_STATEMENTS=0 turns them off.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            options["prepare_threshold"] = 5
            options["options"] = " ".join(
                filter(None, [options.get("options"), "-c plan_cache_mode=force_generic_plan"])
            )
        else:
            options["prepare_threshold"] = None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "nurture.sqlite3",
            "OPTIONS": {
                # Writers take the lock at BEGIN, so concurrent read-then-write transactions
                # serialise instead of failing half-way (DESIGN.md, data rules).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and sessions ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every attempt for a locked-out e-mail address and client address, even
    # with the right password, before the e-mail backend checks it.
    "nurture.accounts.backends.LoginThrottleBackend",
    "nurture.accounts.backends.EmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session ends SESSION_COOKIE_AGE after sign-in however active it is, and earlier after
# SESSION_IDLE_TIMEOUT without a request (nurture.accounts.middleware.SessionExpiryMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 8))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 60 * 30))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# CSRF_COOKIE_HTTPONLY stays off: it would only hide a token that every page already prints
# (the forms' hidden field and <body hx-headers>), so it adds no protection.
# Login throttling (django-axes): five failures for one e-mail address from one client
# address lock that pair out for fifteen minutes; each try during the lockout restarts it.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "nurture.accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "nurture.accounts.throttling.login_client_ip"
AXES_LOCKOUT_CALLABLE = "nurture.accounts.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Re-authentication before sensitive actions (exports of personal data, approving money):
# a password (and two-factor code) confirmation lasts this long (nurture.accounts.reauth).
REAUTH_SECONDS = int(os.environ.get("REAUTH_SECONDS", 600))
# Two-factor codes: django-otp waits 1, 2, 4... seconds after each wrong code; after as many
# wrong codes in a row as the password step allows, codes are refused for its cool-off time.
OTP_TOTP_ISSUER = "Nurture HKAI Lab"
EMAIL_VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3
INVITATION_MAX_AGE_DAYS = 14

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A year of HSTS, subdomains included, once the site is served over https.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 * PRODUCTION))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the whole registrable domain (and the owner's other sites on it) to https
# in browsers for good: a decision for whoever owns the domain, not a default of this app.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The health check answers plain http too, so a load balancer can probe the app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (django-csp): every script, style, font and image from this site;
# no inline script or style anywhere (htmx's own indicator style is turned off in base.html
# and lives in app.css). Bootstrap's CSS draws its small icons (select arrows, check marks,
# the close button) as data: SVG images, hence data: for images only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [BASE_DIR / "nurture" / "locale"]
# DATE_FORMAT and DATETIME_FORMAT per language (templates use |date:"DATETIME_FORMAT").
FORMAT_MODULE_PATH = ["nurture.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Hong_Kong"
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "nurture" / "static"]
# Created up front: SQLite, uploads and WhiteNoise all expect their folders to exist.
for _folder in (VAR_DIR, STATIC_ROOT, VAR_DIR / "private"):
    _folder.mkdir(parents=True, exist_ok=True)
STORAGES = {
    # Uploads live under var/private, outside the web root; nothing serves MEDIA directly,
    # every download goes through a view that checks permission first.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private", "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", 10))
# Fernet keys for data encrypted at rest (bank details), comma-separated: the first encrypts,
# all decrypt; rotate with `nurture rotate_field_keys` (docs/operations.md, Key rotation).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
if EMAIL_URL.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith("memory:"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme in {"smtp+tls", "submission"}
    EMAIL_USE_SSL = _mail.scheme == "smtps"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "HKAI Lab <noreply@nurture.local>")

# --- Background tasks -----------------------------------------------------------------------
# "immediate" runs each task in the web process right after commit (the zero-service default);
# "database" queues in the database for `nurture worker`; "rq" queues on Redis (REDIS_URL) for
# as many `nurture worker` processes as needed.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "immediate")
_TASK_BACKENDS = {
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "dummy": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ValueError(f"TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {"default": _TASK_BACKENDS[TASK_BACKEND]}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}

# --- Cache ----------------------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
# API rate limits per client address (anonymous) and per user (token or session), in
# ninja's "count/period" form (s, min, h, day); "off" lifts a limit. A refused request gets
# 429 with Retry-After.
API_RATE_ANON = os.environ.get("API_RATE_ANON", "120/min")
API_RATE_USER = os.environ.get("API_RATE_USER", "600/min")

# The benchmark's bare page (bench/pages.py): the base layout with no data, as a ceiling.
# Off by default so that production does not expose it.
BENCH_BARE_PAGE = env_bool("NURTURE_BENCH_BARE_PAGE", False)
