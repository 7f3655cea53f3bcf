"""Django settings, read from the environment (12-factor, django-environ).

Defaults give the zero-setup demo: SQLite, eager Celery, the embedded routing engine.
Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis) and the secrets.
"""
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from maas.config import env_choice, env_networks, env_rates, env_secret

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_secret(env, "SECRET_KEY", DEBUG, "demo-only-insecure-secret-key-change-me-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

ROUTING_ENGINES = ("embedded", "r5py")
ROUTING_ENGINE = env_choice(env, "ROUTING_ENGINE", ROUTING_ENGINES, "embedded")
# Where per-feed-version routing networks are saved (embedded engine).
NETWORK_DIR = Path(env.str("NETWORK_DIR", default=str(BASE_DIR / "var" / "networks")))
# Normalized copies of imported GTFS feed versions and OSM networks.
GTFS_FEED_DIR = Path(env.str("GTFS_FEED_DIR", default=str(BASE_DIR / "var" / "feeds")))
OSM_DIR = Path(env.str("OSM_DIR", default=str(BASE_DIR / "var" / "osm")))
# r5py engine: a configured, checksummed R5 jar; run in a separate worker process.
R5_JAR = env.str("R5_JAR", default="")
R5_JAR_SHA256 = env.str("R5_JAR_SHA256", default="")
R5_MAX_MEMORY = env.str("R5_MAX_MEMORY", default="4G")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "maas.accounts",
    "maas.web",
    "maas.bookings",
    "maas.parking",
    "planner",
    "planner.realtime",
    "providers",
    "billing",
    "maas.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maas.accounts.language.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "maas.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maas" / "templates"],
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
WSGI_APPLICATION = "maas.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Production keeps connections open (a new PostgreSQL connection per request halves throughput) and checks
# them before reuse; the demo/development server opens one per request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0 if DEBUG else 60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("DB_CONN_HEALTH_CHECKS", default=True))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores SELECT ... FOR UPDATE: take the write lock at BEGIN so allocations stay serialized.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fi", _("Finnish")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "maas" / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Front-end libraries copied from node_modules by the install step (scripts/env.sh ensure_web_assets).
VENDOR_DIR = BASE_DIR / "var" / "vendor"
STATICFILES_DIRS = [("vendor", VENDOR_DIR)] if VENDOR_DIR.is_dir() else []

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "maas.accounts.auth.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "maas.api.schema.ErrorEnvelopeAutoSchema",
    "DEFAULT_PARSER_CLASSES": ["maas.api.parsers.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "EXCEPTION_HANDLER": "maas.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["maas.api.throttling.ApiThrottle"],
    # Client IP for throttling: the address that reached the outermost of TRUSTED_PROXY_COUNT proxies
    # (0: REMOTE_ADDR; a client's own X-Forwarded-For is never trusted).
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
}
# HTTPS in production: with DEBUG off the defaults pass `manage.py check --deploy`; each is settable.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes may come over plain HTTP from inside
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Behind TRUSTED_PROXY_COUNT reverse proxies (TLS ends there): trust their X-Forwarded-Proto (and, if
# USE_X_FORWARDED_HOST, X-Forwarded-Host); never a client's own.
if env.int("TRUSTED_PROXY_COUNT", default=0) > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)

# Throttle rates per scope (maas.api.throttling.DEFAULT_RATES), e.g. API_THROTTLE_RATES=login_account=5/hour
API_THROTTLE_RATES = env_rates(env, "API_THROTTLE_RATES",
                               ("anon", "user", "login_ip", "login_account", "signup_ip", "refresh_ip"))

# A cache shared by every process (throttle counters): CACHE_URL, else the Redis broker, else files (demo).
_broker = env.str("CELERY_BROKER_URL", default="")
_cache = _broker if _broker.startswith(("redis://", "rediss://")) else f"filecache://{BASE_DIR / 'var' / 'cache'}"
CACHES = {"default": env.cache("CACHE_URL", default=_cache)}
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="maas"))
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    # A refresh token is good for one use: refreshing returns a new one and blacklists the old.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Tokens carry a hash of the password: changing it invalidates every access token at once.
    "CHECK_REVOKE_TOKEN": True,
}
AUTHENTICATION_BACKENDS = ["maas.accounts.auth.CaseInsensitiveModelBackend"]
# GDPR: location data in booking logs (and plan history) is kept at most this many days, and only with consent.
LOCATION_RETENTION_DAYS = env.int("LOCATION_RETENTION_DAYS", default=90)
SPECTACULAR_SETTINGS = {
    "TITLE": "Kalasatama MaaS API",
    "DESCRIPTION": "Trip planning, pricing, bookings, billing and parking for Kalasatama residents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The contract is JSON: request bodies are documented as application/json only (clients generated from it
    # send JSON; the form parsers stay for the browsable API and admin-like tools).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # One enum per choice set, named here (else drf-spectacular warns about a naming collision): language
    # codes (requests) and the resident profile's (with names), GeoJSON types, travel modes, leg and request modes.
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": ["fi", "sv", "en"],
                            "ResidentLanguageEnum": "maas.accounts.models.Resident.LANGUAGES",
                            "WalkingSpeedEnum": "maas.accounts.models.Resident.WALKING_SPEEDS",
                            "GeoJsonFeatureCollectionTypeEnum": ["FeatureCollection"],
                            "GeoJsonLineStringTypeEnum": ["LineString"],
                            "TravelModeEnum": ["bike", "car", "city_bike", "scooter", "transit", "walk"],
                            "LegModeEnum": "maas.bookings.serializers.LEG_MODE_CHOICES",  # plan legs and booked legs
                            "ModesEnum": "planner.api_shapes.REQUEST_MODES",
                            "AccessibilityModeEnum": ["transit", "walk"]},
}

# Celery: no broker configured -> tasks run eagerly in-process (demo).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or "cache+memory://")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis broker through maas.broker (survives a Redis restart while tasks are unacknowledged).
CELERY_BROKER_TRANSPORT = "maas.broker:Transport" if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else None
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # keep reconnecting for as long as the broker is away
CELERY_BEAT_SCHEDULER = "maas.beat:FixedRateScheduler"  # interval tasks at a fixed rate (no drift)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Stripe: the demo and tests point STRIPE_API_BASE at localstripe on loopback.
STRIPE_API_KEY = env_secret(env, "STRIPE_API_KEY", DEBUG, "sk_test_demo_localstripe")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="" if not DEBUG else "http://127.0.0.1:8420")
STRIPE_WEBHOOK_SECRET = env_secret(env, "STRIPE_WEBHOOK_SECRET", DEBUG, "whsec_demo_localstripe")

# Email: the demo (DEBUG) prints mail to the console; production sends through SMTP (EMAIL_HOST etc.).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend" if DEBUG
                        else "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@kalasatama-maas.example.org")

# Optional tuning: each module keeps its own default (read with getattr); the environment may override.
_TUNING = {
    int: ["BOOKING_AUTH_BUFFER_PERCENT", "BOOKING_CANCEL_FEE_CENTS", "BOOKING_FREE_CANCEL_SECONDS",
          "BOOKING_HOLD_SECONDS", "BOOKING_IDEMPOTENCY_WAIT_SECONDS", "BOOKING_IDEMPOTENCY_STALE_SECONDS",
          "API_JSON_MAX_DEPTH", "BOOKING_MAX_PROVIDER_ATTEMPTS", "GTFS_IMPORT_CHUNK_ROWS", "GTFS_KEEP_VERSIONS",
          "GTFS_REFRESH_MAX_BYTES", "PARKING_MAX_DAYS_AHEAD", "PARKING_LIIPI_MAX_BYTES", "PARKING_UTILIZATION_STALE_S",
          "PLAN_CROW_FLY_MAX_M",
          "PROVIDERS_FEED_MAX_BYTES", "PROVIDERS_KEEP_SNAPSHOTS", "PROVIDERS_MAX_RADIUS_M",
          "PROVIDERS_MIN_SYNC_INTERVAL_S", "PROVIDERS_PUSH_MAX_BYTES", "PROVIDERS_PUSH_MAX_ITEMS",
          "PROVIDERS_STALE_AFTER_S", "REALTIME_MAX_AGE_S"],
    float: ["PARKING_LIIPI_TIMEOUT_S", "BOOKING_PROVIDER_TIMEOUT_S", "GTFS_REFRESH_TIMEOUT_S",
            "PROVIDERS_FEED_TIMEOUT_S", "ROUTING_FEED_RECHECK_S"],
    bool: ["PARKING_ASYNC_COMMIT"],
    str: ["REALTIME_REDIS_URL", "REALTIME_DIR"],
}
for _type, _names in _TUNING.items():
    for _name in _names:
        if _name in env.ENVIRON:
            globals()[_name] = env.get_value(_name, cast=_type)
# Outbound URLs (provider feeds/APIs) may reach non-public addresses only inside these CIDR networks.
OUTBOUND_ALLOWED_NETWORKS = env_networks(env, "OUTBOUND_ALLOWED_NETWORKS")
PARKING_ALLOCATOR = env_choice(env, "PARKING_ALLOCATOR", ("sql", "orm"), "sql")
# Liipi-compatible park-and-ride API pulled on a schedule (e.g. https://p.hsl.fi/api/v1/); empty = off.
PARKING_LIIPI_URL = env.str("PARKING_LIIPI_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
