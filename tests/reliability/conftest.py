"""Fixtures for the reliability tests: a published procedure and extra officers (the
dossiers test fixtures), file storage and PKI in a temporary directory, and a helper to
run `motcua` in a subprocess against another database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.dossiers.conftest import staff, version  # noqa: F401  (re-exported fixtures)

ROOT = Path(__file__).resolve().parents[2]
MOTCUA = [sys.executable, "-m", "motcua.manage"]


@pytest.fixture
def media(tmp_path, settings) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    return root


RunMotcua = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_motcua(tmp_path) -> RunMotcua:
    """run_motcua(*args, env={...}) -> CompletedProcess (text, captured)."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: int = 300):
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings.test",
            "MOTCUA_VAR_DIR": str(tmp_path / "var"),
            **(env or {}),
        }
        return subprocess.run(
            [*MOTCUA, *args],
            cwd=ROOT,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


class Worker:
    """`run_worker` as a real process, with the test's environment: `start(env)` in the
    background (the caller kills it), `run_once(env)` for one task to completion."""

    def __init__(self, tmp_path: Path) -> None:
        self.var_dir = str(tmp_path / "var")

    def _env(self, env: dict[str, str]) -> dict[str, str]:
        return {**os.environ, "MOTCUA_VAR_DIR": self.var_dir, **env}

    def start(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*MOTCUA, "run_worker"],
            cwd=ROOT,
            env=self._env(env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def run_once(self, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*MOTCUA, "run_worker", "--max-tasks", "1"],
            cwd=ROOT,
            env=self._env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture
def worker(tmp_path) -> Worker:
    return Worker(tmp_path)


@pytest.fixture
def empty_database(tmp_path):
    """empty_database(name) -> DATABASE_URL of a new, empty database of the same
    vendor as the test database (a temporary file on SQLite; a scratch database on
    PostgreSQL, dropped afterwards)."""
    from django.db import connection

    created: list[str] = []
    settings_dict = connection.settings_dict

    def make(name: str) -> str:
        if connection.vendor != "postgresql":
            return f"sqlite:///{tmp_path / name}.sqlite3"
        import psycopg

        db_name = f"{settings_dict['NAME']}_{name}"[:63]
        with psycopg.connect(_pg_dsn(settings_dict, "postgres"), autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
            pg.execute(f'CREATE DATABASE "{db_name}"')
        created.append(db_name)
        return _pg_url(settings_dict, db_name)

    yield make
    if created:
        import psycopg

        with psycopg.connect(_pg_dsn(settings_dict, "postgres"), autocommit=True) as pg:
            for db_name in created:
                pg.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _pg_url(s: dict, name: str) -> str:
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _pg_dsn(s: dict, name: str) -> str:
    dsn = f"dbname={name} user={s['USER']} host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432}"
    return dsn + (f" password={s['PASSWORD']}" if s.get("PASSWORD") else "")
