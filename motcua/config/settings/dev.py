"""Local development and `make demo`: SQLite under var/, console e-mail, demo data."""

import hashlib
import hmac

from motcua.config.env import env_bool, env_list, env_str, installation_secret
from motcua.config.settings.base import *  # noqa: F403

# A random secret per installation (var/secret_key), never the fixed development value:
# signed links (kiosk ratings, payment return URLs) cannot be forged from the source code.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or installation_secret(VAR_DIR / "secret_key")  # noqa: F405
MOTCUA_PAYGATE_SECRET = (
    env_str("MOTCUA_PAYGATE_SECRET", "")
    or hmac.new(SECRET_KEY.encode(), b"motcua-sandbox-paygate", hashlib.sha256).hexdigest()
)

DEBUG = env_bool("DJANGO_DEBUG", True)
MOTCUA_DEMO = env_bool("MOTCUA_DEMO", True)
MOTCUA_PAYGATE_SANDBOX = env_bool("MOTCUA_PAYGATE_SANDBOX", MOTCUA_DEMO)
# The printed demo logins must work without an authenticator app; production refuses this.
MOTCUA_STAFF_2FA_REQUIRED = env_bool("MOTCUA_STAFF_2FA_REQUIRED", False)
# Static files: served by WhiteNoise under runserver too (runserver_nostatic turns off
# runserver's own uncompressed handler), from the copy `make setup` collects with brotli
# and gzip variants (base STORAGES), falling back to the source while it is being edited
# (motcua/core/staticfiles.py). HTML is not compressed by the application: see
# docs/operations/page-weight.md (BREACH).
INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    *INSTALLED_APPS,  # noqa: F405
]
MIDDLEWARE = [
    "motcua.core.staticfiles.DemoStaticFilesMiddleware"
    if entry == "whitenoise.middleware.WhiteNoiseMiddleware"
    else entry
    for entry in MIDDLEWARE  # noqa: F405
]

MAILERS = {
    "default": {
        "BACKEND": env_str("MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }
}

MOTCUA_SANDBOXES = True
INSTALLED_APPS = [*INSTALLED_APPS, *SANDBOX_APPS]  # noqa: F405
# "Đăng nhập bằng VNeID" against the local OIDC provider (motcua.sandbox_idp).
MOTCUA_IDENTITY_PROVIDERS = env_list(
    "MOTCUA_IDENTITY_PROVIDERS", ["motcua.integrations.vneid.VneidProvider"]
)
MOTCUA_DVCQG_AUTO_SYNC = env_bool("MOTCUA_DVCQG_AUTO_SYNC", True)
