"""Settings shared by every environment. Values come from the environment (see
docs/configuration.md); dev/test/production modules only change defaults."""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from motcua.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = BASE_DIR / "motcua"
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-insecure-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "ninja",
    "motcua.core",
    "motcua.org",
    "motcua.accounts",
    "motcua.workdays",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.monitoring",
    "motcua.feedback",
    "motcua.payments",
    "motcua.notifications",
    "motcua.integrations",
    "motcua.privacy",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
]

MIDDLEWARE = [
    # /healthz and /readyz: answered first, no session, cookie, audit context or redirect.
    "motcua.core.health.ProbeMiddleware",
    "motcua.core.metrics.RequestLatencyMiddleware",
    "motcua.core.logs.RequestIdMiddleware",  # X-Request-ID in/out, on every log line
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication so the account's preferred language can apply.
    "motcua.core.middleware.VietnameseFirstLocaleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle / absolute session timeout; before the request context so an expired
    # session is never attributed to its user.
    "motcua.accounts.session_timeout.SessionTimeoutMiddleware",
    "motcua.core.middleware.RequestContextMiddleware",
    # The read log (law.md R32a): the officer reads a view noted, in one insert after it.
    "motcua.privacy.readlog.ReadLogMiddleware",
    # Database/storage outages: a clear "not done, try again" page (503), never a 500.
    "motcua.core.faults.InfrastructureFaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
                "motcua.backoffice.menu.backoffice_menu",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite (WAL) under var/ by default; PostgreSQL (production) via DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no var/ yet (it is git-ignored): create the database's folder.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the single writer work at once; IMMEDIATE transactions
        # take the write lock up front so concurrent writers queue instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Optional PostgreSQL streaming replica for monitoring reads (motcua.core.db_router).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
    )
    # Tests read the test database through the replica alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["motcua.core.db_router.MonitoringReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["motcua.accounts.backends.IdentifierBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "phone", "personal_id")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # OWASP ASVS 4.0 V2.1.1: at least 12 characters.
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"
# Staff must pass a TOTP second factor. Only the demo settings may waive it.
MOTCUA_STAFF_2FA_REQUIRED = env_bool("MOTCUA_STAFF_2FA_REQUIRED", True)
MOTCUA_LOGIN_MAX_FAILURES = env_int("MOTCUA_LOGIN_MAX_FAILURES", 5)
MOTCUA_LOGIN_LOCKOUT_MINUTES = env_int("MOTCUA_LOGIN_LOCKOUT_MINUTES", 15)
MOTCUA_LOGIN_MAX_FAILURES_PER_IP = env_int("MOTCUA_LOGIN_MAX_FAILURES_PER_IP", 20)  # 0 disables
MOTCUA_LOGIN_FAILURE_WINDOW_MINUTES = env_int("MOTCUA_LOGIN_FAILURE_WINDOW_MINUTES", 15)
MOTCUA_IDENTITY_PROVIDERS = env_list("MOTCUA_IDENTITY_PROVIDERS", [])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Motcua")
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Idle timeout (minutes without a request) and absolute lifetime of a login session,
# enforced by motcua.accounts.session_timeout.SessionTimeoutMiddleware (ASVS V3.3).
MOTCUA_SESSION_IDLE_MINUTES_STAFF = env_int("MOTCUA_SESSION_IDLE_MINUTES_STAFF", 30)
MOTCUA_SESSION_IDLE_MINUTES_CITIZEN = env_int("MOTCUA_SESSION_IDLE_MINUTES_CITIZEN", 60)
MOTCUA_SESSION_ABSOLUTE_HOURS = env_int("MOTCUA_SESSION_ABSOLUTE_HOURS", 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Personal data (docs/operations/backup.md) ------------------------------------
# Years a finished dossier is kept from its closing date before a deletion request may
# pseudonymise it; set it from the province's list of records and retention periods.
MOTCUA_DOSSIER_RETENTION_YEARS = env_int("MOTCUA_DOSSIER_RETENTION_YEARS", 10)

# --- Readings of open legal questions (docs/law.md §15) -------------------------
# Q2: the time restarts from zero after a complete supplement (the decrees) or the
# waiting time is subtracted (Decision 766): "restart" | "subtract".
MOTCUA_SUPPLEMENT_CLOCK_POLICY = env_str("MOTCUA_SUPPLEMENT_CLOCK_POLICY", "restart")
# Q4: calendar-day and month limits end at the reception's clock time on their last day
# ("same_time", the earlier moment) or at the close of that day ("end_of_day").
MOTCUA_CIVIL_LIMIT_END = env_str("MOTCUA_CIVIL_LIMIT_END", "same_time")
# Q1: Decree 118/2025 Art. 19(5) closes a dossier not completed "15 ngày" after the
# supplement notice: working days (the applicant has longer) or calendar days ("days").
MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND = env_str("MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND", "working_days")
if MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND not in ("working_days", "days"):
    raise ImproperlyConfigured(
        "MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND must be working_days or days, "
        f"not {MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND!r}"
    )

# law.md R12c: a supplement notice with no delivery evidence after this many hours goes
# to the receptionists of the receiving unit, who phone the applicant.
MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS = env_int("MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS", 24)

# law.md R28a (a province rule, not a legal time limit): working days after a weekly
# report is frozen during which a unit head may dispute a late dossier attributed to
# their unit.
MOTCUA_WEEKLY_DISPUTE_DAYS = env_int("MOTCUA_WEEKLY_DISPUTE_DAYS", 3)

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Web fonts: WOFF2 subsets of Be Vietnam Pro in static/fonts/ (scripts/subset_fonts.py);
# the full TrueType files of fontpkg-be-vietnam-pro are for the PDF renderer only.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MOTCUA_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Background jobs (django.tasks) ----------------------------------------
# "db" (default): django-tasks-db, worker `motcua db_worker`; "redis": django-tasks-redis.
TASKS_BACKEND = env_str("MOTCUA_TASKS_BACKEND", "db")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "redis":
    INSTALLED_APPS.append("django_tasks_redis")
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_redis.backends.RedisTaskBackend",
            "OPTIONS": {"REDIS_URL": REDIS_URL},
        }
    }
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Readiness (/readyz; docs/operations/observability.md) -------------------
# Not ready while the national-portal outbox is backed up beyond these thresholds.
MOTCUA_READYZ_OUTBOX_PENDING_MAX = env_int("MOTCUA_READYZ_OUTBOX_PENDING_MAX", 1000)
MOTCUA_READYZ_OUTBOX_OLDEST_MINUTES = env_int("MOTCUA_READYZ_OUTBOX_OLDEST_MINUTES", 120)
MOTCUA_READYZ_OUTBOX_DEAD_MAX = env_int("MOTCUA_READYZ_OUTBOX_DEAD_MAX", 100)
# /metrics: with a token, `Authorization: Bearer <token>`; without, direct loopback only.
MOTCUA_METRICS_TOKEN = env_str("MOTCUA_METRICS_TOKEN", "")

# --- E-mail (Django 6.1 MAILERS) ---------------------------------------------
EMAIL_BACKEND_PATH = env_str("MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": env_str("MOTCUA_EMAIL_HOST", "localhost"),
                "port": env_int("MOTCUA_EMAIL_PORT", 25),
                "username": env_str("MOTCUA_EMAIL_USER", ""),
                "password": env_str("MOTCUA_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("MOTCUA_EMAIL_USE_TLS", False),
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "motcua@localhost")

# --- Security headers (tightened further in production) ----------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Strict CSP: no inline script, nothing from the internet.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Documents and digital signatures (docs/documents.md) ----------------------------
# Where document bytes live: "local" (MEDIA_ROOT/documents) or "s3" (any S3-compatible
# object storage through django-storages: `pip install 'motcua[s3]'`). Files are never
# served from a public URL either way; downloads go through permission-checked views.
MOTCUA_DOCUMENTS_STORAGE = env_str("MOTCUA_DOCUMENTS_STORAGE", "local")
if MOTCUA_DOCUMENTS_STORAGE == "s3":
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MOTCUA_S3_BUCKET"),
            "endpoint_url": env_str("MOTCUA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MOTCUA_S3_REGION", "") or None,
            "access_key": env_str("MOTCUA_S3_ACCESS_KEY", ""),
            "secret_key": env_str("MOTCUA_S3_SECRET_KEY", ""),
            "location": env_str("MOTCUA_S3_PREFIX", "documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Behind nginx: after the permission check, hand the bytes of a local document to nginx
# with `X-Accel-Redirect: <this prefix><storage name>`; nginx serves them from an
# `internal` location aliased to MEDIA_ROOT/documents/ (deploy/nginx/motcua.conf).
# Empty (default): Django streams the file itself. Ignored for object storage.
MOTCUA_MEDIA_ACCEL_REDIRECT = env_str("MOTCUA_MEDIA_ACCEL_REDIRECT", "")
if MOTCUA_MEDIA_ACCEL_REDIRECT and not (
    MOTCUA_MEDIA_ACCEL_REDIRECT.startswith("/") and MOTCUA_MEDIA_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured(
        "MOTCUA_MEDIA_ACCEL_REDIRECT must be a path prefix such as /_documents/, "
        f"got {MOTCUA_MEDIA_ACCEL_REDIRECT!r}"
    )
MOTCUA_PUBLIC_BASE_URL = env_str("MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
MOTCUA_PKI_DIR = env_str("MOTCUA_PKI_DIR", str(VAR_DIR / "pki"))
MOTCUA_PKI_PASSPHRASE = env_str("MOTCUA_PKI_PASSPHRASE", "motcua-demo")
MOTCUA_PKI_CRL_URL = env_str(
    "MOTCUA_PKI_CRL_URL", f"{MOTCUA_PUBLIC_BASE_URL}/xac-minh/pki/demo-root.crl"
)
MOTCUA_TSA_URL = env_str("MOTCUA_TSA_URL", "")
MOTCUA_TSA_USER = env_str("MOTCUA_TSA_USER", "")
MOTCUA_TSA_PASSWORD = env_str("MOTCUA_TSA_PASSWORD", "")
MOTCUA_TRUST_STORE_DIR = env_str("MOTCUA_TRUST_STORE_DIR", "")
MOTCUA_CRL_DIR = env_str("MOTCUA_CRL_DIR", "")
MOTCUA_PKCS11_PIN = env_str("MOTCUA_PKCS11_PIN", "")
MOTCUA_REMOTE_SIGNER_FACTORY = env_str("MOTCUA_REMOTE_SIGNER_FACTORY", "")
MOTCUA_VIRUS_SCANNER = env_str("MOTCUA_VIRUS_SCANNER", "")  # "" | "clamav" | dotted path
MOTCUA_CLAMAV_SOCKET = env_str("MOTCUA_CLAMAV_SOCKET", "/var/run/clamav/clamd.ctl")
MOTCUA_CLAMAV_HOST = env_str("MOTCUA_CLAMAV_HOST", "")
MOTCUA_CLAMAV_PORT = env_int("MOTCUA_CLAMAV_PORT", 3310)
MOTCUA_OCR_ENABLED = env_bool("MOTCUA_OCR_ENABLED", True)

# --- Payments (docs/payments.md) ---------------------------------------------------
MOTCUA_PAYMENT_PROVIDERS = env_list(
    "MOTCUA_PAYMENT_PROVIDERS", ["sandbox_gateway", "vietqr", "cash"]
)
MOTCUA_PAYGATE_SECRET = env_str(
    "MOTCUA_PAYGATE_SECRET", "motcua-demo-paygate-secret-not-for-production"
)
MOTCUA_PAYGATE_TMN_CODE = env_str("MOTCUA_PAYGATE_TMN_CODE", "MOTCUA01")
MOTCUA_PAYGATE_URL = env_str("MOTCUA_PAYGATE_URL", "")
MOTCUA_PAYGATE_TTL_MINUTES = env_int("MOTCUA_PAYGATE_TTL_MINUTES", 15)
MOTCUA_VIETQR_BANK_BIN = env_str("MOTCUA_VIETQR_BANK_BIN", "970415")
MOTCUA_VIETQR_ACCOUNT = env_str("MOTCUA_VIETQR_ACCOUNT", "113366668888")
MOTCUA_VIETQR_ACCOUNT_NAME = env_str("MOTCUA_VIETQR_ACCOUNT_NAME", "KHO BAC NHA NUOC")
MOTCUA_VIETQR_WEBHOOK_SECRET = env_str("MOTCUA_VIETQR_WEBHOOK_SECRET", "")
MOTCUA_RECEIPT_TEMPLATE = env_str("MOTCUA_RECEIPT_TEMPLATE", "01BLP0-001")
MOTCUA_RECEIPT_SYMBOL_SUFFIX = env_str("MOTCUA_RECEIPT_SYMBOL_SUFFIX", "AA")

# --- National systems and notifications (docs/integrations.md, docs/notifications.md) --
MOTCUA_SITE_URL = env_str("MOTCUA_SITE_URL", "http://127.0.0.1:8000")
MOTCUA_DVCQG_URL = env_str("MOTCUA_DVCQG_URL", "")  # empty + sandboxes: in-process sandbox
MOTCUA_DVCQG_TOKEN = env_str("MOTCUA_DVCQG_TOKEN", "sandbox-token")
MOTCUA_DVCQG_TIMEOUT = env_int("MOTCUA_DVCQG_TIMEOUT", 15)
MOTCUA_DVCQG_MAX_ATTEMPTS = env_int("MOTCUA_DVCQG_MAX_ATTEMPTS", 10)
MOTCUA_DVCQG_BACKOFF_BASE_SECONDS = env_int("MOTCUA_DVCQG_BACKOFF_BASE_SECONDS", 30)
MOTCUA_DVCQG_BACKOFF_MAX_SECONDS = env_int("MOTCUA_DVCQG_BACKOFF_MAX_SECONDS", 3600)
MOTCUA_DVCQG_RELAY_GRACE_SECONDS = env_int("MOTCUA_DVCQG_RELAY_GRACE_SECONDS", 300)
MOTCUA_DVCQG_AUTO_SYNC = env_bool("MOTCUA_DVCQG_AUTO_SYNC", False)
# Dossiers filed on the national portal (Decree 118/2025 Art. 15, 17(2); docs/integrations.md
# §1b): the secret both sides sign them with (HMAC-SHA256), and the pull job.
MOTCUA_DVCQG_INBOUND_SECRET = env_str("MOTCUA_DVCQG_INBOUND_SECRET", "sandbox-inbound-secret")
MOTCUA_DVCQG_INBOUND_PULL = env_bool("MOTCUA_DVCQG_INBOUND_PULL", True)
# Rule sets under which the portal's own e-form submission is switched off (docs/portal.md).
MOTCUA_PORTAL_SUBMISSION_OFF = env_list("MOTCUA_PORTAL_SUBMISSION_OFF", [])
MOTCUA_VNEID_ISSUER = env_str("MOTCUA_VNEID_ISSUER", "")  # empty + sandboxes: local provider
MOTCUA_VNEID_CLIENT_ID = env_str("MOTCUA_VNEID_CLIENT_ID", "motcua")
MOTCUA_VNEID_CLIENT_SECRET = env_str("MOTCUA_VNEID_CLIENT_SECRET", "motcua-sandbox-secret")
MOTCUA_SMS_GATEWAY = env_str("MOTCUA_SMS_GATEWAY", "")  # empty: sandbox if sandboxes, else HTTP
MOTCUA_SMS_URL = env_str("MOTCUA_SMS_URL", "")
MOTCUA_SMS_TOKEN = env_str("MOTCUA_SMS_TOKEN", "")
# The provider posts delivery reports to /thong-bao/bao-cao-sms/ with this bearer token
# (empty: the endpoint answers 404). law.md R12c.
MOTCUA_SMS_REPORT_TOKEN = env_str("MOTCUA_SMS_REPORT_TOKEN", "")
# Sandbox gateway: the handset's delivery report comes this many seconds after the send;
# numbers listed as unreachable never report (to try the escalation).
MOTCUA_SMS_SANDBOX_REPORT_SECONDS = env_int("MOTCUA_SMS_SANDBOX_REPORT_SECONDS", 30)
MOTCUA_SMS_SANDBOX_UNREACHABLE = env_list("MOTCUA_SMS_SANDBOX_UNREACHABLE", [])
MOTCUA_NOTIFY_MAX_ATTEMPTS = env_int("MOTCUA_NOTIFY_MAX_ATTEMPTS", 5)
MOTCUA_REMIND_BEFORE_HOURS = env_int("MOTCUA_REMIND_BEFORE_HOURS", 24)
MOTCUA_WEBHOOK_MAX_ATTEMPTS = env_int("MOTCUA_WEBHOOK_MAX_ATTEMPTS", 8)
# REST API rate limits (motcua/api/ratelimit.py): calls per window per API client or
# user, and per IP for anonymous calls; 0 disables.
MOTCUA_API_RATE_LIMIT = env_int("MOTCUA_API_RATE_LIMIT", 600)
MOTCUA_API_RATE_LIMIT_ANON = env_int("MOTCUA_API_RATE_LIMIT_ANON", 120)
MOTCUA_API_RATE_WINDOW_SECONDS = env_int("MOTCUA_API_RATE_WINDOW_SECONDS", 60)
MOTCUA_API_RATE_CACHE = env_str("MOTCUA_API_RATE_CACHE", "default")

# --- Sandboxes of external systems --------------------------------------------
# Faithful local stand-ins for systems we cannot reach (national portal DVCQG, VNeID
# identity provider). On in dev/test/demo; production refuses them.
MOTCUA_SANDBOXES = env_bool("MOTCUA_SANDBOXES", False)
SANDBOX_APPS = ["motcua.sandbox_portal", "motcua.sandbox_idp"]

# --- Site -------------------------------------------------------------------
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Motcua")
MOTCUA_PROVINCE_NAME = env_str("MOTCUA_PROVINCE_NAME", "Tỉnh Quảng Nam")
MOTCUA_DEMO = env_bool("MOTCUA_DEMO", False)
# The sandbox bank page is served only in demo mode (dev settings) unless forced.
MOTCUA_PAYGATE_SANDBOX = env_bool("MOTCUA_PAYGATE_SANDBOX", MOTCUA_DEMO)

# "text": plain message lines; "json": one JSON object a line with request and task ids
# (motcua.core.logs, docs/operations/observability.md).
MOTCUA_LOG_FORMAT = env_str("MOTCUA_LOG_FORMAT", "text")
if MOTCUA_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"MOTCUA_LOG_FORMAT must be text or json, got {MOTCUA_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "motcua.core.logs.ContextFilter"}},
    "formatters": {"json": {"()": "motcua.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            **({"formatter": "json"} if MOTCUA_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's default config gives "django" its own console handler (DEBUG) on top of
    # propagation to the root: every "django.*" line (the task worker's) came out twice.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# Optional error reports to a Sentry-compatible service (motcua.core.error_reporting:
# nothing personal is sent). Needs `pip install 'motcua[sentry]'`.
MOTCUA_SENTRY_DSN = env_str("MOTCUA_SENTRY_DSN", "")
if MOTCUA_SENTRY_DSN:
    from motcua.core.error_reporting import error_reporting_init

    error_reporting_init(
        MOTCUA_SENTRY_DSN,
        environment=env_str("MOTCUA_SENTRY_ENVIRONMENT", "production"),
        release=env_str("MOTCUA_RELEASE", ""),
        traces_sample_rate=env_int("MOTCUA_SENTRY_TRACES_PERCENT", 0) / 100,
    )
