"""Production settings: refuse to start without a secret key; secure cookies, HSTS, no DEBUG."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .storage import *  # noqa: F401,F403

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of 50 or more characters.")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Uploaded and issued files: a shared directory or S3-compatible storage (TONGBAN_STORAGE, storage.py).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# Personal data keys must be supplied (TONGBAN_DATA_KEYS or TONGBAN_DATA_KEY_FILE): never created here.
TONGBAN_CRYPTO_DEV_KEYS = False
TONGBAN_DEMO_TOTP_SECRET = ""
if TONGBAN_OTP_TEST_SESSIONS:  # noqa: F405
    raise ImproperlyConfigured("TONGBAN_OTP_TEST_SESSIONS is for tests only and must be off in production.")

# --- Running at scale (docs/deploy.md) -------------------------------------------------------------
# Static files: collected (manage.py collectstatic) and served by each web process through WhiteNoise,
# with hashed names cached for a year; nginx in front may serve STATIC_ROOT directly as well.
MIDDLEWARE.insert(  # noqa: F405
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
# Collected files readable by every user (nginx's workers serve them), not FILE_UPLOAD_PERMISSIONS' 0640.
STORAGES["staticfiles"] = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
}
# Behind nginx (docs/deploy.md) every request comes from the proxy: the caller's address (login lockout
# per address, rate limits, audit records) is the one nginx adds to X-Forwarded-For, read only from
# these proxies' addresses (hall.security.events.client_ip).
TONGBAN_TRUSTED_PROXIES = env_list("TONGBAN_TRUSTED_PROXIES", "127.0.0.1,::1")  # noqa: F405
AXES_CLIENT_IP_CALLABLE = "hall.security.events.client_ip"
# Persistent database connections, checked before reuse (a restarted PostgreSQL costs no request).
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DJANGO_CONN_MAX_AGE", "600"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
# The shared cache (page caches, rate limits) is Redis when CACHE_URL is set (base.py); several web
# machines must set it, or each process keeps its own. With it, sessions are read from the cache and
# written through to the database (no session query per request; a restarted Redis loses none).
if os.environ.get("CACHE_URL"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Logs as JSON lines on stderr (gunicorn and Celery pass them on to the collector).
LOGGING["formatters"] = {"json": {"()": "hall.jsonlog.JsonFormatter"}}  # noqa: F405
for _handler in LOGGING["handlers"].values():  # noqa: F405
    _handler["formatter"] = "json"
# Celery workers and beat log through the same JSON lines (Celery would otherwise replace the root
# logger's handlers with its own plain-text format).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
