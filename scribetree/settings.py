"""Scribe Tree settings: one module, every value from the environment.

See scribetree/env.py for the readers. `python3 dev.py run` sets DATABASE_URL
to its embedded PostgreSQL; without it and without the embedded database's
marker file, start-up stops with a message saying what to do.
"""

import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from scribetree.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("SCRIBETREE_DATA_DIR", str(BASE_DIR / ".data")))

DEBUG = env_bool("DEBUG", False)
# Under pytest (pytest-django loads settings before any conftest can set the environment).
TESTING = env_bool("SCRIBETREE_TESTING", "pytest" in sys.modules)
SECRET_KEY = env_secret("SECRET_KEY", "insecure-dev-key-change-me" if (DEBUG or TESTING) else None)

# Institutions are reached by their own host names (northside.localhost, write.northside.edu);
# the tenant middleware refuses unknown hosts, so "*" here is safe only together with it.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])
PLATFORM_DOMAIN = env_str("PLATFORM_DOMAIN", "localhost")
# Hosts that serve the platform operators' site (public schema) rather than an institution.
PLATFORM_HOSTS = env_list("PLATFORM_HOSTS", [PLATFORM_DOMAIN, "127.0.0.1"])
DIRECTORY_CHECK_SECONDS = env_int("DIRECTORY_CHECK_SECONDS", 1)
# Demo/dev institutions get <slug>.<INSTITUTION_DOMAIN_SUFFIX> when no domain is given.
INSTITUTION_DOMAIN_SUFFIX = env_str("INSTITUTION_DOMAIN_SUFFIX", "localhost")

# --- Applications -----------------------------------------------------------------------------
# Apps listed in both lists get one set of tables in `public` (platform operators) and one in each
# institution's schema (that institution's people). Accounts therefore live in the institution's
# schema: a Northside account does not exist at Riverside (django-tenants #286).
_BOTH = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "scribetree.apps.ScribeAdminConfig",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "auditlog",
    # Single sign-on (integrations/sso): each schema keeps its own social accounts; the apps
    # themselves are built per institution by integrations.sso.adapter, never from settings.
    "allauth.socialaccount",
]
SHARED_APPS = [
    "django_tenants",
    "tenants",
    *_BOTH,
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # No models: its template filters, which allauth's session and security-key lists load.
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    # allauth's sign-in providers (no models); configured per institution in integrations/sso.
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
]
TENANT_APPS = [
    *_BOTH,
    "coursework",
    "privacy",
    # One app per integration, each with its own models and migrations (docs/architecture.md).
    "integrations.sso",
    "integrations.scim",
    "integrations.oneroster",
    "integrations.lti",
    # Writing support (issue 7): two apps beside coursework, which stays the core (docs/architecture.md).
    "assist",
    "integrity",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Institution"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
ROOT_URLCONF = "scribetree.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "scribetree.urls_public"
# Provisioning clones this migrated template schema (see tenants/provisioning.py for why).
TENANT_BASE_SCHEMA = "institution_template"
# How a new institution's schema is built (tenants/provisioning.py): "replay" the template's DDL
# (ours), or django-tenants' "clone" (clone_schema of TENANT_BASE_SCHEMA) or "migrate". With 1,000
# institutions present bench/provisioning.py measured replay ~0.2 s, migrate ~1.7 s, clone ~3 s.
PROVISIONING_METHOD = env_str("PROVISIONING_METHOD", "replay")
if PROVISIONING_METHOD not in {"replay", "clone", "migrate"}:
    raise ImproperlyConfigured("PROVISIONING_METHOD must be 'replay', 'clone' or 'migrate'.")
# Set search_path once per connection and tenant instead of before every query. django-tenants
# 4.0.1 resets it after ROLLBACK and ROLLBACK TO SAVEPOINT (#1262); tests/tenants/test_search_path.py
# pins that, nested schema_context and Celery.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.InstitutionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "integrations.sso.middleware.SsoEndpointsMiddleware",
    "accounts.middleware.RequireStaffTwoFactorMiddleware",
    "privacy.middleware.PrivacyNoticeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "scribetree.audit.AuditContextMiddleware",
]

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
                "tenants.context_processors.institution",
            ],
        },
    },
]
WSGI_APPLICATION = "scribetree.wsgi.application"

# --- Database ---------------------------------------------------------------------------------
_EMBEDDED_URL_FILE = DATA_DIR / "embedded-db-url"


def _database_url() -> str:
    url = env_str("DATABASE_URL", "")
    if url:
        return url
    if _EMBEDDED_URL_FILE.exists():
        return _EMBEDDED_URL_FILE.read_text().strip()
    raise ImproperlyConfigured(
        "DATABASE_URL is not set and no embedded PostgreSQL is running. "
        "Start the platform with `python3 dev.py run` (it starts one), or set DATABASE_URL."
    )


DATABASES = {"default": dj_database_url.parse(_database_url(), conn_max_age=0)}
DATABASES["default"]["ENGINE"] = "scribetree.postgresql"  # django-tenants', health check when idle
# Connections are recycled: one connection that visits many schemas keeps their catalog entries
# in memory (~97 MB for 1,000 schemas). Django's in-process psycopg pool (never PgBouncer in
# transaction mode: it mixes tenants' search_path) is on when DATABASE_POOL=true.
if env_bool("DATABASE_POOL", False):
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": env_int("DATABASE_POOL_SIZE", 8)}}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: keys carry the schema name, so Northside never reads Riverside's entries ----------
_redis_cache = env_str("CACHE_URL", "")
CACHES = {
    "default": {
        "BACKEND": "scribetree.cache.ScribeRedisCache"
        if _redis_cache
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": _redis_cache or "scribetree",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Platform-wide values only (the host directory's generation): plain keys, no schema prefix.
    "platform": {
        "BACKEND": "scribetree.cache.ScribeRedisCache"
        if _redis_cache
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": _redis_cache or "scribetree-platform",
        "KEY_PREFIX": "platform",
    },
}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, keeping signed-in people in the shared cache
    "accounts.backends.CachedModelBackend",
    "accounts.backends.CachedAllauthBackend",
]
# Only with a cache every process shares (Redis); a per-process cache could not be told of changes.
AUTH_USER_CACHE_SECONDS = env_int("AUTH_USER_CACHE_SECONDS", 300) if _redis_cache else 0
# Argon2 tuned to ~60 ms per check on the 2-core target (PBKDF2's default costs ~850 ms there);
# bench/login_storm.py measures it. Old hashes are upgraded on the next login.
PASSWORD_HASHERS = [
    "accounts.hashers.ScribeArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # institutions vouch for their people's addresses
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None  # the "remember me" box decides
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Per source (IP) limits are high and per account ("key": the address typed, or the SSO account)
# strict: a whole school signs in from one NAT address at the morning bell, so a per-IP limit
# sized for one person locks out everyone (allauth's default "login" is 30/m/ip). Cache keys carry
# the schema, so one school's traffic never counts against another's. Figures and reasoning in
# docs/integrations.md ("Rate limits").
ACCOUNT_RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "600/m/ip"),
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "60/m/ip,5/5m/key"),
    "sso": env_str("RATE_LIMIT_SSO", "600/m/ip"),
    "sso_account": env_str("RATE_LIMIT_SSO_ACCOUNT", "10/m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Scribe Tree"
USERSESSIONS_TRACK_ACTIVITY = False
# A school day: a session survives from first bell to the end of after-school clubs.
# With a shared cache (Redis), sessions are read from it and written through to the database: one
# query less on every request (bench/profile_request.py). Never with the per-process memory cache:
# a session ended in one process (logout, deactivation) would live on in the others' caches.
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if _redis_cache
                  else "django.contrib.sessions.backends.db")
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
# Host-only cookies (no Domain attribute): a Northside cookie is never sent to Riverside, and the
# session row lives in Northside's schema anyway.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Celery (through tenant-schemas-celery: every task runs in the schema it was sent from) ---
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "processed_folder": str(DATA_DIR / "broker-processed"),
        "store_processed": False,
        # Exchange bindings; kombu's default is "control" relative to the working directory.
        "control_folder": str(DATA_DIR / "broker-control"),
        # How long the worker sleeps when it finds nothing it may take. With prefetch 1 that is also
        # after each batch of `concurrency` tasks, so kombu's 1 s drained the demo seed's integrity
        # checks at 2 a second (~2 minutes); at 0.1 s an idle worker lists the folder 10 times a second.
        "polling_interval": 0.1,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    # The server-less broker of `dev.py run`: web, worker and beat share these folders.
    for _folder in ("broker", "broker-processed"):
        (DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
# Tests run queued work inline (the way captureOnCommitCallbacks(execute=True) expects).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TENANT_CACHE_SECONDS = 30
CELERY_BEAT_SCHEDULE = {
    "expire-stale-sessions": {
        "task": "accounts.tasks.dispatch_clear_expired_sessions",
        "schedule": 60 * 60,
    },
    "refresh-saml-metadata": {
        "task": "integrations.sso.tasks.dispatch_refresh_saml_metadata",
        "schedule": 24 * 60 * 60,
    },
    # Nightly retention: one dispatcher, one task per institution (privacy/retention.py).
    "privacy-retention": {
        "task": "privacy.tasks.dispatch_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # LMS rosters (NRPS) and lost grade-passback retries, once a day per institution.
    "lti-nightly": {
        "task": "integrations.lti.tasks.dispatch_lti_nightly",
        "schedule": 24 * 60 * 60,
    },
}

# --- Internationalisation, static and media ---------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Files are stored under the institution's schema name: MEDIA_ROOT/<schema>/...
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "scribetree.staticfiles.StaticFilesStorage"  # whitenoise's, URLs remembered
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Scribe Tree <no-reply@scribetree.invalid>")

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {"TITLE": "Scribe Tree API", "VERSION": "0.1.0"}

# --- Security (production values unless DEBUG) ------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG and not TESTING
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging: never personal data or secrets at INFO --------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Integrations (each on/off; later issues fill them) ---------------------------------------
SCRIBETREE_SAML_ENABLED = env_bool("SCRIBETREE_SAML_ENABLED", True)
SCRIBETREE_OIDC_ENABLED = env_bool("SCRIBETREE_OIDC_ENABLED", True)
SCRIBETREE_SCIM_ENABLED = env_bool("SCRIBETREE_SCIM_ENABLED", True)
SCRIBETREE_LTI_ENABLED = env_bool("SCRIBETREE_LTI_ENABLED", True)

# --- Provisioning: SCIM and OneRoster (docs/provisioning.md) ---------------------------------
# Per-institution throttles (scribetree/api_throttling.py): "<requests>/<second|minute|hour|day>".
# Entra's provisioning service sends bursts of a few hundred requests and honours Retry-After.
SCRIBETREE_THROTTLE_RATES = {
    "api": env_str("API_THROTTLE_RATE", "600/minute"),
    "api_institution": env_str("API_INSTITUTION_THROTTLE_RATE", "6000/minute"),
    "scim": env_str("SCIM_THROTTLE_RATE", "1200/minute"),
    "scim_auth_failures": env_str("SCIM_AUTH_FAILURE_RATE", "30/minute"),
}
for _scope, _rate in SCRIBETREE_THROTTLE_RATES.items():
    _count, _, _period = _rate.partition("/")
    if not _count.isdigit() or _period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"The {_scope} throttle rate must look like '600/minute', not {_rate!r}.")
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "scribetree.api_throttling.ApiUserThrottle",
    "scribetree.api_throttling.ApiInstitutionThrottle",
]
SCRIBETREE_ONEROSTER_ENABLED = env_bool("SCRIBETREE_ONEROSTER_ENABLED", True)
# Largest OneRoster zip an admin may upload (a 5,000-student school's export is ~2 MB).
ONEROSTER_MAX_UPLOAD_BYTES = env_int("ONEROSTER_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# --- Single sign-on (integrations/sso; docs/integrations.md) ----------------------------------
SOCIALACCOUNT_ADAPTER = "integrations.sso.adapter.SocialAccountAdapter"
# allauth's documented way to swap a provider class: ours adds the SAML checks python3-saml and
# allauth leave out (integrations/sso/saml.py).
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "integrations.sso.saml.InstitutionSAMLProvider"}}
# Link an SSO sign-in to the existing account with the same verified address.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 5
# Old SECRET_KEYs still accepted while rotating (signed cookies, and the sealed OIDC client
# secrets of integrations/sso/secrets.py). Comma-separated.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# Rate limits count the client's address; behind a TLS proxy that is the X-Forwarded-For hop.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if env_bool("BEHIND_PROXY", False) else 0
# Encrypts the LTI tool's private keys at rest (integrations/lti/keys.py); defaults to SECRET_KEY.
LTI_KEY_SECRET = env_secret("LTI_KEY_SECRET", SECRET_KEY)
# Each LTI login initiation stores a state row; a whole school arrives from one NAT address at the bell.
LTI_LOGINS_PER_MINUTE_PER_ADDRESS = env_int("LTI_LOGINS_PER_MINUTE_PER_ADDRESS", 600)

# Writing assistant (assist/sealing.py): seals institutions' provider API keys; defaults to a key
# derived from SECRET_KEY.
ASSIST_SEALING_KEY = env_secret("ASSIST_SEALING_KEY", "")
# An institution admin sets the provider's URL: refuse loopback and private addresses (SSRF into our
# own network) unless this deployment says its schools run their own servers there.
ASSIST_ALLOW_PRIVATE_PROVIDERS = env_bool("ASSIST_ALLOW_PRIVATE_PROVIDERS", DEBUG or TESTING)
