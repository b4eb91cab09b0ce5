"""Issue 20 finding 6: `make demo` (dev settings) runs with a random SECRET_KEY per
installation, kept under var/ and reused on later runs, never the fixed development
value that let anyone forge signed links (kiosk ratings, payment returns)."""

from __future__ import annotations

import os
import subprocess
import sys

PRINT = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SECRET_KEY); print(settings.MOTCUA_PAYGATE_SECRET)"
)


def _secrets(var_dir) -> list[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SECRET_KEY", "MOTCUA_PAYGATE_SECRET"}
    }
    env.update(DJANGO_SETTINGS_MODULE="motcua.config.settings.dev", MOTCUA_VAR_DIR=str(var_dir))
    out = subprocess.run(
        [sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_dev_secret_is_random_per_installation_and_kept(tmp_path):
    first = _secrets(tmp_path / "a")
    assert _secrets(tmp_path / "a") == first  # reused on the next run (web, worker...)
    other = _secrets(tmp_path / "b")
    assert other[0] != first[0] and other[1] != first[1]
    assert len(first[0]) >= 40 and not first[0].startswith("dev-")
    assert first[1] != "motcua-demo-paygate-secret-not-for-production"
    key_file = tmp_path / "a" / "secret_key"
    assert key_file.read_text().strip() == first[0]
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
