"""Test settings: same database selection as every environment (DATABASE_URL or SQLite),
fast hashing, in-memory e-mail, plain static storage, tasks run immediately."""

from motcua.config.settings.base import *  # noqa: F403

DEBUG = False
MOTCUA_DEMO = False
MOTCUA_STAFF_2FA_REQUIRED = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only in tests
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

MOTCUA_SANDBOXES = True
INSTALLED_APPS = [*INSTALLED_APPS, *SANDBOX_APPS]  # noqa: F405

# API rate limits off by default (counters in the process-wide cache would leak between
# tests); tests/api/test_ratelimit.py turns them on with override_settings.
MOTCUA_API_RATE_LIMIT = 0
MOTCUA_API_RATE_LIMIT_ANON = 0
