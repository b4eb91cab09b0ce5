"""Demo data: the Quảng Nam organisation (motcua/org/data/quangnam.json), one officer
per role, two citizens and a business.

The demo's present (late 2026) is two-level local government (law.md R31, §10): Quảng
Nam merged into Đà Nẵng on 1/7/2025 (Resolution 202/2025/QH15), its 17 district-level
units ended on 30/6/2025 and their records passed to the communes and wards of the
merged city (Resolution 1659/NQ-UBTVQH15). Officers of the old district and commune
units end there on 30/6/2025 and work in today's wards from 1/7/2025.

Loading is idempotent: existing rows (matched by unit code, username, or assignment
key) are left as they are.

The demo password is defined here and only here (DEMO_PASSWORD)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.org.constants import Role
from motcua.org.interchange import ImportResult, import_data
from motcua.org.models import Delegation, OrgUnit, StaffAssignment

DEMO_PASSWORD = "MotCua@2026!"
DATA_FILE = Path(__file__).resolve().parent / "data" / "quangnam.json"
LOGIN_PATH = "/tai-khoan/dang-nhap/"
STAFF_HOME_PATH = "/quan-tri/"
CITIZEN_HOME_PATH = "/tai-khoan/cua-toi/"

PROVINCE = "000.00.00.H47"
PAS_CENTRE = "000.00.01.H47"
DEPT_JUSTICE = "000.00.03.H47"  # Sở Tư pháp
TAM_KY_ONE_STOP = "000.01.31.H47"  # Bộ phận Một cửa UBND thành phố Tam Kỳ
TAM_KY_JUSTICE = "000.02.31.H47"  # Phòng Tư pháp thành phố Tam Kỳ
DA_NANG = "000.00.00.H17"  # successor of the province from 1/7/2025
MERGER = dt.date(2025, 7, 1)  # two-level local government (law.md R31)
WARD_TAM_KY = "000.02.90.H17"  # UBND phường Tam Kỳ: took the records of the Tam Kỳ offices
POLICE = "000.00.19.H47"  # Công an tỉnh: judicial records and driving licences since 2025
DEPT_ENVIRONMENT = "000.00.10.H47"  # Sở Tài nguyên và Môi trường: land registration


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    unit_code: str
    role: str
    label: str
    position: str = ""
    is_head: bool = False
    valid_from: dt.date = dt.date(2020, 1, 1)
    valid_to: dt.date | None = None
    listed: bool = True


STAFF: tuple[DemoStaff, ...] = (
    DemoStaff(
        "tiepnhan.ttpvhcc",
        "Nguyễn Thị Thu Hà",
        PAS_CENTRE,
        Role.RECEPTIONIST,
        "Cán bộ tiếp nhận — Trung tâm PVHCC tỉnh",
        "Chuyên viên",
    ),
    DemoStaff(
        "tiepnhan.tamky",
        "Lê Văn Hùng",
        TAM_KY_ONE_STOP,
        Role.RECEPTIONIST,
        "Cán bộ tiếp nhận — Bộ phận Một cửa TP Tam Kỳ (đến 30/6/2025)",
        "Công chức",
        valid_to=MERGER - dt.timedelta(days=1),
        listed=False,
    ),
    DemoStaff(
        "tiepnhan.tamky",
        "Lê Văn Hùng",
        WARD_TAM_KY,
        Role.RECEPTIONIST,
        "Cán bộ tiếp nhận — Bộ phận Một cửa UBND phường Tam Kỳ (từ 1/7/2025)",
        "Công chức Văn phòng HĐND và UBND",
        valid_from=MERGER,
    ),
    DemoStaff(
        "chuyenvien.stp",
        "Trần Thị Mai",
        DEPT_JUSTICE,
        Role.SPECIALIST,
        "Chuyên viên xử lý — Sở Tư pháp",
        "Chuyên viên",
    ),
    DemoStaff(
        "chuyenvien.tamky",
        "Phạm Minh Tuấn",
        TAM_KY_JUSTICE,
        Role.SPECIALIST,
        "Chuyên viên xử lý — Phòng Tư pháp TP Tam Kỳ (đến 30/6/2025)",
        "Chuyên viên",
        valid_to=MERGER - dt.timedelta(days=1),
        listed=False,
    ),
    DemoStaff(
        "chuyenvien.tamky",
        "Phạm Minh Tuấn",
        WARD_TAM_KY,
        Role.SPECIALIST,
        "Chuyên viên xử lý — UBND phường Tam Kỳ (từ 1/7/2025; hồ sơ cũ của TP Tam Kỳ)",
        "Công chức Văn hóa - Xã hội",
        valid_from=MERGER,
    ),
    DemoStaff(
        "lanhdao.stp",
        "Võ Văn Thành",
        DEPT_JUSTICE,
        Role.LEADER,
        "Lãnh đạo (Giám đốc) — Sở Tư pháp",
        "Giám đốc",
        is_head=True,
        valid_from=dt.date(2023, 3, 1),
    ),
    DemoStaff(
        "phogiamdoc.stp",
        "Lê Thị Ngọc Ánh",
        DEPT_JUSTICE,
        Role.LEADER,
        "Lãnh đạo (Phó Giám đốc) — Sở Tư pháp",
        "Phó Giám đốc",
    ),
    # The previous head: an ended assignment, so the head-of-unit history has two rows.
    DemoStaff(
        "lanhdao.stp.cu",
        "Huỳnh Thị Lan",
        DEPT_JUSTICE,
        Role.LEADER,
        "Nguyên Giám đốc Sở Tư pháp (đã nghỉ hưu — chỉ để xem lịch sử)",
        "Giám đốc",
        is_head=True,
        valid_from=dt.date(2017, 8, 1),
        valid_to=dt.date(2023, 2, 28),
        listed=False,
    ),
    DemoStaff(
        "vanthu.stp", "Đặng Thị Hồng", DEPT_JUSTICE, Role.CLERK, "Văn thư — Sở Tư pháp", "Văn thư"
    ),
    DemoStaff(
        "giamsat.tinh",
        "Nguyễn Văn Phúc",
        PROVINCE,
        Role.SUPERVISOR,
        "Giám sát cấp tỉnh — UBND tỉnh Quảng Nam",
        "Chuyên viên Văn phòng UBND tỉnh",
    ),
    DemoStaff(
        "quantri",
        "Trương Công Minh",
        PROVINCE,
        Role.ADMINISTRATOR,
        "Quản trị hệ thống",
        "Quản trị viên",
    ),
    # From 1/7/2025 the province's supervisor and administrator also work for the merged
    # city, so that the successor unit is within their scope (units_visible_to).
    DemoStaff(
        "giamsat.tinh",
        "Nguyễn Văn Phúc",
        DA_NANG,
        Role.SUPERVISOR,
        "",
        "Chuyên viên Văn phòng UBND thành phố",
        valid_from=dt.date(2025, 7, 1),
        listed=False,
    ),
    DemoStaff(
        "quantri",
        "Trương Công Minh",
        DA_NANG,
        Role.ADMINISTRATOR,
        "",
        "Quản trị viên",
        valid_from=dt.date(2025, 7, 1),
        listed=False,
    ),
)


def _commune_codes() -> list[str]:
    """Today's communes, wards and special zone (those without an end date: the old
    Quảng Nam communes ended on 30/6/2025, law.md R31)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [
        u["code"] for u in data["units"] if u.get("kind") == "commune" and not u.get("valid_to")
    ]


def _commune_staff() -> tuple[DemoStaff, ...]:
    """Issue 18: the demo catalogue's commune-level procedures (birth registration…) are
    decided by every commune/ward of the demo; three printed accounts work in all of
    them (each assignment is per unit, so worklists and permissions stay per unit)."""
    accounts = (
        (
            "tiepnhan.xa",
            "Hồ Thị Thanh Tâm",
            (Role.RECEPTIONIST, Role.CLERK),
            "Công chức một cửa, văn thư — mọi xã, phường, đặc khu (từ 1/7/2025)",
            "Công chức Văn phòng - Thống kê",
        ),
        (
            "chuyenvien.xa",
            "Nguyễn Văn Quý",
            (Role.SPECIALIST,),
            "Công chức Tư pháp - Hộ tịch (xử lý) — mọi xã, phường, đặc khu (từ 1/7/2025)",
            "Công chức Tư pháp - Hộ tịch",
        ),
        (
            "lanhdao.xa",
            "Lê Văn Bình",
            (Role.LEADER,),
            "Lãnh đạo (Chủ tịch UBND) — mọi xã, phường, đặc khu (từ 1/7/2025)",
            "Chủ tịch UBND",
        ),
    )
    out = []
    for username, name, roles, label, position in accounts:
        for n, (code, role) in enumerate((c, r) for c in _commune_codes() for r in roles):
            out.append(
                DemoStaff(
                    username, name, code, role, label, position, valid_from=MERGER, listed=n == 0
                )
            )
    return tuple(out)


STAFF += (
    # Units competent for demo procedures (catalog/data/procedures.json): every demo
    # procedure can be processed end to end with the printed logins (issue 18).
    DemoStaff(
        "chuyenvien.ca",
        "Đỗ Quang Huy",
        POLICE,
        Role.SPECIALIST,
        "Cán bộ xử lý — Công an tỉnh (lý lịch tư pháp, giấy phép lái xe)",
        "Cán bộ",
    ),
    DemoStaff(
        "lanhdao.ca",
        "Trần Đức Long",
        POLICE,
        Role.LEADER,
        "Lãnh đạo — Công an tỉnh",
        "Phó Giám đốc",
    ),
    DemoStaff(
        "vanthu.ca",
        "Phan Thị Yến",
        POLICE,
        Role.CLERK,
        "Văn thư, tiếp nhận — Công an tỉnh",
        "Văn thư",
    ),
    DemoStaff("vanthu.ca", "Phan Thị Yến", POLICE, Role.RECEPTIONIST, "", "Văn thư", listed=False),
    DemoStaff(
        "chuyenvien.stnmt",
        "Lưu Văn Khánh",
        DEPT_ENVIRONMENT,
        Role.SPECIALIST,
        "Chuyên viên xử lý — Sở Tài nguyên và Môi trường",
        "Chuyên viên",
    ),
    DemoStaff(
        "lanhdao.stnmt",
        "Ngô Thị Thu",
        DEPT_ENVIRONMENT,
        Role.LEADER,
        "Lãnh đạo — Sở Tài nguyên và Môi trường",
        "Phó Giám đốc",
    ),
    DemoStaff(
        "vanthu.stnmt",
        "Bùi Thị Hạnh",
        DEPT_ENVIRONMENT,
        Role.CLERK,
        "Văn thư — Sở Tài nguyên và Môi trường",
        "Văn thư",
    ),
    *_commune_staff(),
)

CITIZENS: tuple[dict[str, Any], ...] = (
    {
        "username": "049090001234",
        "kind": AccountKind.CITIZEN,
        "full_name": "Nguyễn Văn An",
        "personal_id": "049090001234",
        "phone": "0905123456",
        "address": "12 Phan Bội Châu, phường Tân Thạnh, thành phố Tam Kỳ, tỉnh Quảng Nam",
        "date_of_birth": dt.date(1990, 5, 14),
        "label": "Công dân",
    },
    {
        "username": "049192005678",
        "kind": AccountKind.CITIZEN,
        "full_name": "Trần Thị Bích Ngọc",
        "personal_id": "049192005678",
        "phone": "0935987654",
        "address": "45 Trần Phú, phường Minh An, thành phố Hội An, tỉnh Quảng Nam",
        "date_of_birth": dt.date(1992, 11, 2),
        "label": "Công dân",
    },
    {
        "username": "4001234567",
        "kind": AccountKind.BUSINESS,
        "full_name": "Công ty TNHH Thương mại Dịch vụ Phố Hội",
        "tax_code": "4001234567",
        "phone": "0235386123",
        "address": "88 Nguyễn Duy Hiệu, phường Cẩm Châu, thành phố Hội An, tỉnh Quảng Nam",
        "label": "Doanh nghiệp",
    },
)

# A finished delegation of signing authority (fixed dates: reruns change nothing).
DELEGATION: dict[str, Any] = {
    "delegator": "lanhdao.stp",
    "delegate": "phogiamdoc.stp",
    "unit": DEPT_JUSTICE,
    "valid_from": dt.date(2025, 8, 4),
    "valid_to": dt.date(2025, 8, 15),
    "reason": "Giám đốc đi công tác, ủy quyền ký văn bản giải quyết TTHC",
}


@dataclass
class DemoResult:
    org: ImportResult
    users_created: int = 0
    assignments_created: int = 0
    delegations_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.org.changed
            or self.users_created
            or self.assignments_created
            or self.delegations_created
        )


def _ensure_user(username: str, **fields: Any) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    return User.objects.create_user(username, DEMO_PASSWORD, **fields), True


@transaction.atomic
def demo_load() -> DemoResult:
    from motcua.org import services

    result = DemoResult(org=import_data(json.loads(DATA_FILE.read_text(encoding="utf-8"))))
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={s.unit_code for s in STAFF})}
    users: dict[str, User] = {}
    for staff in STAFF:
        user, created = _ensure_user(
            staff.username, kind=AccountKind.STAFF, full_name=staff.full_name
        )
        users[staff.username] = user
        result.users_created += created
        same = StaffAssignment.objects.filter(
            user=user, unit=units[staff.unit_code], role=staff.role, valid_from=staff.valid_from
        )
        # A database loaded before the two-level reform: end the old assignment on the
        # day its unit ended (law.md R31).
        same.exclude(valid_to=staff.valid_to).filter(valid_to__isnull=True).update(
            valid_to=staff.valid_to
        )
        if not same.exists():
            services.assignment_create(
                user=user,
                unit=units[staff.unit_code],
                role=staff.role,
                valid_from=staff.valid_from,
                valid_to=staff.valid_to,
                position=staff.position,
                is_head=staff.is_head,
            )
            result.assignments_created += 1
    for citizen in CITIZENS:
        fields = {k: v for k, v in citizen.items() if k not in ("username", "label")}
        _user, created = _ensure_user(citizen["username"], **fields)
        result.users_created += created
    delegation_exists = Delegation.objects.filter(
        delegator=users[DELEGATION["delegator"]],
        delegate=users[DELEGATION["delegate"]],
        valid_from=DELEGATION["valid_from"],
    ).exists()
    if not delegation_exists:
        services.delegation_create(
            delegator=users[DELEGATION["delegator"]],
            delegate=users[DELEGATION["delegate"]],
            unit=units[DELEGATION["unit"]],
            valid_from=DELEGATION["valid_from"],
            valid_to=DELEGATION["valid_to"],
            reason=DELEGATION["reason"],
        )
        result.delegations_created += 1
    return result


# Linked procedures (Decree 63/2024/NĐ-CP, law.md R40): the health insurance card of a
# child under six is issued by Social Security (Bảo hiểm xã hội). The unit and its
# officers are loaded after the demo history (`catalog_load_linked_demo`), so the
# generated year of dossiers stays the same.
SOCIAL_SECURITY = "000.00.20.H47"
LINKED_UNITS: dict[str, Any] = {
    "format": "motcua-org",
    "version": 1,
    "units": [
        {
            "code": SOCIAL_SECURITY,
            "name": "Bảo hiểm xã hội tỉnh Quảng Nam",
            "kind": "vertical",
            "parent": PROVINCE,
            "short_name": "BHXH tỉnh",
        }
    ],
    "successions": [],
}
LINKED_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff(
        "chuyenvien.bhxh",
        "Trương Thị Mai",
        SOCIAL_SECURITY,
        Role.SPECIALIST,
        "Chuyên viên xử lý — Bảo hiểm xã hội tỉnh (thẻ BHYT trẻ em, liên thông)",
        "Chuyên viên",
    ),
    DemoStaff(
        "lanhdao.bhxh",
        "Võ Văn Thành",
        SOCIAL_SECURITY,
        Role.LEADER,
        "Lãnh đạo — Bảo hiểm xã hội tỉnh",
        "Phó Giám đốc",
    ),
    DemoStaff(
        "vanthu.bhxh",
        "Đặng Thị Hoa",
        SOCIAL_SECURITY,
        Role.CLERK,
        "Văn thư, tiếp nhận — Bảo hiểm xã hội tỉnh",
        "Văn thư",
    ),
    DemoStaff(
        "vanthu.bhxh",
        "Đặng Thị Hoa",
        SOCIAL_SECURITY,
        Role.RECEPTIONIST,
        "",
        "Văn thư",
        listed=False,
    ),
)


@transaction.atomic
def linked_demo_load() -> DemoResult:
    """The Social Security unit and its officers (idempotent)."""
    from motcua.org import services

    result = DemoResult(org=import_data(LINKED_UNITS))
    unit = OrgUnit.objects.get(code=SOCIAL_SECURITY)
    for staff in LINKED_STAFF:
        user, created = _ensure_user(
            staff.username, kind=AccountKind.STAFF, full_name=staff.full_name
        )
        result.users_created += created
        if not StaffAssignment.objects.filter(
            user=user, unit=unit, role=staff.role, valid_from=staff.valid_from
        ).exists():
            services.assignment_create(
                user=user,
                unit=unit,
                role=staff.role,
                valid_from=staff.valid_from,
                valid_to=staff.valid_to,
                position=staff.position,
            )
            result.assignments_created += 1
    return result


def demo_login_rows() -> list[tuple[str, str, str, str, str]]:
    """(role, username, password, login URL, home page) for every listed demo account,
    on the address the site is served on (MOTCUA_SITE_URL; `make demo` sets it)."""
    from django.conf import settings

    site = str(getattr(settings, "MOTCUA_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
    login, staff_home = site + LOGIN_PATH, site + STAFF_HOME_PATH
    rows = [
        (s.label, s.username, DEMO_PASSWORD, login, staff_home)
        for s in STAFF + LINKED_STAFF
        if s.listed
    ]
    rows += [
        (str(c["label"]), str(c["username"]), DEMO_PASSWORD, login, site + CITIZEN_HOME_PATH)
        for c in CITIZENS
    ]
    return rows
