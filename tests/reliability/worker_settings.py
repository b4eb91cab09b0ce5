"""Test settings with the real database task backend, for worker subprocesses."""

from motcua.config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
