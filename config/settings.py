"""Settings for the compliance engine, read from the environment (see README: Configuration)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
# Local state (SQLite files, broker folders, uploads) lives here; a fresh clone has none yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# DEBUG defaults on so a fresh checkout runs; production sets DEBUG=0 and must then give a key.
DEBUG = envbool("DEBUG", "1")
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

# Where the public pages are reached from outside (letters and webhooks point there).
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # The admin's own templates overridden (transition buttons, sign-in refusal): first.
    "backoffice",
    "backoffice.site.RegulatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_fsm",
    "registry",
    "notices",
    "compliance",
    "fingerprints",
    "transparency",
    "agencies",
    "assessments",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ApiRequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
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

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'compliance.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write at once: IMMEDIATE transactions and WAL avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", "60")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A sweep cut off from the server mid-batch leaves its backend holding the batch's locks
    # (the decision chain head among them) until the server notices the client is gone: with
    # these server-side keepalives about a minute, instead of the kernel's two hours.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (
        options.get("options", "")
        + " -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3"
    ).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Indonesian and English (Django's i18n; our catalogue in locale/, compiled in the repo). The
# API, e-mail fall-backs and untagged requests use English; staff pages default to Indonesian
# (config/middleware.py).
LANGUAGE_CODE = "en"
STAFF_LANGUAGE_CODE = os.environ.get("STAFF_LANGUAGE_CODE", "id")
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One pattern for times on every page, with the zone's name (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
# Stored in UTC; shown in the regulator's zone.
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Security: everything `check --deploy` asks for, on whenever DEBUG is off.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else envint("SECURE_HSTS_SECONDS", "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Admin sign-in: failures allowed per account and per address in a window (login_limits.py).
LOGIN_FAILURES_PER_ACCOUNT = envint("LOGIN_FAILURES_PER_ACCOUNT", "5")
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", "20")
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", "900")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The decision record's seal (compliance/kernel/keys.py): a secret outside the database.
# Development machines get a key file under var/ on first use; production must provide one.
DECISION_KEY = os.environ.get("DECISION_KEY", "")
DECISION_KEY_FILE = os.environ.get(
    "DECISION_KEY_FILE", str(VAR_DIR / "decision.key") if DEBUG else ""
)
DECISION_KEY_FILE_CREATE = DEBUG and "DECISION_KEY_FILE" not in os.environ
if not DEBUG and not (DECISION_KEY or DECISION_KEY_FILE):
    raise ImproperlyConfigured("DECISION_KEY or DECISION_KEY_FILE must be set when DEBUG is off")
# Public keys (base64) of earlier signing keys, still trusted when verifying old checkpoints.
DECISION_TRUSTED_KEYS = envlist("DECISION_TRUSTED_KEYS", "")
# Every checkpoint is also appended here, outside the database: a copy that someone who can
# rewrite the database cannot rewrite with it (point it at storage the DBAs cannot write).
DECISION_CHECKPOINT_LOG = os.environ.get(
    "DECISION_CHECKPOINT_LOG", str(VAR_DIR / "checkpoints.jsonl")
)

# Webhooks (compliance/delivery/): public addresses only.
WEBHOOK_ALLOWED_PORTS = [int(p) for p in envlist("WEBHOOK_ALLOWED_PORTS", "443,8443")]
# Networks reachable although not public: a test receiver's; empty in production.
WEBHOOK_ALLOWED_NETWORKS = envlist("WEBHOOK_ALLOWED_NETWORKS", "")
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", "10")  # per attempt, all in
WEBHOOK_CONCURRENCY = envint("WEBHOOK_CONCURRENCY", "8")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # filebased backend
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "enforcement@regulator.example")

# Official letters (PDF): the letterhead, the signatory of letters the engine issues under
# standing authority (sanction letters are signed by the supervisor who approved them), and
# Debian's DejaVu fonts (fonts-dejavu-core).
REGULATOR_NAME = os.environ.get(
    "REGULATOR_NAME", "Kementerian Komunikasi dan Digital Republik Indonesia"
)
REGULATOR_ADDRESS = os.environ.get(
    "REGULATOR_ADDRESS", "Jalan Medan Merdeka Barat No. 9, Jakarta 10110"
)
REGULATOR_CITY = os.environ.get("REGULATOR_CITY", "Jakarta")
LETTER_SIGNATORY = os.environ.get("LETTER_SIGNATORY", "Direktur Pengendalian Ruang Digital")
LETTER_SIGNATORY_TITLE = os.environ.get("LETTER_SIGNATORY_TITLE", "a.n. Menteri")
LETTER_FONT_DIR = os.environ.get("LETTER_FONT_DIR", "/usr/share/fonts/truetype/dejavu")

# Celery: a broker that needs no server by default; Redis or RabbitMQ in production.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: in and out must be the same folder, all paths absolute.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# API throttling counts in the cache: per process by default; set CACHE_URL (redis://...) so all
# web workers share one count in production.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "portal.schema.PortalAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["portal.auth.IsPlatform"],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.auth.BurstThrottle",
        "portal.auth.SustainedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "burst": os.environ.get("API_THROTTLE_BURST", "120/min"),
        "sustained": os.environ.get("API_THROTTLE_SUSTAINED", "5000/hour"),
    },
    "DEFAULT_RENDERER_CLASSES": ["portal.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["portal.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "portal.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# JSON bodies up to 1 MiB (500 item reports fit); evidence uploads are files, limited apart
# while they stream in (portal/parsers.py), never spooled whole first.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("API_MAX_BODY_BYTES", str(1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_HANDLERS = [
    "portal.parsers.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SPECTACULAR_SETTINGS = {
    "TITLE": "Platform compliance portal API",
    "DESCRIPTION": (
        "Removal orders served on your platform: read them, acknowledge, report what you did per "
        "item, object, pay fines, request normalization, receive signed webhooks. Authenticate "
        "with `Authorization: Bearer <api key>`. Errors are application/problem+json (RFC 9457); "
        "POSTs accept an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "LICENSE": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Our <id:...> path converter (portal/urls.py): an integer that fits the database.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999},
        "reference": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,32}$"},
    },
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.schema.postprocess",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "notices.models.OrderStatus",
        "ItemStatusEnum": "notices.models.ItemStatus",
        "RegistrationStatusEnum": "registry.models.RegistrationStatus",
        "FineStatusEnum": "compliance.sanctions.models.FineStatus",
        "ObjectionStatusEnum": "notices.models.Objection.Status",
        "DataRequestKindEnum": "agencies.models.DataRequest.Kind",
        "DataRequestStatusEnum": "agencies.models.DataRequest.Status",
        "DesignationKindEnum": "registry.models.DesignationKind",
        "DesignationBasisEnum": "registry.models.PlatformDesignation.Basis",
        "TurnoverScopeEnum": "portal.standing.SCOPES",
        "RiskAreaEnum": "assessments.models.RiskArea",
        "SeverityEnum": "assessments.models.Severity",
        "RiskAssessmentStatusEnum": "assessments.models.RiskAssessment.Status",
        "MeasureStatusEnum": "assessments.models.MitigationMeasure.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # FAISS reports at start which CPU build it tried and could not find: not news.
    "loggers": {"faiss.loader": {"level": "WARNING"}},
}

# Removal orders.
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(25 * 1024 * 1024))
# A platform's answer to a data-access request: its files together at most this many bytes
# (and so each file, and a request's court order).
DATA_ANSWER_MAX_BYTES = envint("DATA_ANSWER_MAX_BYTES", str(50 * 1024 * 1024))
ORDER_IMPORT_MAX_ITEMS = envint("ORDER_IMPORT_MAX_ITEMS", "5000")

# Fingerprints and hash lists.
# Pillow refuses images decoding to more pixels (a decompression bomb is a small file that
# decodes to a huge bitmap); 40 megapixels covers any camera's photo.
IMAGE_MAX_PIXELS = envint("IMAGE_MAX_PIXELS", str(40_000_000))
HASH_IMPORT_MAX_ROWS = envint("HASH_IMPORT_MAX_ROWS", "1000000")
# Hashes one matching call may carry (a video's frames count one each).
HASH_MATCH_MAX = 1000
# How stale a serving process's index may be before a call brings it up to date (seconds).
HASH_INDEX_SYNC_SECONDS = float(os.environ.get("HASH_INDEX_SYNC_SECONDS", "1"))
# An entry with this many false-positive reports, or matched this many times in a day, is
# quarantined (not matched) until an officer reviews it.
HASH_FALSE_POSITIVES_TO_QUARANTINE = envint("HASH_FALSE_POSITIVES_TO_QUARANTINE", "3")
HASH_MATCHES_PER_DAY_TO_QUARANTINE = envint("HASH_MATCHES_PER_DAY_TO_QUARANTINE", "10000")
