"""One settings file, filled from the environment. See README.md, "Configuration"."""

import datetime
import os
import sys
import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DEBUG", default=False)
# pytest imports settings before any conftest can set a variable, so look for it directly.
TESTING = env.bool("KREM_TESTING", default="pytest" in sys.modules)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-or-tests"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "crispy_forms",
    "django_filters",
    "template_partials",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    # Bottom to top: the shared library, the apps in their layers (each imports only those above it here),
    # then the site.
    "kremlib.apps.KremlibConfig",
    "projects",
    "participants",
    "dialogues",
    "notices",
    "krem.apps.KremConfig",
    "axes",
    "django_prometheus",
]

MIDDLEWARE = [
    # First: every request gets its id (kremlib/requestid.py) and is counted and timed, even one refused below.
    "kremlib.requestid.middleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, so static files (served and answered by whitenoise) keep their long cache headers.
    "krem.middleware.no_store_personal_pages",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Not Django's LocaleMiddleware: the UI is Norwegian whatever the browser's Accept-Language says (README).
    "krem.middleware.norwegian_first",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After the message middleware: it says why the user was logged out.
    "krem.middleware.session_timeouts",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Counts the response on its way out; above django-axes, which must stay last.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes requires: it turns a lockout into the page account_locked.html.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "krem.urls"
WSGI_APPLICATION = "krem.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].update(
    ATOMIC_REQUESTS=True,  # a request that fails half-way leaves nothing half-written
    CONN_MAX_AGE=env.int("CONN_MAX_AGE", default=60),
    CONN_HEALTH_CHECKS=True,  # a connection that died with the database server is replaced, not reused
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A runaway query ends with an error instead of holding a worker and its locks.
    statement_timeout = env.int("DB_STATEMENT_TIMEOUT_MS", default=30000)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={statement_timeout}"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite admits one writer at a time. A transaction that read first and then wants to write cannot wait for
    # the lock (SQLite answers "database is locked" at once, a 500), so every transaction asks for the write lock
    # when it begins (IMMEDIATE) and waits for it up to `timeout` seconds. WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app servers share one Redis: the cache (kremlib/cache.py) holds nothing another server could not
# recompute, but all of them see the same values and the same invalidations. Without REDIS_URL (one machine,
# the tests), each process keeps its own.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "krem"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are rows in the database (Django's default, said here on purpose): any app server can read them.
# Lockouts (django-axes) and edit conflicts (kremlib/versioning.py) are in the database too.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and IP address before any password is checked. The app's own rules
    # are not a backend: they never grant Django (admin) permissions (krem/permissions.py).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in safety (django-axes): 5 failed logins for one username from one IP address lock that pair
# for the cool-off period. A successful login clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("KREM_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
# Record as little as the purpose needs: failed attempts are kept (they drive the lockout), but not a row
# for every successful login; Django keeps each user's last login.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command (cron mails); lockouts are still logged
# Behind a reverse proxy every request comes from the proxy's address: lock by the client's address, read from
# the proxies' X-Forwarded-For (krem/http.py), or five wrong passwords from anyone would lock a user out for all.
AXES_CLIENT_IP_CALLABLE = "kremlib.http.client_ip"
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
KREM_PROXY_COUNT = env.int("KREM_PROXY_COUNT", default=1)  # proxies in front of the app, each adding to X-Forwarded-For
if KREM_PROXY_COUNT < 1:
    raise ImproperlyConfigured("KREM_PROXY_COUNT must be 1 or more: it counts the proxies in front of the app.")

# A session ends after this long without a request, and in any case this long after the login
# (krem.middleware.session_timeouts). The cookie lives no longer than the session may.
KREM_SESSION_IDLE_MINUTES = env.int("KREM_SESSION_IDLE_MINUTES", default=30)
KREM_SESSION_MAX_HOURS = env.int("KREM_SESSION_MAX_HOURS", default=8)
SESSION_COOKIE_AGE = KREM_SESSION_MAX_HOURS * 3600

# Participants with no activity for this many months are anonymised by `manage.py apply_retention`.
KREM_RETENTION_MONTHS = env.int("KREM_RETENTION_MONTHS", default=36)

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# django-filter's blank choice in a filter's select: "All" (translated), not "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents (kremlib/files.py) are private: "private" is a folder outside every public address, served
# by no web server; each download goes through a view that checks the page's permission. Any django-storages
# backend can take its place (README, "Files"): STORAGE_PRIVATE_BACKEND and STORAGE_PRIVATE_OPTIONS (JSON).
PRIVATE_FILES_ROOT = Path(env.str("PRIVATE_FILES_ROOT", default=str(BASE_DIR / "private-files")))
if TESTING:
    PRIVATE_FILES_ROOT = Path(tempfile.gettempdir()) / f"krem-test-files-{os.getpid()}"
FILE_UPLOAD_MAX_BYTES = env.int("FILE_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": env.str("STORAGE_PRIVATE_BACKEND", default="kremlib.files.PrivateFileSystemStorage"),
        "OPTIONS": env.json("STORAGE_PRIVATE_OPTIONS", default={}) or {"location": str(PRIVATE_FILES_ROOT)},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Voice balance: flag a dialogue where lived experience raised fewer than this share of the insights.
KREM_VOICE_THRESHOLD = env.float("KREM_VOICE_THRESHOLD", default=1 / 3)

# Reports: the most project chapters one request renders (page or PDF); a bigger portfolio comes in parts (?side=).
KREM_REPORT_MAX_CHAPTERS = env.int("KREM_REPORT_MAX_CHAPTERS", default=40)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["designsystemet"]
CRISPY_TEMPLATE_PACK = "designsystemet"

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="krem@localhost")

# Jobs (notices/, README "Reminders and the job queue"): Celery with Redis as the broker when CELERY_BROKER_URL
# (or REDIS_URL) is set; without one, tasks run inline in the process that asks for them, and cron calls
# `manage.py run_due_jobs` for the periodic jobs.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is run again by another; the notices' leases make that safe
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Every due job at this moment; recording a notice is idempotent, so a second beat or a late run sends nothing twice.
    "run-due-jobs": {"task": "notices.tasks.run_due_jobs", "schedule": env.int("KREM_JOBS_EVERY_SECONDS", default=900)},
}
# The public address of the site, for links in emails sent outside a request (unsubscribe, Min side).
KREM_SITE_URL = env.str("KREM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Delivery: a claimed notice is another worker's only after its lease ends; a failed send is tried again after
# RETRY_BASE * 2**(attempt-1) seconds, at most NOTICE_MAX_ATTEMPTS times, then reported.
KREM_NOTICE_LEASE_SECONDS = env.int("KREM_NOTICE_LEASE_SECONDS", default=300)
KREM_NOTICE_RETRY_BASE_SECONDS = env.int("KREM_NOTICE_RETRY_BASE_SECONDS", default=60)
KREM_NOTICE_MAX_ATTEMPTS = env.int("KREM_NOTICE_MAX_ATTEMPTS", default=5)

# No inline script or style anywhere, in every mode, so the tests prove the templates need none.
# htmx's own indicator style is switched off in base.html and lives in krem.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        # Designsystemet draws its icons as inline SVG data: URLs in the CSS.
        "img-src": ["'self'", "data:"],
    }
}

# Production hardening: only when DEBUG is off. `manage.py check --deploy` stays quiet with these.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [
        r"^healthz$",
        r"^readyz$",
        r"^metrics$",
    ]  # monitoring may probe over plain HTTP inside the network
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Logs go to standard error (systemd's journal). LOG_FORMAT=json writes one JSON object a line, for a log
# collector; every line carries the request's id (kremlib/requestid.py), as the X-Request-ID response header does.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kremlib.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (the PDF reports) logs every step of every render at INFO, and at WARNING each @media rule of our
    # screen stylesheets that it cannot read (media queries with features are ignored, as they should be in print).
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "WARNING"}},
}

# Prometheus metrics at /metrics (krem/views.py): only from these addresses (the connection's, or the client's
# behind BEHIND_PROXY), or with "Authorization: Bearer METRICS_TOKEN". Anyone else gets 404.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Several gunicorn workers: each counts in its own process unless prometheus_client shares the counts through
# files in this folder (deploy/krem-web@.service sets it and empties it at start).
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False

# Optional error reporting; personal data is scrubbed before anything leaves (kremlib/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN and not TESTING:
    from kremlib import sentry

    sentry.init(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # django-axes stays on, so tests prove the lockout. Every test starts from an empty database (the browser
    # tests' live server too) and a successful login clears a user's failures, so tests never lock each other out.
    AXES_ENABLED = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not memory: the tests that send requests from several threads at once need separate connections
        # to one database that lock as in production (an in-memory database shares one cache with table locks).
        # One file per test process, so two runs in the same folder do not meet.
        DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"krem-test-{os.getpid()}.sqlite3")}

# Database queries counted and timed per connection for /metrics: django-prometheus's wrappers of the same engines.
_PROMETHEUS_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _PROMETHEUS_ENGINES.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
