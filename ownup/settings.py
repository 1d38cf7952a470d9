"""Settings, read from the environment.

Every value a deployment may want to change comes from an environment variable, so the same
code runs on a laptop (one SQLite file in ``OWNUP_DATA_DIR``) and across machines
(PostgreSQL through ``DATABASE_URL``, Redis through ``REDIS_URL``).
"""

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("OWNUP_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, or one generated on first run and kept in the data directory."""
    if key := os.environ.get("OWNUP_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = _secret_key()
DEBUG = _flag("OWNUP_DEBUG")
ALLOWED_HOSTS = [
    h for h in os.environ.get("OWNUP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
BASE_URL = os.environ.get("OWNUP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ownup.organisation",
    "ownup.reporting",
    "ownup.containment",
    "ownup.understanding",
    "ownup.decisions",
    "ownup.fixes",
    "ownup.communication",
    "ownup.monitoring",
    "ownup.learning",
    "ownup.insights",
    "ownup.hiring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ownup.middleware.ApiAnswersInJson",
    "ownup.middleware.RefuseControlCharacters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ownup.middleware.FormAddressesLeadBack",
]

ROOT_URLCONF = "ownup.urls"
WSGI_APPLICATION = "ownup.wsgi.application"

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
                "ownup.organisation.context_processors.organisation",
            ],
        },
    },
]

_sqlite_file = DATA_DIR / "ownup.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_sqlite_file}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several web processes and a worker share the file: wait for locks instead of failing,
    # take the write lock at the start of a transaction (the threads of a process queue for it
    # in the process: see ownup/sqlite/base.py), and let readers run beside a writer.
    # Connections are kept for a minute, as on PostgreSQL: opening one and running the
    # PRAGMAs below cost 1.6 ms, more than half of what a whole report costs.
    DATABASES["default"]["ENGINE"] = "ownup.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        # A page cache and memory map big enough for a large library's full-text index.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;",
    }
if test_name := os.environ.get("OWNUP_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": test_name}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reporting:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("OWNUP_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# django-ninja's own copy of Swagger UI, for the API docs page: served with ours, never from a
# CDN. Found without importing the package, which only the API needs.
_ninja_spec = importlib.util.find_spec("ninja")
_ninja_static = (
    Path(_ninja_spec.origin).parent / "static" if _ninja_spec and _ninja_spec.origin else None
)
STATICFILES_DIRS = [BASE_DIR / "static", *([_ninja_static] if _ninja_static else [])]
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True

# Email: SMTP when EMAIL_HOST is set; otherwise the worker prints each message, so nothing is
# lost on a laptop without a mail server.
_email_host = os.environ.get("EMAIL_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": _flag("EMAIL_USE_TLS"),
            "use_ssl": _flag("EMAIL_USE_SSL"),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
        },
    }
    if _email_host
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ownup <ownup@localhost>")

# Slack's slash command (/ownup report ...): the Slack app's signing secret; unset, it is off.
SLACK_SIGNING_SECRET = os.environ.get("OWNUP_SLACK_SIGNING_SECRET", "")

# The task queue: Huey on a SQLite file by default, on Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = (
    {"huey_class": "huey.RedisHuey", "name": "ownup", "url": REDIS_URL, "immediate": False}
    if REDIS_URL
    else {
        "huey_class": "ownup.taskqueue.SqliteQueue",
        "name": "ownup",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": False,
        # A SQLite queue is polled (Redis blocks until a task comes): an idle worker looks
        # again within half a second, not the ten it would back off to, so a check queued for
        # its second starts on time. A poll is one indexed read.
        "consumer": {"max_delay": 0.5},
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OWNUP_LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"level": "INFO"}},
}

NINJA_PAGINATION_PER_PAGE = 50
SERIALIZATION_MODULES = {"ownup-backup": "ownup.insights.serialization"}
