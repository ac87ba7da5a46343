"""Settings, read from environment variables (12-factor).

The embedded default (no variables set) is for `make run` and tests: SQLite, local-memory cache, Celery
eager. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0; with DEBUG off the
process refuses to start on the development secret key or without ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - refused when DEBUG is off


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "DEBUG is off: set SECRET_KEY to a random value of at least 32 characters."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS (comma-separated host names).")
elif not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "captcha",
    "axes",
    "opendvc.core",
    "opendvc.catalog",
    "opendvc.accounts",
    "opendvc.identity",
    "opendvc.notifications",
    "opendvc.dossiers",
    "opendvc.payments",
    "opendvc.feedback",
    "opendvc.scorecard",
    "opendvc.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opendvc.accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "opendvc.core.middleware.SecurityHeadersMiddleware",
    "opendvc.core.middleware.ApiErrorEnvelopeMiddleware",
    "opendvc.portal.middleware.VisitCounterMiddleware",
]

ROOT_URLCONF = "opendvc.urls"
WSGI_APPLICATION = "opendvc.wsgi.application"

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
                "opendvc.portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'opendvc.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "opendvc",
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "opendvc"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", not (REDIS_URL or "CELERY_BROKER_URL" in os.environ)
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULE = {
    "purge-access-history": {
        "task": "opendvc.accounts.tasks.purge_access_history_task",
        "schedule": 24 * 3600,
    },
    "purge-expired-flows": {"task": "opendvc.accounts.tasks.purge_expired_flows_task", "schedule": 3600},
    "fail-stale-messages": {"task": "opendvc.notifications.tasks.fail_stale_messages_task", "schedule": 600},
    "remind-due-dossiers": {"task": "opendvc.dossiers.tasks.remind_due_dossiers_task", "schedule": 3600},
    "expire-drafts": {"task": "opendvc.dossiers.tasks.expire_drafts_task", "schedule": 24 * 3600},
    "reconcile-payments": {"task": "opendvc.payments.tasks.reconcile_payments_task", "schedule": 300},
    "flush-visit-counts": {"task": "opendvc.portal.tasks.flush_visits_task", "schedule": 60},
    "daily-payment-reports": {
        "task": "opendvc.payments.tasks.daily_reports_task",
        "schedule": crontab(hour=1, minute=30),
    },
}

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "opendvc.accounts.backends.AccountBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"

# The portal's password rule (seed 000 §I: 8+ characters with lower and upper case, a digit and a special
# character), plus: no ID number or phone inside, not a common password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "opendvc.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "opendvc.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "opendvc.accounts.passwords.NoPersonalNumbersValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["full_name", "email"]},
    },
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "opendvc_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = PROJECT_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", PROJECT_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not env_bool("TESTING", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("TESTING", False)

# Security defaults: safe unless explicitly relaxed for local development over plain HTTP.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF at INFO: only its warnings are worth a line.
    "loggers": {"django.server": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Personal data at rest (core.personal_data): Fernet keys, newest first, and the lookup-hash key.
DEV_PERSONAL_DATA_KEY = "ZGV2LW9ubHktcGVyc29uYWwtZGF0YS1rZXktMDAwMCE="
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS") or [DEV_PERSONAL_DATA_KEY]
PERSONAL_DATA_HASH_KEY = os.environ.get("PERSONAL_DATA_HASH_KEY", "dev-only-lookup-hash-key")
_DEV_PERSONAL_DATA = (
    DEV_PERSONAL_DATA_KEY in PERSONAL_DATA_KEYS or PERSONAL_DATA_HASH_KEY == "dev-only-lookup-hash-key"
)
PRODUCTION = not DEBUG and not env_bool("TESTING", False)
if PRODUCTION and (_DEV_PERSONAL_DATA or len(PERSONAL_DATA_HASH_KEY) < 32):
    raise ImproperlyConfigured(
        "DEBUG is off: set PERSONAL_DATA_KEYS (Fernet keys) and PERSONAL_DATA_HASH_KEY (32+ random "
        "characters); see docs/operations.md."
    )
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_TLS_PROXY", False) else "0")
)


def _registry(port: str, env_prefix: str, reference: str, http: str) -> dict:
    """The HTTP adapter when <PREFIX>_URL is set (production), else the local reference adapter."""
    url = os.environ.get(f"{env_prefix}_URL", "")
    if url:
        return {
            "class": http,
            "base_url": url,
            "api_key": os.environ.get(f"{env_prefix}_API_KEY", ""),
            "timeout": float(os.environ.get(f"{env_prefix}_TIMEOUT", "5")),
            "retries": int(os.environ.get(f"{env_prefix}_RETRIES", "2")),
        }
    return {"class": reference, "latency": float(os.environ.get("REFERENCE_REGISTRY_LATENCY", "0"))}


_REG = "opendvc.identity.registries"
IDENTITY_ADAPTERS = {
    "population": _registry(
        "population",
        "POPULATION_REGISTRY",
        f"{_REG}.reference.ReferencePopulationRegistry",
        f"{_REG}.http.HttpPopulationRegistry",
    ),
    "carrier": _registry(
        "carrier",
        "CARRIER_REGISTRY",
        f"{_REG}.reference.ReferenceCarrierRegistry",
        f"{_REG}.http.HttpCarrierRegistry",
    ),
    "social_insurance": _registry(
        "social_insurance",
        "SOCIAL_INSURANCE_REGISTRY",
        f"{_REG}.reference.ReferenceSocialInsuranceRegistry",
        f"{_REG}.http.HttpSocialInsuranceRegistry",
    ),
    "mobile_signature": _registry(
        "mobile_signature",
        "MOBILE_SIGNATURE",
        "opendvc.identity.mobile_signature.ReferenceMobileSignatureService",
        "opendvc.identity.mobile_signature.HttpMobileSignatureService",
    ),
}
# The reference mobile-signature service approves every request at once (tests) instead of waiting for a
# developer to approve it on /dev/ky-so-sim/.
MOBILE_SIGNATURE_AUTO_APPROVE = env_bool("MOBILE_SIGNATURE_AUTO_APPROVE", False)

# PKI (identity.pki): trusted roots (PEM files), CRLs (files or URLs), and what "could not check
# revocation" means: "refuse" (default) or "allow" (accept, recorded as not checked).
PKI_TRUST_ROOTS = env_list("PKI_TRUST_ROOTS")
PKI_CRLS = env_list("PKI_CRLS")
PKI_REVOCATION_UNKNOWN = os.environ.get("PKI_REVOCATION_UNKNOWN", "refuse")
PKI_INTERMEDIATE_CERTIFICATES = env_list("PKI_INTERMEDIATE_CERTIFICATES")
PKI_CRL_FETCH_TIMEOUT = float(os.environ.get("PKI_CRL_FETCH_TIMEOUT", "5"))
PKI_CRL_CACHE_SECONDS = int(os.environ.get("PKI_CRL_CACHE_SECONDS", "3600"))
PKI_CRL_MAX_BYTES = int(os.environ.get("PKI_CRL_MAX_BYTES", str(50 * 1024 * 1024)))
MOBILE_SIGNATURE_REQUEST_LIFETIME = 120
PKI_CHALLENGE_LIFETIME = 300
# The development test CA and the token plug-in stand-in (/dev/token-plugin/): never in production.
PKI_TEST_CA_ENABLED = env_bool("PKI_TEST_CA_ENABLED", DEBUG or env_bool("TESTING", False))
PKI_TEST_CA_DIR = Path(os.environ.get("PKI_TEST_CA_DIR", PROJECT_DIR / "var" / "test-pki"))
# Where the page's script finds the signing plug-in (the vendor's local service in production).
TOKEN_PLUGIN_URL = os.environ.get("TOKEN_PLUGIN_URL", "/dev/token-plugin/")

# SMS and e-mail (notifications): the embedded default records messages in the outbox table.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_BACKEND = (
    "opendvc.notifications.backends.HttpSmsGatewayBackend"
    if SMS_GATEWAY_URL
    else "opendvc.notifications.backends.OutboxSmsBackend"
)
SMS_GATEWAY_API_KEY = os.environ.get("SMS_GATEWAY_API_KEY", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5"))
SMS_SENDER_NAME = os.environ.get("SMS_SENDER_NAME", "DVCQG")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "opendvc.notifications.backends.OutboxEmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cổng Dịch vụ công <no-reply@dichvucong.local>")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# One-time codes (accounts.otp): 6 digits, 5 minutes, single use, 5 wrong tries, 60 s between sends, and
# caps per phone, per account and per IP address.
OTP_LIFETIME = 300
OTP_MAX_ATTEMPTS = 5
OTP_RESEND_COOLDOWN = 60
OTP_LIMITS = {
    "phone": ["5/h", "10/d"],
    "account": ["5/h", "10/d"],
    "ip": ["30/h", "100/d"],
}
# Sign-in attempts per IP address (the per-account lockout is django-axes below), registrations started
# (each asks the registries) and certificate challenges issued.
LOGIN_LIMITS_PER_IP = ["30/h", "200/d"]
REGISTRATION_LIMITS_PER_IP = ["20/h", "60/d"]
REGISTRATION_LIMITS_PER_ID = ["5/h", "10/d"]
CHALLENGE_LIMITS_PER_IP = ["60/h", "300/d"]
AUTH_FLOW_LIFETIME = 900

# Lockout (django-axes): 5 wrong passwords for one ID lock it for 30 minutes, whoever tries; the
# username axes records is the ID's keyed hash, never the number. "Quên mật khẩu" unlocks.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "opendvc.accounts.lockout.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["id_number", "username", "phone", "captcha_0", "captcha_1", "new_password"]
AXES_CLIENT_IP_CALLABLE = "opendvc.core.request_info.client_ip"
# Lockout is handled by our views and API (a clear message with the time it ends), not axes' middleware.
# Per-IP lockout is left out on purpose (W006): mobile carriers put thousands of people behind one IP;
# sign-in attempts per IP are rate-limited instead (LOGIN_LIMITS_PER_IP).
# models.W040: the scorecard's covering indexes (PostgreSQL) are plain indexes on SQLite, as intended.
SILENCED_SYSTEM_CHECKS = ["axes.W002", "axes.W006", "models.W040"]

# Sessions: a new id at every sign-in; 30 minutes idle, 12 hours at most (accounts.middleware).
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_NAME = "opendvc_session"
CSRF_COOKIE_NAME = "opendvc_csrf"

# Captcha (django-simple-captcha, images made here): 5 characters, valid 5 minutes.
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 5
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 34
CAPTCHA_LETTER_ROTATION = (-25, 25)
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_TEST_MODE = False

# Payments (opendvc.payments). Providers by code; an agency's MerchantAccount names one. VNPAY 2.1.0 in
# production (or its sandbox); the local gateway simulator (/dev/cong-thanh-toan/) speaks the same protocol
# on a developer's machine and in tests. Amounts are whole đồng.
_PAYMENT_CLASS = "opendvc.payments.providers.VnpayProvider"
PAYMENT_PROVIDERS = {
    "vnpay": {
        "class": _PAYMENT_CLASS,
        "label": "VNPAY",
        "payment_url": os.environ.get("VNPAY_PAYMENT_URL", "https://pay.vnpay.vn/vpcpay.html"),
        "api_url": os.environ.get(
            "VNPAY_API_URL", "https://merchant.vnpay.vn/merchant_webapi/api/transaction"
        ),
        "timeout": float(os.environ.get("VNPAY_TIMEOUT", "10")),
    },
    "vnpay_sandbox": {
        "class": _PAYMENT_CLASS,
        "label": "VNPAY (sandbox)",
        "payment_url": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        "api_url": "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        "timeout": 10.0,
    },
}
PAYMENT_SIMULATOR_ENABLED = env_bool(
    "PAYMENT_SIMULATOR_ENABLED",
    DEBUG or env_bool("TESTING", False) or env_bool("ALLOW_REFERENCE_ADAPTERS", False),
)
if PAYMENT_SIMULATOR_ENABLED:
    INSTALLED_APPS.append("opendvc.payments.simulator")
    PAYMENT_PROVIDERS["simulator"] = {
        "class": _PAYMENT_CLASS,
        "label": "Cổng thanh toán mô phỏng",
        # Paths on this portal (PORTAL_BASE_URL for server-to-server calls).
        "payment_url": "/dev/cong-thanh-toan/paymentv2/vpcpay.html",
        "api_url": "/dev/cong-thanh-toan/merchant_webapi/api/transaction",
        "timeout": 5.0,
    }
# The simulator's IPN: attempts after the first, seconds after the previous one (VNPAY retries for hours).
PAYMENT_SIMULATOR_RETRY_DELAYS = [
    int(x) for x in env_list("PAYMENT_SIMULATOR_RETRY_DELAYS", "10,30,60,300,900")
]
PAYMENT_SIMULATOR_LATENCY = float(os.environ.get("PAYMENT_SIMULATOR_LATENCY", "0"))
PAYMENT_ORDER_LIFETIME = int(os.environ.get("PAYMENT_ORDER_LIFETIME", "900"))  # vnp_ExpireDate: 15 minutes
PAYMENT_RECONCILE_AFTER = int(os.environ.get("PAYMENT_RECONCILE_AFTER", "300"))
PAYMENT_EXPIRY_GRACE = int(os.environ.get("PAYMENT_EXPIRY_GRACE", "900"))
PAYMENT_SERVER_IP = os.environ.get("PAYMENT_SERVER_IP", "127.0.0.1")  # vnp_IpAddr of our querydr calls
# Gateways' addresses allowed to send IPNs (empty: any; the signature is checked either way).
PAYMENT_IPN_ALLOWED_IPS = env_list("PAYMENT_IPN_ALLOWED_IPS")
PAYMENT_START_LIMITS = env_list("PAYMENT_START_LIMITS", "10/h,30/d")
# Gateway addresses of merchant accounts with their own payment_url (the providers' are allowed already):
# the content security policy lets the payment form lead there.
PAYMENT_FORM_ORIGINS = env_list("PAYMENT_FORM_ORIGINS")

# Feedback and petitions (opendvc.feedback): deadlines in working days at the agency holding a feedback
# (domain.md, *(check)*): receive/refuse/forward, ask for more information, answer, publish after approval.
FEEDBACK_DEADLINES = {
    "decide": int(os.environ.get("FEEDBACK_DECIDE_DAYS", "2")),
    "info": int(os.environ.get("FEEDBACK_INFO_DAYS", "5")),
    "answer": int(os.environ.get("FEEDBACK_ANSWER_DAYS", "15")),
    "publish": int(os.environ.get("FEEDBACK_PUBLISH_DAYS", "2")),
}
FEEDBACK_SUBMIT_LIMITS_PER_IP = env_list("FEEDBACK_SUBMIT_LIMITS_PER_IP", "5/h,20/d")
FEEDBACK_VOTE_LIMITS_PER_IP = env_list("FEEDBACK_VOTE_LIMITS_PER_IP", "60/h")

# Scorecard (opendvc.scorecard): scores are cached per counter version, so a change shows at once. Under
# heavy traffic every change would throw the cache away: SCORECARD_MAX_STALENESS lets a page serve scores
# up to that many seconds old while the counters move (0: always the latest).
SCORECARD_MAX_STALENESS = int(os.environ.get("SCORECARD_MAX_STALENESS", "0"))
SCORECARD_CACHE_SECONDS = int(os.environ.get("SCORECARD_CACHE_SECONDS", "900"))

# The portal's pages (opendvc.portal): comments and poll votes per IP address.
PORTAL_COMMENT_LIMITS_PER_IP = env_list("PORTAL_COMMENT_LIMITS_PER_IP", "5/h,20/d")
PORTAL_VOTE_LIMITS_PER_IP = env_list("PORTAL_VOTE_LIMITS_PER_IP", "30/h")

# With DEBUG off, refuse what only a developer's machine may run: the test CA (its stand-in plug-in signs
# as the demo people) and, unless a public demo says so (ALLOW_REFERENCE_ADAPTERS=1), the reference
# registries with invented people and the outbox that delivers no message.
if PRODUCTION and PKI_TEST_CA_ENABLED:
    raise ImproperlyConfigured("DEBUG is off: PKI_TEST_CA_ENABLED must not be set in production.")
if PRODUCTION and TOKEN_PLUGIN_URL.startswith("/dev/"):
    raise ImproperlyConfigured("DEBUG is off: set TOKEN_PLUGIN_URL to the USB-token plug-in's address.")
_REFERENCE_PARTS = [port for port, config in IDENTITY_ADAPTERS.items() if ".reference." in config["class"]]
_REFERENCE_PARTS += [
    name for name, backend in (("SMS", SMS_BACKEND), ("e-mail", EMAIL_BACKEND)) if "Outbox" in backend
]
if PAYMENT_SIMULATOR_ENABLED:
    _REFERENCE_PARTS.append("payment gateway simulator")
if PRODUCTION and _REFERENCE_PARTS and not env_bool("ALLOW_REFERENCE_ADAPTERS", False):
    raise ImproperlyConfigured(
        "DEBUG is off but these use local stand-ins: " + ", ".join(_REFERENCE_PARTS) + ". Set their "
        "*_URL, SMS_GATEWAY_URL and EMAIL_HOST (docs/operations.md), or ALLOW_REFERENCE_ADAPTERS=1 for a "
        "public demo."
    )

# Catalogue search: how many candidates the database returns for re-ranking (see catalog/search).
SEARCH_CANDIDATES = int(os.environ.get("SEARCH_CANDIDATES", "60"))
SEARCH_MAX_QUERY_LENGTH = 200

# Dossiers (issue 4). Working days: Vietnamese public holidays from the `holidays` package plus the days an
# admin enters (core.CalendarDay). A dossier received after the cutoff counts from the next working day
# (domain.md, *(check)*); hour-based processing times run inside the working window.
HOLIDAY_COUNTRY = os.environ.get("HOLIDAY_COUNTRY", "VN")
DOSSIER_CUTOFF_HOUR = os.environ.get("DOSSIER_CUTOFF_HOUR", "15:00")
WORKDAY_START = os.environ.get("WORKDAY_START", "08:00")
WORKDAY_END = os.environ.get("WORKDAY_END", "17:00")
DRAFT_LIFETIME_DAYS = int(os.environ.get("DRAFT_LIFETIME_DAYS", "30"))
DOSSIER_MAX_FILE_BYTES = int(os.environ.get("DOSSIER_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
DOSSIER_MAX_TOTAL_BYTES = int(os.environ.get("DOSSIER_MAX_TOTAL_BYTES", str(50 * 1024 * 1024)))
DOSSIER_REMINDER_WORKING_DAYS = int(os.environ.get("DOSSIER_REMINDER_WORKING_DAYS", "1"))
# Uploads: local files by default; S3-compatible object storage in production (django-storages, `.[s3]`).
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True  # never public: files are served through the permission-checking view
# The agency's seal on electronic results (PAdES, dossiers/signing): the test CA's per-agency seals on a
# developer's machine (refused in production with the test CA); PKCS #12 files per agency in production.
DOSSIER_SEAL_PROVIDER = os.environ.get("DOSSIER_SEAL_PROVIDER", "opendvc.dossiers.signing.seals.TestCaSeals")
DOSSIER_SEAL_DIR = os.environ.get("DOSSIER_SEAL_DIR", "")
DOSSIER_SEAL_TSA_URL = os.environ.get("DOSSIER_SEAL_TSA_URL", "")
DOSSIER_VERIFY_LIMITS_PER_IP = env_list("DOSSIER_VERIFY_LIMITS_PER_IP", "20/h")
