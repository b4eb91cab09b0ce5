"""Production: secure by default. Refuses to start with insecure values."""

from django.core.exceptions import ImproperlyConfigured

from motcua.config.env import env_bool, env_int, env_str
from motcua.config.settings.base import *  # noqa: F403

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

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
