"""Back-office navigation: each entry names a URL and the roles that see it.

Apps add their entry here; an entry whose URL does not resolve yet is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.org.constants import Role
from motcua.org.selectors import user_roles


@dataclass(frozen=True)
class MenuEntry:
    label: str | Promise
    url_name: str
    roles: frozenset[str]


ALL_OFFICERS = frozenset(Role.values)

MENU: list[MenuEntry] = [
    MenuEntry(_("Tổ chức"), "org:unit_list", ALL_OFFICERS),
    MenuEntry(
        _("Lịch làm việc"),
        "workdays:calendar",
        frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.LEADER, Role.RECEPTIONIST}),
    ),
    MenuEntry(
        _("Nhật ký hệ thống"), "core:audit_list", frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
    ),
]


def backoffice_menu(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not getattr(user, "is_officer", False):
        return {}
    roles = user_roles(user)
    items = []
    for entry in MENU:
        if not roles & entry.roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "url": url, "active": request.path.startswith(url)})
    return {"backoffice_menu": items}
