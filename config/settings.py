"""Settings for Relations Timeline, read from the environment.

DJANGO_DEBUG      "1" for local development; off by default.
DJANGO_SECRET_KEY required when DJANGO_DEBUG is off.
DATABASE_URL      defaults to the SQLite file db.sqlite3 beside manage.py.
CACHE_URL         a Redis URL shared by several servers; a per-process cache without it.
ALLOWED_HOSTS     comma-separated; defaults to localhost names.
DJANGO_SECURE_SSL_REDIRECT / DJANGO_HSTS_SECONDS / DJANGO_BEHIND_TLS_PROXY
                  HTTPS settings, on by default when DJANGO_DEBUG is off.
DJANGO_TRUSTED_PROXIES
                  addresses of the proxies whose X-Forwarded-For is believed; none by default.
EXPORT_CACHE_DIR  where the whole timeline's downloads are kept; var/exports by default,
                  empty to stream them each time.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, STRICT_DYNAMIC
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name):
    """Comma-separated addresses or networks: 10.0.0.2, 10.0.0.0/24, fd00::/8."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an address or network ({error})."
            ) from error
    return networks


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for local development run with DJANGO_DEBUG=1)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "django_htmx",
    "simple_history",
    "template_partials",
    "axes",
    "relations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compression, HEAD and 304s for everything whitenoise does not serve (relations/http.py).
    "relations.http.ResponseMiddleware",
    "relations.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "relations.middleware.QueryStringLimitMiddleware",
    # While import_timeline writes to SQLite, other writes get a clear 503.
    "relations.maintenance.MaintenanceMiddleware",
    # A database or Redis that does not answer: a 503 page and one log line, not a 500.
    "relations.middleware.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Runs the view itself, so after every other middleware's process_view.
    "relations.middleware.OneTransactionPerWriteMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "relations.context_processors.timeline",
                "relations.context_processors.csp_nonce",
                "relations.paths.site_paths",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock
    # when a transaction starts, so a reader never has to upgrade its lock
    # mid-transaction and fail with "database is locked"; the timeout makes
    # a second writer wait for the first instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files served by whitenoise with far-future caching;
        # needs `manage.py collectstatic`, so development keeps the plain storage.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Development serves files from static/ as they change; production from STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. Production is served over HTTPS; a TLS-terminating proxy in
# front sets X-Forwarded-Proto (DJANGO_BEHIND_TLS_PROXY=1).
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
BEHIND_PROXY = env_flag("DJANGO_BEHIND_TLS_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Origins that may show /embed/ in a frame (CSP frame-ancestors), e.g.
# "https://news.example.org"; none by default.
EMBED_FRAME_ANCESTORS = env_list("EMBED_FRAME_ANCESTORS", [])

# Strict CSP: scripts run only with this response's nonce; no inline styles
# (htmx's indicator styles are off, see templates/base.html). The admin gets a
# policy of its own: relations/middleware.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [NONCE, STRICT_DYNAMIC],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# Admin logins: after 5 failures for one username from one address, that pair
# is locked out for 30 minutes (HTTP 429).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address, for the lockout: REMOTE_ADDR, or X-Forwarded-For when the
# request comes from one of these proxies (relations/client_address.py). Reaching
# the app's port directly, anyone can write anything into that header, so it is
# not trusted because the app runs behind a proxy, only when that proxy sent it.
if "DJANGO_TRUSTED_PROXY_COUNT" in os.environ:
    raise ImproperlyConfigured(
        "DJANGO_TRUSTED_PROXY_COUNT is replaced by DJANGO_TRUSTED_PROXIES: the addresses "
        "or networks of the proxies in front of Django, e.g. 10.0.0.2 or 10.0.0.0/24."
    )
TRUSTED_PROXIES = env_networks("DJANGO_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "relations.client_address.client_address"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered result lists are cached per query and data version (see TimelineVersion).
# Without CACHE_URL each server process keeps its own cache; with CACHE_URL (Redis)
# every server shares one cache. The data version lives in the database either way.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"CACHE_URL must be a Redis URL (redis://host:6379/0), not {CACHE_URL!r}."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "timeline"),
            # A Redis that does not answer fails the request (and /readyz) quickly.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Anyone can ask for a query nobody asked before, and each result list
            # kept is about 40 KB: past this many entries the least recently used
            # third is dropped. (Redis is bounded by its own maxmemory: README.)
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("TIMELINE_CACHE_MAX_ENTRIES", "500"))},
        }
    }
TIMELINE_CACHE_SECONDS = int(os.environ.get("TIMELINE_CACHE_SECONDS", "600"))
# What every query shares, keyed by the data version: each event as the result list shows
# it, and the filter form's options. A query nobody asked before reuses them.
TIMELINE_PARTS_CACHE_SECONDS = int(os.environ.get("TIMELINE_PARTS_CACHE_SECONDS", "3600"))

# Free-text search (relations/search.py): at most this many different words, and,
# when none is long enough for the trigram index, at most this many short ones.
TIMELINE_SEARCH_MAX_WORDS = int(os.environ.get("TIMELINE_SEARCH_MAX_WORDS", "20"))
TIMELINE_SEARCH_MAX_SHORT_WORDS = int(os.environ.get("TIMELINE_SEARCH_MAX_SHORT_WORDS", "3"))

# Event and source dates must fall within these years (model validation, so the
# admin and import_timeline refuse others); the year filters accept the same range.
TIMELINE_YEAR_MIN = int(os.environ.get("TIMELINE_YEAR_MIN", "1800"))
TIMELINE_YEAR_MAX = int(os.environ.get("TIMELINE_YEAR_MAX", "2100"))

# A longer query string is refused with 414 before any view runs: no page of
# this site needs more, and nothing unbounded should reach a view or a cache.
MAX_QUERY_STRING_LENGTH = int(os.environ.get("MAX_QUERY_STRING_LENGTH", "4096"))

# Drafts: with this on, an editor cannot publish an event or source they created.
TIMELINE_REQUIRE_SECOND_EDITOR = env_flag("TIMELINE_REQUIRE_SECOND_EDITOR")

# Adding a source from an address: the server fetches it with these limits.
# Private and loopback addresses are refused unless SOURCE_FETCH_ALLOW_PRIVATE=1.
SOURCE_FETCH_ALLOW_PRIVATE = env_flag("SOURCE_FETCH_ALLOW_PRIVATE")
SOURCE_FETCH_TIMEOUT = float(os.environ.get("SOURCE_FETCH_TIMEOUT", "10"))
# The whole fetch, redirects included: a server can keep each read within the timeout.
SOURCE_FETCH_DEADLINE = float(os.environ.get("SOURCE_FETCH_DEADLINE", "15"))
SOURCE_FETCH_MAX_BYTES = int(os.environ.get("SOURCE_FETCH_MAX_BYTES", str(10 * 1024 * 1024)))

# What this deployment follows; shown in page titles, feeds and export file names.
TIMELINE_TITLE = os.environ.get("TIMELINE_TITLE", "China–Belarus relations")
EXPORT_FILENAME = os.environ.get("EXPORT_FILENAME", "china-belarus-timeline")
# Where the whole timeline's downloads are kept, one file per format and data version
# (relations/exports/files.py); empty streams every download instead.
EXPORT_CACHE_DIR = os.environ.get("EXPORT_CACHE_DIR", str(BASE_DIR / "var" / "exports"))

# Django's own logging prints only while debugging and mails errors to ADMINS;
# here its records, server errors with their tracebacks included, go to stderr,
# which gunicorn and any process manager keep.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {
            "handlers": ["stderr"],
            "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}
