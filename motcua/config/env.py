"""Typed readers for environment variables.

Every setting read from the environment goes through these helpers so that
docs/configuration.md can list them all and a wrong value fails loudly at start-up.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def installation_secret(path: "os.PathLike[str] | str") -> str:
    """A random secret kept in `path` (mode 0600): created on the first run of this
    installation, reused on later runs and shared by its processes (web, worker,
    scheduler). For development and `make demo` only; production takes its secrets from
    the environment."""
    import secrets
    import time
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fd = -1
    if fd >= 0:
        value = secrets.token_urlsafe(50)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
        return value
    for _attempt in range(50):  # another process may be writing it right now
        value = target.read_text(encoding="ascii").strip()
        if len(value) >= 40:
            return value
        time.sleep(0.1)
    raise ImproperlyConfigured(f"{target} must hold a random secret of 40+ characters")
