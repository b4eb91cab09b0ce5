"""Production: secure by default. Refuses to start with insecure values.

Every refusal is an ImproperlyConfigured at import, so gunicorn, the worker, the
scheduler and `motcua migrate` all stop before serving or changing anything
(docs/operations/deploy.md; tests/deploy/test_production_profile.py boots it)."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from motcua.config.env import env_bool, env_int, env_list, env_str
from motcua.config.settings.base import *  # noqa: F403

if env_bool("DJANGO_DEBUG", False):
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on in production (tracebacks, settings)")
DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if SECRET_KEY.startswith("dev-") or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of 40+ characters")
if not env_bool("MOTCUA_STAFF_2FA_REQUIRED", True):
    raise ImproperlyConfigured("Staff two-factor login cannot be waived in production")
MOTCUA_STAFF_2FA_REQUIRED = True
if env_bool("MOTCUA_DEMO", False):
    raise ImproperlyConfigured("MOTCUA_DEMO cannot be enabled in production")
MOTCUA_DEMO = False
for _name, _demo_value in (
    ("MOTCUA_VNEID_CLIENT_SECRET", "motcua-sandbox-secret"),
    ("MOTCUA_DVCQG_TOKEN", "sandbox-token"),
    ("MOTCUA_PAYGATE_SECRET", "motcua-demo-paygate-secret-not-for-production"),
):
    if env_str(_name, _demo_value) in (_demo_value, ""):
        raise ImproperlyConfigured(f"{_name} is empty or still has its sandbox value")
if env_bool("MOTCUA_SANDBOXES", False):
    raise ImproperlyConfigured("Sandbox stand-ins for national systems cannot run in production")

# The host names must be given: no default, no wildcard (Host header poisoning of the
# links in e-mails and password resets).
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the site's host names (no '*') in production"
    )
# Links in e-mails, SMS, QR codes on printed forms and signed PDFs: HTTPS only.
for _name in ("MOTCUA_SITE_URL", "MOTCUA_PUBLIC_BASE_URL"):
    _url = env_str(_name)
    if urlsplit(_url).scheme != "https" or not urlsplit(_url).hostname:
        raise ImproperlyConfigured(f"{_name} must be the site's https:// address, got {_url!r}")
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    [f"https://{urlsplit(MOTCUA_SITE_URL).netloc}"],  # noqa: F405
)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is the province's decision (every subdomain HTTPS for good, slow to undo):
# opt-in, so `check --deploy` does not warn while it is off.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Static files: `motcua collectstatic` writes content-hashed names (app.3f2a….css)
# with .gz and .br copies next to them; nginx serves them with `gzip_static` /
# `brotli_static` and a one-year immutable cache (deploy/nginx/motcua.conf).
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
# Source maps are fetched only by developer tools: not worth compressing (about half of
# collectstatic's time went into the API documentation's 5 MB of maps).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
