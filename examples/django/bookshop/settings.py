"""Settings of the bookshop project.

Secrets and addresses come from the environment, never from the
repository:

    SECRET_KEY     signs sessions, password-reset links, CSRF tokens (required)
    DATABASE_URL   sqlite:///RELATIVE/PATH, sqlite:////ABSOLUTE/PATH or postgresql://USER:PASSWORD@HOST:PORT/NAME
                   (default: the SQLite file db.sqlite3 beside manage.py)
    DEBUG          "1" for tracebacks in the browser (never in production)
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# [start:database]
def database_from_url(url: str) -> dict:
    """Django's DATABASES entry for a database URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///shop.sqlite3, or sqlite:////srv/shop.sqlite3
        name = unquote(parts.path[1:])
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL: unknown scheme {parts.scheme!r}")
# [end:database]


# [start:secrets]
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("set SECRET_KEY in the environment")
DEBUG = os.environ.get("DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
DEFAULT_DATABASE = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
}
# [end:secrets]

# [start:apps]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",  # users, groups, permissions
    "django.contrib.contenttypes",
    "django.contrib.sessions",  # the session table
    "django.contrib.messages",
    "shop",  # ours
]
# [end:apps]

# [start:middleware]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# [end:middleware]

ROOT_URLCONF = "bookshop.urls"
WSGI_APPLICATION = "bookshop.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# [start:limits]
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # bigger form body: 400
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
SESSION_COOKIE_HTTPONLY = True  # (default) hidden from JavaScript
SESSION_COOKIE_AGE = 14 * 24 * 3600  # two weeks, the default
# [end:limits]

LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Which version of the exercises the URLs use: the solutions, or the
# starters you complete (COURSE_IMPL=starter).
COURSE_IMPL = os.environ.get("COURSE_IMPL", "solution")
