"""Settings for the HTTP benchmarks and the scale-out demo: the development settings with
DEBUG off (no SQL logging, no debug pages), so that the figures reflect a production-like
request path. The database comes from DATABASE_URL (a throwaway SQLite file or PostgreSQL
database created by the benchmark). Not for production: the secret key is a fixed dummy."""

from motcua.config.env import env_bool
from motcua.config.settings.dev import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Benchmark clients log in once each; Argon2 would only slow down the setup.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
