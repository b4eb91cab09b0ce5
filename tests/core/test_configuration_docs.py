"""Every environment variable the settings read is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    settings_sources = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "motcua/config/settings").glob("*.py")
    )
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', settings_sources))
    assert len(names) > 20
    documented = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"undocumented environment variables: {missing}"
