"""Back-office home: one dashboard panel per active role of the officer, naming the units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.decorators import officer_required
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import active_assignments


@dataclass(frozen=True)
class RolePanelSpec:
    title: str | Promise
    description: str | Promise


# Order = order of panels on the page (the daily work of the one-stop shop first).
ROLE_PANELS: dict[str, RolePanelSpec] = {
    Role.RECEPTIONIST: RolePanelSpec(
        _("Tiếp nhận hồ sơ"),
        _(
            "Tiếp nhận hồ sơ trực tiếp và trực tuyến, kiểm tra thành phần, cấp giấy tiếp nhận "
            "và hẹn trả kết quả; trả kết quả cho người dân."
        ),
    ),
    Role.SPECIALIST: RolePanelSpec(
        _("Hồ sơ cần xử lý"),
        _("Thẩm định hồ sơ được phân công, đề xuất kết quả, yêu cầu bổ sung khi cần."),
    ),
    Role.LEADER: RolePanelSpec(
        _("Hồ sơ chờ ký duyệt"),
        _("Xem xét, phê duyệt và ký số kết quả giải quyết thủ tục hành chính."),
    ),
    Role.CLERK: RolePanelSpec(
        _("Vào sổ, phát hành kết quả"),
        _("Vào sổ văn bản, đóng dấu và phát hành kết quả đã được ký."),
    ),
    Role.SUPERVISOR: RolePanelSpec(
        _("Giám sát, đánh giá"),
        _("Theo dõi tiến độ, hồ sơ quá hạn và bộ chỉ số đánh giá chất lượng phục vụ."),
    ),
    Role.ADMINISTRATOR: RolePanelSpec(
        _("Quản trị hệ thống"),
        _("Quản lý đơn vị, cán bộ, phân quyền, danh mục thủ tục và cấu hình hệ thống."),
    ),
}


@dataclass(frozen=True)
class WorkItem:
    """One line of work waiting for an officer in one of their roles, e.g. "Chờ tiếp
    nhận: 3", linking to the list that holds it."""

    role: str
    label: str | Promise
    count: int | str
    url: str


# Apps that hold work register a source here (the dossiers app: its worklist tabs),
# so the home page does not import them: source(user) -> work items.
WorkSource = Callable[[Any], Iterable[WorkItem]]
WORK_SOURCES: list[WorkSource] = []


def register_work_source(source: WorkSource) -> WorkSource:
    if source not in WORK_SOURCES:
        WORK_SOURCES.append(source)
    return source


@dataclass
class RolePanel:
    role: str
    role_label: str | Promise
    title: str | Promise
    description: str | Promise
    units: list[OrgUnit] = field(default_factory=list)
    work: list[WorkItem] = field(default_factory=list)


def role_panels(user: object) -> list[RolePanel]:
    units_by_role: dict[str, list[OrgUnit]] = defaultdict(list)
    for assignment in active_assignments(user).order_by("unit__path"):
        if assignment.unit not in units_by_role[assignment.role]:
            units_by_role[assignment.role].append(assignment.unit)
    work: dict[str, list[WorkItem]] = defaultdict(list)
    if units_by_role:
        for source in WORK_SOURCES:
            for item in source(user):
                work[item.role].append(item)
    panels = []
    for role, spec in ROLE_PANELS.items():
        if role in units_by_role:
            panels.append(
                RolePanel(
                    role,
                    Role(role).label,
                    spec.title,
                    spec.description,
                    units_by_role[role],
                    work[role],
                )
            )
    return panels


@officer_required
def home(request: HttpRequest) -> HttpResponse:
    panels = role_panels(request.user)
    return render(request, "backoffice/home.html", {"panels": panels})
