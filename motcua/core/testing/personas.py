"""Test personas shared by the whole suite (design.md §2): citizen A and B, a business,
receptionist of unit X, specialist of unit Y, leader (head) of unit X, a provincial
supervisor and an administrator. Plain functions so benchmarks and e2e tests reuse them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.org.constants import Role, UnitKind
from motcua.org.models import OrgUnit, StaffAssignment

PASSWORD = "Mk-test-2026!"
SINCE = dt.date(2020, 1, 1)


def make_unit(code: str, name: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    path_prefix = parent.path if parent else "/"
    unit = OrgUnit.objects.create(
        code=code, name=name, kind=kind, parent=parent, depth=(parent.depth + 1) if parent else 0
    )
    unit.path = f"{path_prefix}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def make_officer(
    username: str,
    unit: OrgUnit,
    role: str,
    *,
    full_name: str | None = None,
    is_head: bool = False,
    position: str = "",
    with_totp: bool = True,
) -> User:
    user = User.objects.create_user(
        username, PASSWORD, kind=AccountKind.STAFF, full_name=full_name or username.title()
    )
    StaffAssignment.objects.create(
        user=user, unit=unit, role=role, is_head=is_head, position=position, valid_from=SINCE
    )
    if with_totp:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def make_citizen(username: str, full_name: str, phone: str | None = None) -> User:
    return User.objects.create_user(
        username,
        PASSWORD,
        kind=AccountKind.CITIZEN,
        full_name=full_name,
        personal_id=username,
        phone=phone,
    )


@dataclass
class Personas:
    province: OrgUnit
    unit_x: OrgUnit
    unit_y: OrgUnit
    citizen_a: User
    citizen_b: User
    business: User
    receptionist_x: User
    specialist_y: User
    leader_x: User
    supervisor: User
    admin: User


def build_personas() -> Personas:
    province = make_unit("000.00.00.H47", "UBND tỉnh Thử nghiệm", UnitKind.PROVINCE)
    unit_x = make_unit("000.00.01.H47", "Sở X", UnitKind.DEPARTMENT, province)
    unit_y = make_unit("000.00.02.H47", "Sở Y", UnitKind.DEPARTMENT, province)
    return Personas(
        province=province,
        unit_x=unit_x,
        unit_y=unit_y,
        citizen_a=make_citizen("001090000001", "Nguyễn Văn A", "0905000001"),
        citizen_b=make_citizen("001090000002", "Trần Thị B", "0905000002"),
        business=User.objects.create_user(
            "4000000001",
            PASSWORD,
            kind=AccountKind.BUSINESS,
            full_name="Công ty TNHH C",
            tax_code="4000000001",
        ),
        receptionist_x=make_officer("tiepnhan.x", unit_x, Role.RECEPTIONIST),
        specialist_y=make_officer("chuyenvien.y", unit_y, Role.SPECIALIST),
        leader_x=make_officer("lanhdao.x", unit_x, Role.LEADER, is_head=True, position="Giám đốc"),
        supervisor=make_officer("giamsat", province, Role.SUPERVISOR),
        admin=make_officer("quantri", province, Role.ADMINISTRATOR),
    )


def login(client: Client, user: User) -> Client:
    """Log a persona in; officers are marked as having passed their TOTP factor."""
    client.force_login(user)
    if user.kind == AccountKind.STAFF:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client
