"""Base settings: everything comes from environment variables with defaults that run out of the box.

`DATABASE_URL` switches SQLite for PostgreSQL; `CELERY_BROKER_URL` switches kombu's filesystem
transport for Redis. See docs/settings.md for the full list.
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The public base URL printed into QR codes on notices and guides.
SITE_URL = os.environ.get("TONGBAN_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "hall",
    "items",
    "cases",
    "delivery",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hall.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hall.security.middleware.CSPMiddleware",  # django-csp's, the policy built once
    "django_htmx.middleware.HtmxMiddleware",
    # Axes goes last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hall.urls"
WSGI_APPLICATION = "hall.wsgi.application"

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
                "hall.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes (web, worker, beat) share the file: wait instead of failing on a lock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "hall.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hall.auth_backends.MobileOrIdNumberBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "hall.password_validation.PersonalDataSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "home"

# Login lockout (django-axes) for 30 minutes: five failures on one account, whichever identifier was
# typed (the failures are recorded under the account, hall.auth_backends.lockout_key), from any address;
# and every login from an address that failed thirty times on any accounts (a hall's shared address
# serves many citizens, hence the higher number).
TONGBAN_LOGIN_FAILURE_LIMIT = int(os.environ.get("TONGBAN_LOGIN_FAILURE_LIMIT", "5"))
TONGBAN_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("TONGBAN_LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_FAILURE_LIMIT = "hall.auth_backends.login_failure_limit"
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "hall.auth_backends.lockout_key"
# axes.W006 asks for ip_address among the lockout parameters: the per-address count is kept by
# hall.auth_backends.login_failure_limit (with its own, higher limit), so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hall.views.auth.lockout"
AXES_ENABLED = env_bool("TONGBAN_AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("TONGBAN_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded materials: the largest file accepted, in bytes.
TONGBAN_MAX_UPLOAD_BYTES = int(os.environ.get("TONGBAN_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy: everything is served from our own origin; no inline script.
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
        if not os.environ.get("CACHE_URL")
        else "hall.cache.ForgivingRedisCache",  # an outage is a miss, not a 500 (hall/cache.py)
        "LOCATION": os.environ.get("CACHE_URL", "tongban"),
    }
}

# Celery: Redis when CELERY_BROKER_URL is set, else kombu's filesystem transport under var/.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = VAR_DIR / "broker"
    # kombu's filesystem transport fails on a missing folder: make them before anything publishes.
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat (one process only), every periodic task in one place; intervals in seconds. The SLA scan reads
# the next_due index (instant cases count minutes); the notice sweeper queues again what the broker did
# not take (at once) and what a dead worker or a lost task left behind; the floor closes its day and
# reminds tomorrow's bookings; electronic results count as delivered once read, certificates expire;
# finished services get rating invitations and the ratings scan keeps the rectification clocks; scans
# held for abandoned counter forms are deleted. All are idempotent.
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": int(os.environ.get(variable, default))}
    for name, task, variable, default in [
        ("sla-scan", "cases.tasks.sla_scan", "TONGBAN_SLA_SCAN_SECONDS", "300"),
        ("notice-sweep", "hall.tasks.notice_sweep", "TONGBAN_NOTICE_SWEEP_SECONDS", "15"),
        ("floor-day-close", "hall.floor.tasks.floor_day_close", "TONGBAN_FLOOR_CLOSE_SECONDS", "300"),
        ("booking-remind", "hall.floor.tasks.booking_remind", "TONGBAN_BOOKING_REMIND_SECONDS", "1800"),
        (
            "electronic-delivery-scan",
            "delivery.tasks.electronic_delivery_scan",
            "TONGBAN_ELECTRONIC_DELIVERY_SCAN_SECONDS",
            "60",
        ),
        (
            "certificate-states-refresh",
            "delivery.tasks.certificate_states_refresh",
            "TONGBAN_CERTIFICATE_REFRESH_SECONDS",
            "3600",
        ),
        ("ratings-collect", "evaluation.tasks.services_collect", "TONGBAN_RATINGS_COLLECT_SECONDS", "60"),
        ("ratings-scan", "evaluation.tasks.ratings_scan", "TONGBAN_RATINGS_SCAN_SECONDS", "300"),
        ("counter-scans-purge", "cases.tasks.counter_scans_purge", "TONGBAN_COUNTER_SCANS_PURGE_SECONDS", "3600"),
    ]
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@tongban.example")

VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Clock and notices (docs/clock.md; beat intervals in CELERY_BEAT_SCHEDULE above) -----------
if os.environ.get("TONGBAN_CELERY_VISIBILITY_TIMEOUT") and not CELERY_BROKER_URL.startswith("filesystem"):
    # Redis redelivers a message unacknowledged this long (a worker killed mid-task): tests shorten it.
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = int(os.environ["TONGBAN_CELERY_VISIBILITY_TIMEOUT"])
# SMS: a dotted path to a class with send(*, mobile, text, idempotency_key) that hands the key to the
# gateway (hall/notice_backends.py); the default writes to the log.
TONGBAN_SMS_BACKEND = os.environ.get("TONGBAN_SMS_BACKEND", "hall.notice_backends.LogSmsBackend")
# The file of hall.notice_backends.FileSmsGateway (a de-duplicating stand-in gateway for demos and benches).
TONGBAN_SMS_FILE = os.environ.get("TONGBAN_SMS_FILE", str(VAR_DIR / "sms.log"))
# Handing a notice to the broker gives up after this many seconds (broker down: the request does not
# wait; the notice is marked and the next sweep queues it).
TONGBAN_NOTICE_ENQUEUE_TIMEOUT = float(os.environ.get("TONGBAN_NOTICE_ENQUEUE_TIMEOUT", "0.1"))
# First retry of a failed notice channel after this many seconds, doubling each time.
TONGBAN_NOTICE_RETRY_SECONDS = int(os.environ.get("TONGBAN_NOTICE_RETRY_SECONDS", "30"))
# A claimed notice not sent after this many seconds belongs to a dead worker, a pending one lost its
# task: the sweeper resends it (a notice the broker did not take is resent at the next sweep).
TONGBAN_NOTICE_STUCK_SECONDS = int(os.environ.get("TONGBAN_NOTICE_STUCK_SECONDS", "300"))
# Instant cases (即办件) are due by this time on the day they are accepted.
TONGBAN_HALL_CLOSING_TIME = os.environ.get("TONGBAN_HALL_CLOSING_TIME", "17:30")

# --- Security (docs/security.md) -----------------------------------------------------------------
# Personal data keys (hall/crypto.py): TONGBAN_DATA_KEYS (JSON) or this key file, never the database.
# Development and tests create var/keys/data-keys.json on first use; production refuses to start without.
TONGBAN_DATA_KEY_FILE = os.environ.get("TONGBAN_DATA_KEY_FILE", "")
TONGBAN_CRYPTO_DEV_KEYS = env_bool("TONGBAN_CRYPTO_DEV_KEYS", True)

# --- Hall floor: appointments, tickets, calling (hall/floor/) -----------------------------------
# Moves the hall floor's clock by this many seconds (demos and browser tests play "tomorrow").
TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS = int(os.environ.get("TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS", "0"))
# Seconds the calling screen's fragment is cached (it is dropped at once after every call).
TONGBAN_FLOOR_BOARD_CACHE_SECONDS = 1
# Reminders of tomorrow's bookings go out from this local time on (nobody is texted at night).
TONGBAN_BOOKING_REMIND_FROM = os.environ.get("TONGBAN_BOOKING_REMIND_FROM", "09:00")

# --- Ratings (evaluation/, 好差评) ---------------------------------------------------------------
# The rating window in calendar days after the service; unrated by then counts as 未评价.
TONGBAN_RATING_WINDOW_DAYS = int(os.environ.get("TONGBAN_RATING_WINDOW_DAYS", "15"))
# Per hall code, e.g. {"JC": 7} (JSON in TONGBAN_RATING_WINDOW_DAYS_BY_HALL).
TONGBAN_RATING_WINDOW_DAYS_BY_HALL = json.loads(os.environ.get("TONGBAN_RATING_WINDOW_DAYS_BY_HALL", "{}"))
# A bad rating is fixed (or explained) within this many working days (seed 004: 5).
TONGBAN_RECTIFICATION_DAYS = int(os.environ.get("TONGBAN_RECTIFICATION_DAYS", "5"))
# A named bad rating is called back within this many working days.
TONGBAN_RATING_CALLBACK_DAYS = int(os.environ.get("TONGBAN_RATING_CALLBACK_DAYS", "1"))
# The window tablet shows a service finished at its window during the last this many minutes.
TONGBAN_TABLET_RECENT_MINUTES = int(os.environ.get("TONGBAN_TABLET_RECENT_MINUTES", "30"))

# --- Typed input bounds ---------------------------------------------------------------------------
# A supplement (补正) deadline may be set at most this many calendar days ahead (the hall sets it).
# A deferral (容缺) deadline is bounded by the promised completion date; this only stops far typos.
TONGBAN_SUPPLEMENT_MAX_DAYS = int(os.environ.get("TONGBAN_SUPPLEMENT_MAX_DAYS", "60"))
TONGBAN_DEFERRAL_MAX_DAYS = int(os.environ.get("TONGBAN_DEFERRAL_MAX_DAYS", "366"))

# --- Cross-county hand-off (全市通办) -------------------------------------------------------------
# Working days: the receiving hall forwards within FORWARD_DAYS of receipt (and the owner confirms the
# electronic file within as many); paper originals and the result sent back are due within these.
TONGBAN_HANDOFF_FORWARD_DAYS = int(os.environ.get("TONGBAN_HANDOFF_FORWARD_DAYS", "1"))
TONGBAN_HANDOFF_PAPER_DAYS = int(os.environ.get("TONGBAN_HANDOFF_PAPER_DAYS", "3"))
TONGBAN_HANDOFF_RESULT_DAYS = int(os.environ.get("TONGBAN_HANDOFF_RESULT_DAYS", "3"))

# Second factor (django-otp TOTP + recovery codes) for every staff and admin account; citizens may opt in.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "hall.security.middleware.CachedOTPMiddleware",  # django-otp's, with the device from the shared cache
)
# After the messages middleware: an ended session says why on the login page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "hall.security.middleware.SecurityMiddleware",
)
# Audited reads: every successful staff read of a page holding a citizen's personal data is recorded.
MIDDLEWARE.append("cases.audit_reads.AccessRecordMiddleware")
OTP_TOTP_ISSUER = "通办"
# Tests only (tests/conftest.py): sessions made by the test client's force_login count as having passed
# the second factor. Production refuses to start with it on.
TONGBAN_OTP_TEST_SESSIONS = False
# Demo only: the TOTP secret every demo staff account gets from `manage.py seed_demo` (README). Empty = none.
TONGBAN_DEMO_TOTP_SECRET = os.environ.get("TONGBAN_DEMO_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
# Staff sessions: idle limit and maximum lifetime.
TONGBAN_STAFF_IDLE_MINUTES = int(os.environ.get("TONGBAN_STAFF_IDLE_MINUTES", "30"))
TONGBAN_STAFF_SESSION_MAX_HOURS = int(os.environ.get("TONGBAN_STAFF_SESSION_MAX_HOURS", "12"))
# A burst of refused accesses by one account notifies the supervisors.
TONGBAN_SECURITY_BURST_COUNT = int(os.environ.get("TONGBAN_SECURITY_BURST_COUNT", "20"))
TONGBAN_SECURITY_BURST_MINUTES = int(os.environ.get("TONGBAN_SECURITY_BURST_MINUTES", "10"))
# Security events as JSON lines on their own logger (one line per event, for the log collector).
LOGGING["loggers"]["tongban.security"] = {"level": "INFO", "handlers": ["console"], "propagate": False}
