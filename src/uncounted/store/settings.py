"""Django settings built from a workspace, not from a settings module on disk.

Every entry point (CLI, web server, tests) calls :func:`build_settings` so that one
workspace means one configuration, whichever door the user came in by.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from uncounted.errors import UserError

PACKAGE_DIR = Path(__file__).resolve().parent.parent

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "uncounted.store.core",
    "uncounted.store.linkage",
    "uncounted.store.estimates",
    "uncounted.app",
]


def database_from_url(url: str) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgresql://user:pw@host:port/db`` into Django's dict."""
    parsed = urlparse(url)
    if parsed.scheme in ("sqlite", "sqlite3"):
        path = unquote(parsed.path)
        if parsed.netloc:  # sqlite://relative/path
            path = parsed.netloc + path
        return sqlite_database(Path(path))
    if parsed.scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 0,
        }
    raise UserError(
        f"database URL {url.split('@')[-1]!r} is not supported: use sqlite:///PATH "
        "or postgresql://USER:PASSWORD@HOST:PORT/DBNAME"
    )


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite tuned for one writer and many readers (WAL, a generous busy timeout)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def build_settings(
    database: dict[str, Any], secret_key: str, debug: bool = False
) -> dict[str, Any]:
    """All Django settings for one database."""
    return {
        "DEBUG": debug,
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]", "testserver", "*"],
        "INSTALLED_APPS": INSTALLED_APPS,
        "DATABASES": {"default": database},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "USE_I18N": True,
        "LANGUAGE_CODE": "en",
        "LANGUAGES": [("en", "English"), ("ar", "العربية")],
        "LOCALE_PATHS": [str(PACKAGE_DIR / "app" / "locale")],
        "PASSWORD_HASHERS": [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.locale.LocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "uncounted.app.urls",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.template.context_processors.i18n",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "STATIC_URL": "/static/",
        "LOGIN_URL": "/login/",
        "LOGIN_REDIRECT_URL": "/",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_AGE": 8 * 3600,  # a working day; then sign in again
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_HTTPONLY": True,  # forms carry the token; no script needs the cookie
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"console": {"class": "logging.StreamHandler"}},
            "root": {"handlers": ["console"], "level": "WARNING"},
        },
    }
