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
    # Daily work first, then supervision, then configuration.
    MenuEntry(_("Danh sách hồ sơ"), "dossiers:worklist", ALL_OFFICERS),
    MenuEntry(_("Tiếp nhận tại quầy"), "dossiers:counter", frozenset({Role.RECEPTIONIST})),
    MenuEntry(_("Số hóa giấy tờ"), "documents:digitize", frozenset({Role.RECEPTIONIST})),
    MenuEntry(
        _("Sổ theo dõi (Mẫu 06)"),
        "dossiers:register",
        frozenset({Role.RECEPTIONIST, Role.LEADER, Role.SUPERVISOR}),
    ),
    # Payments: finance officers (clerk, leader) of the collecting unit; receptionists
    # record cash; supervisors/administrators read (motcua/payments/permissions.py).
    MenuEntry(
        _("Thanh toán"),
        "payments:list",
        frozenset(
            {Role.CLERK, Role.LEADER, Role.RECEPTIONIST, Role.SUPERVISOR, Role.ADMINISTRATOR}
        ),
    ),
    # Feedback (PAKN): the queue shows each officer only what feedback_visible_to allows.
    MenuEntry(_("Phản ánh, kiến nghị"), "feedback:queue", ALL_OFFICERS - {Role.ADMINISTRATOR}),
    MenuEntry(
        _("Đánh giá hài lòng"), "feedback:ratings", frozenset({Role.SUPERVISOR, Role.LEADER})
    ),
    MenuEntry(
        _("Giám sát, đánh giá"),
        "monitoring:dashboard",
        frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR}),
    ),
    # Gaming signals (law.md R28b): supervision / inspection only.
    MenuEntry(
        _("Dấu hiệu gian lận số liệu"), "monitoring:gaming_list", frozenset({Role.SUPERVISOR})
    ),
    # Load forecast (issue 27): unit heads rebalance, leaders and supervisors read.
    MenuEntry(_("Dự báo tải xử lý"), "monitoring:load", frozenset({Role.LEADER, Role.SUPERVISOR})),
    MenuEntry(_("Thông báo"), "notifications:centre", ALL_OFFICERS),
    # Catalogue: administrators edit; supervisors and every officer read.
    MenuEntry(_("Danh mục thủ tục"), "catalog:list", ALL_OFFICERS),
    MenuEntry(_("Tổ chức"), "org:unit_list", ALL_OFFICERS),
    MenuEntry(
        _("Lịch làm việc"),
        "workdays:calendar",
        frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.LEADER, Role.RECEPTIONIST}),
    ),
    # National-portal sync (DVCQG): outbox, dead letters, reconciliation (KPI 1.4).
    MenuEntry(
        _("Liên thông DVCQG"),
        "integrations:overview",
        frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ),
    MenuEntry(_("Ứng dụng gọi API"), "api_clients:list", frozenset({Role.ADMINISTRATOR})),
    MenuEntry(
        _("Chứng thư tin cậy"),
        "documents:trust_store",
        frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR}),
    ),
    # Supplement requests naming papers outside the published list (law.md R12b).
    MenuEntry(
        _("Yêu cầu bổ sung ngoài danh mục"),
        "dossiers:unpublished_requests",
        frozenset({Role.SUPERVISOR, Role.LEADER}),
    ),
    # The read log (law.md R32a): reads outside an active step.
    MenuEntry(
        _("Lượt xem hồ sơ ngoài bước xử lý"),
        "privacy:reads_outside",
        frozenset({Role.SUPERVISOR}),
    ),
    MenuEntry(
        _("Yêu cầu xóa dữ liệu cá nhân"),
        "privacy:request_list",
        frozenset({Role.ADMINISTRATOR}),
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
