"""Demo identities of the sandbox VNeID provider."""

from __future__ import annotations

from motcua.sandbox_idp.models import SandboxCitizen
from motcua.sandbox_idp.views import ensure_default_client

DEMO_PASSWORD = "VNeID-2026!"
DEMO = [
    ("001090000001", "Nguyễn Văn An", "0905000001", 2),
    ("001090000002", "Trần Thị Bình", "0905000002", 2),
    ("001090000003", "Lê Văn Cường", "", 1),
]


def seed() -> list[SandboxCitizen]:
    ensure_default_client()
    out = []
    for pid, name, phone, level in DEMO:
        c = SandboxCitizen.objects.filter(personal_id=pid).first() or SandboxCitizen(
            personal_id=pid
        )
        c.full_name, c.phone, c.level = name, phone, level
        c.set_password(DEMO_PASSWORD)
        c.save()
        out.append(c)
    return out
