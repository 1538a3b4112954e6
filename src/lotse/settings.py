"""Lotse settings: one module, read from the environment.

Every value has a default that runs the embedded install (SQLite, database task queue, no SMTP).
Production differs only in environment values; `.env.example` documents each variable.
"""

from __future__ import annotations

import os
import secrets
from email.utils import formataddr, getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str) -> str:
    """Return a string setting; an empty value counts as unset."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean setting; fail loudly on anything but a clear yes or no."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return an integer setting; fail loudly on a value that is not a number."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    """Return a comma-separated list setting."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    """Return one of a few named values; fail loudly on any other."""
    value = env_str(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(sorted(choices))}, not {value!r}"
        )
    return value


def env_addresses(name: str) -> list[str]:
    """Return a list of mail addresses ("Name <mail>, other@example.org"), each as one string."""
    raw = env_str(name, "")
    found = [(n, a) for n, a in getaddresses([raw]) if a] if raw.strip() else []
    if raw.strip() and (not found or any("@" not in address for _name, address in found)):
        raise ImproperlyConfigured(
            f"{name} must be mail addresses like 'Name <mail>, ...', not {raw!r}"
        )
    return [formataddr(pair) for pair in found]


# Variables that were replaced: a forgotten one must not change the behaviour silently.
if os.environ.get("LOTSE_BEHIND_PROXY"):
    raise ImproperlyConfigured(
        "LOTSE_BEHIND_PROXY was replaced by LOTSE_TRUSTED_PROXY_HOPS (the number of proxies in "
        "front of Lotse, e.g. 1 for nginx on the same machine); see .env.example"
    )

# The embedded demo (`make run`, the benchmarks) says so with LOTSE_DEMO=true; without it an
# installation is real: `lotse serve`, `lotse worker` and `lotse migrate` refuse to start
# without its own secret key and encryption keys (lotse.core.checks), and `lotse seed_demo`
# refuses to write demo accounts.
LOTSE_DEMO = env_bool("LOTSE_DEMO", False)
DATA_DIR = Path(env_str("LOTSE_DATA_DIR", str(PROJECT_DIR / "var")))
# The SQLite database and media go here; SQLite cannot make the folder itself.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DEBUG = env_bool("LOTSE_DEBUG", False)
# Published, so only for the demo. A real installation without LOTSE_SECRET_KEY gets a random
# key for this process instead: the check that stops its start (lotse.core.checks) lives where
# the commands start, not here, because pytest-django reads these settings and builds the test
# database with `migrate` before any test fixture runs, and a plain `pytest` must work.
DEVELOPMENT_SECRET_KEY = "insecure-lotse-development-key-change-me"  # noqa: S105
LOTSE_SECRET_KEY_GIVEN = bool(env_str("LOTSE_SECRET_KEY", ""))
SECRET_KEY = env_str("LOTSE_SECRET_KEY", "") or (
    DEVELOPMENT_SECRET_KEY if LOTSE_DEMO else secrets.token_urlsafe(50)
)
ALLOWED_HOSTS = env_list("LOTSE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("LOTSE_CSRF_TRUSTED_ORIGINS", "")


def base_url_of_bind(bind: str) -> str:
    """The address a server bound to `bind` (host:port, as `lotse serve --bind` takes it) is
    reached at on this machine: a wildcard host (0.0.0.0, ::) is reached as 127.0.0.1."""
    host, sep, port = bind.strip().rpartition(":")
    if not sep or not port.isdigit() or bind.startswith(("unix:", "fd://")):
        return "http://127.0.0.1:8000"
    host = host.strip("[]") or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - a comparison, nothing is bound here
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# Links in mails and calendar files. A real installation must set it (lotse.core.checks); the
# demo derives it from the address `lotse serve` binds to (LOTSE_BIND, which `lotse serve
# --bind` and `make run` pass on to the server and the worker).
LOTSE_BASE_URL_GIVEN = bool(env_str("LOTSE_BASE_URL", ""))
BASE_URL = (
    env_str("LOTSE_BASE_URL", "") or base_url_of_bind(env_str("LOTSE_BIND", "127.0.0.1:8000"))
).rstrip("/")

INSTALLED_APPS = [
    "lotse.core",
    "lotse.catalog",
    "lotse.support",
    "lotse.demo",
    # Django's admin, with its login sent to the allauth login (rate limits, second factor).
    "lotse.core.admin_site.LotseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lotse.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Responses to logged-in people are never stored by browsers or proxies (shared computers).
    "lotse.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After auth, messages and htmx: ends staff sessions after the idle and total limits.
    "lotse.core.middleware.SessionLimitMiddleware",
    # Staff without a second factor may open nothing but the pages to set one up.
    "lotse.core.middleware.SecondFactorMiddleware",
    # After auth: an encrypted text that cannot be opened shows as unreadable on a page that
    # only reads, and is reported to the admins once, instead of failing the page.
    "lotse.core.middleware.TolerantReadsMiddleware",
]

FORM_RENDERER = "lotse.lib.forms.KernFormRenderer"
ROOT_URLCONF = "lotse.urls"
WSGI_APPLICATION = "lotse.wsgi.application"

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
                "lotse.core.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text mail: the same templates, but without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'lotse.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids lock upgrades.
    # secure_delete overwrites deleted rows with zeros on every connection, so erased and
    # expired data do not survive in free pages of the file, however SQLite was compiled.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            "PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.Person"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "LOTSE_PASSWORD_HASHERS",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
)

# allauth: login by e-mail address, no sign-up (admins create accounts).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ALLOW_REGISTRATION = False
ACCOUNT_ADAPTER = "lotse.core.adapters.AccountAdapter"
# Failed logins: 10 a minute per client address, 5 in 5 minutes per account *from one client
# address* (the "key" is the account and the client, see AccountAdapter), so no one can lock
# the owner out from elsewhere. The same limit counts wrong codes at the second-factor step
# (per person). Django's admin has no login form of its
# own (see lotse.core.admin_site), so these limits hold for every login.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_LOGOUT_ON_GET = False
# A new password ends every session of the person, the current one too (see core.receivers).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# Second factors: authenticator app (TOTP), security keys and passkeys (WebAuthn), recovery
# codes. Staff must set one up (lotse.core.middleware.SecondFactorMiddleware); everyone else may.
MFA_ADAPTER = "lotse.core.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Lotse"
# One 30-second step of clock drift either way, as RFC 6238 recommends; each code works once.
MFA_TOTP_TOLERANCE = 1
# WebAuthn needs a secure origin; without LOTSE_HTTPS (the local demo) allow plain http.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not env_bool("LOTSE_HTTPS", False)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("LOTSE_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Built from the checkout by `make setup` (`lotse collectstatic`), like .venv: not data, so not
# in LOTSE_DATA_DIR (which the backup holds and which differs between the demo and production).
STATIC_ROOT = PROJECT_DIR / "staticfiles"
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS: list[str | tuple[str, str]] = [str(BASE_DIR / "static")]
for _prefix, _folder in (
    ("kern", NODE_MODULES / "@kern-ux" / "native" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
):
    if _folder.is_dir():  # absent until `npm ci` has run
        STATICFILES_DIRS.append((_prefix, str(_folder)))
# Hashed names ("lotse.3f2a9c1b7d4e.css") from the manifest that collectstatic writes, so
# WhiteNoise serves them from STATIC_ROOT with a cache time of ten years and node_modules is
# needed only to build. Servers that serve from the finders (pytest-django's live server) find
# a hashed name through lotse.lib.staticfiles.HashedNameFinder.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "lotse.lib.staticfiles.ManifestStorage"},
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "lotse.lib.staticfiles.HashedNameFinder",
]
# WhiteNoise warns about a missing STATIC_ROOT, as before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# The cache holds allauth's login rate limits and the used second-factor codes, so it must be
# one cache for all web server processes (`lotse serve` runs several) and servers: a table in
# the database, which every process already shares. `lotse migrate` creates it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "lotse_cache",
    }
}

# Sessions: staff (coordinators, supporters, organisation admins, admin users) are logged out
# after this many minutes without a request and this many hours after logging in; everyone
# else after LOTSE_SESSION_DAYS (Django's two weeks) from the last change of their session.
LOTSE_STAFF_SESSION_IDLE_MINUTES = env_int("LOTSE_STAFF_SESSION_IDLE_MINUTES", 30)
LOTSE_STAFF_SESSION_MAX_HOURS = env_int("LOTSE_STAFF_SESSION_MAX_HOURS", 8)
SESSION_COOKIE_AGE = env_int("LOTSE_SESSION_DAYS", 14) * 24 * 3600

TASKS = {
    "default": {
        "BACKEND": env_str("LOTSE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Mail: without SMTP_HOST nothing leaves the machine; the outbox keeps every mail for staff.
SMTP_HOST = env_str("SMTP_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env_int("SMTP_PORT", 25),
                "username": env_str("SMTP_USER", "") or None,
                "password": env_str("SMTP_PASSWORD", "") or None,
                "use_tls": env_bool("SMTP_STARTTLS", False),
                "use_ssl": env_bool("SMTP_SSL", False),
                "timeout": env_int("SMTP_TIMEOUT", 30),
            },
        }
        if SMTP_HOST
        # Held mode: not an error for `check --deploy`; see lotse.core.mail_backends.
        else {"BACKEND": "lotse.core.mail_backends.HeldMailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("LOTSE_FROM_EMAIL", "Lotse <lotse@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_DOMAIN = env_str("LOTSE_MAIL_DOMAIN", "lotse.localhost")

# Keys for encryption at rest ("id:base64key,..."; the first encrypts), or a file holding them
# in the same form. Neither: a key file in LOTSE_DATA_DIR is made on first use, which only the
# demo may use: a backup of the data folder must never hold the key to its ciphertext, so a
# real installation refuses to start with it (lotse.core.checks).
LOTSE_ENCRYPTION_KEYS = env_str("LOTSE_ENCRYPTION_KEYS", "")
LOTSE_ENCRYPTION_KEY_FILE = env_str("LOTSE_ENCRYPTION_KEY_FILE", "")

# Periodic jobs of `lotse worker`, in seconds.
WORKER_PERIODIC_INTERVAL = env_int("LOTSE_WORKER_PERIODIC_INTERVAL", 60)

# Served over HTTPS (every real installation): secure cookies, HSTS, redirect to HTTPS. With it,
# `lotse check --deploy --fail-level WARNING` reports no issue.
HTTPS = env_bool("LOTSE_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# HSTS: a year over HTTPS. includeSubDomains and preload bind every subdomain and, through the
# browsers' preload list, outlast any change of mind; they are the operator's decision, off
# unless set, so the deploy check's reminders of them (W005, W021) are silenced.
SECURE_HSTS_SECONDS = env_int("LOTSE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LOTSE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("LOTSE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# How many reverse proxies stand in front of Lotse, each appending the address it was called
# from to X-Forwarded-For: 0 takes the client's address from the connection, n the n-th entry
# of X-Forwarded-For from the right (lotse.core.security.client_ip: rate limits, sessions).
# Behind a proxy, X-Forwarded-Proto tells whether the client came over HTTPS.
LOTSE_TRUSTED_PROXY_HOPS = env_int("LOTSE_TRUSTED_PROXY_HOPS", 0)
if LOTSE_TRUSTED_PROXY_HOPS < 0:
    raise ImproperlyConfigured("LOTSE_TRUSTED_PROXY_HOPS must be 0 or more")
if LOTSE_TRUSTED_PROXY_HOPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response: scripts, styles, fonts and connections from Lotse
# itself only, no inline script or style (templates keep theirs in static/lotse/), images also
# as data: URLs (KERN's icons in its CSS, the QR code of the authenticator app).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Logs go to stderr (the journal under systemd) as text or as one JSON object a line. With
# LOTSE_ADMINS, errors (a failed page, a failed job) are also mailed there; the reports leave
# out form data and local variables, which may hold confidential content (lotse.lib.log).
LOG_LEVEL = env_choice(
    "LOTSE_LOG_LEVEL", "warning", {"debug", "info", "warning", "error", "critical"}
).upper()
LOG_FORMAT = env_choice("LOTSE_LOG_FORMAT", "text", {"text", "json"})
ADMINS = env_addresses("LOTSE_ADMINS")
DEFAULT_EXCEPTION_REPORTER_FILTER = "lotse.lib.log.ConfidentialReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "json": {"()": "lotse.lib.log.JsonFormatter"},
    },
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "refusal_without_traceback": {"()": "lotse.core.logfilters.RefusalWithoutTraceback"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {
        "handlers": ["console", "mail_admins"] if ADMINS else ["console"],
        "level": LOG_LEVEL,
    },
    # Django's own default would mail errors a second time and print at INFO; here its records
    # go to the root handlers like everyone's.
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # A 403 is logged as one line, without a traceback.
        "django.request": {"filters": ["refusal_without_traceback"], "propagate": True},
    },
}

# Mail in: how often each site's mailbox is read, and the largest mail taken as a request.
MAIL_FETCH_INTERVAL = env_int("LOTSE_MAIL_FETCH_INTERVAL", 60)
MAIL_MAX_SIZE = env_int("LOTSE_MAIL_MAX_SIZE", 25 * 1024 * 1024)
MAIL_IMAP_TIMEOUT = env_int("LOTSE_MAIL_IMAP_TIMEOUT", 30)

# Retention (see docs/data-protection.md): the nightly job applies each organisation's rules
# once per local day, at the first check after this hour (0-23, LOTSE_TIME_ZONE).
RETENTION_HOUR = env_int("LOTSE_RETENTION_HOUR", 2)
if not 0 <= RETENTION_HOUR <= 23:
    raise ImproperlyConfigured(f"LOTSE_RETENTION_HOUR must be 0-23, not {RETENTION_HOUR}")
# How often the worker checks whether tonight's retention run is due, in seconds.
RETENTION_CHECK_INTERVAL = env_int("LOTSE_RETENTION_CHECK_INTERVAL", 900)
# The access log is kept at least this many months; `lotse cut-access-log` removes whole
# calendar months before that, never single rows (docs/data-protection.md).
ACCESS_LOG_MONTHS = env_int("LOTSE_ACCESS_LOG_MONTHS", 24)
if ACCESS_LOG_MONTHS < 1:
    raise ImproperlyConfigured("LOTSE_ACCESS_LOG_MONTHS must be at least 1")
# The largest document a participant can upload to a request (bytes); stored encrypted.
DOCUMENT_MAX_SIZE = env_int("LOTSE_DOCUMENT_MAX_SIZE", 10 * 1024 * 1024)
# The largest school data file an organisation admin can upload for the import (bytes).
SCHOOL_IMPORT_MAX_SIZE = env_int("LOTSE_SCHOOL_IMPORT_MAX_SIZE", 5 * 1024 * 1024)

# Requests through the public form of the catalogue, counted in the cache (so for all server
# processes together): at most this many per client address and hour (generous: a school
# network or a district behind one NAT address shares it), and per sender address and hour.
LOTSE_PUBLIC_REQUESTS_PER_HOUR = env_int("LOTSE_PUBLIC_REQUESTS_PER_HOUR", 30)
LOTSE_PUBLIC_REQUESTS_PER_SENDER_PER_HOUR = env_int("LOTSE_PUBLIC_REQUESTS_PER_SENDER_PER_HOUR", 5)

# Jobs that `lotse worker` enqueues, each with its interval in seconds.
LOTSE_PERIODIC_TASKS = {
    "lotse.core.tasks.send_pending_mail": WORKER_PERIODIC_INTERVAL,
    "lotse.core.tasks.apply_retention": RETENTION_CHECK_INTERVAL,
    "lotse.support.tasks.remind_overdue_requests": WORKER_PERIODIC_INTERVAL,
    "lotse.support.tasks.remind_agreement_end": 3600,
    "lotse.support.tasks.remind_sessions": WORKER_PERIODIC_INTERVAL,
    "lotse.support.tasks.remind_overdue_next_steps": WORKER_PERIODIC_INTERVAL,
    "lotse.support.tasks.fetch_all_mailboxes": MAIL_FETCH_INTERVAL,
    "lotse.core.tasks.purge_school_imports": 3600,
}
