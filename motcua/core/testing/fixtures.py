"""Builders shared by the test folders (dossiers, payments, integrations, security, …):
a published procedure version handled by unit X, online dossiers of citizen A at the
usual stages, extra officers, and the sandbox payment settings. Plain functions (usable
from benchmarks and helper modules) plus a few pytest fixtures that a conftest.py
re-exports by importing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import User
from motcua.catalog.constants import FeeKind, StepUnitRule
from motcua.core.testing.personas import Personas, make_officer
from motcua.org.constants import Role
from motcua.org.models import OrgUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 02/03/2026, 08:00 — an ordinary working day.
MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)

# Process steps as (name, role, working days, unit rule).
BIRTH_STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("Tiếp nhận hồ sơ", Role.RECEPTIONIST, "0.5", StepUnitRule.RECEIVING),
    ("Thẩm định", Role.SPECIALIST, "3", StepUnitRule.COMPETENT),
    ("Phê duyệt", Role.LEADER, "1", StepUnitRule.COMPETENT),
)
ONE_DAY_STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("Tiếp nhận", Role.RECEPTIONIST, "1", StepUnitRule.RECEIVING),
    ("Thẩm định", Role.SPECIALIST, "1", StepUnitRule.COMPETENT),
    ("Phê duyệt", Role.LEADER, "1", StepUnitRule.COMPETENT),
)
# The certified-copy procedure used by the payments and security tests (fees added there).
COPY_PROCEDURE: dict[str, Any] = {
    "procedure": ("2.000635", "Cấp bản sao trích lục"),
    "name": "Cấp bản sao trích lục hộ tịch",
    "components": (("TK", "Tờ khai"),),
    "steps": ONE_DAY_STEPS,
}
# Its levy per copy (FeeRule fields; the name and any discount are given by the test).
COPY_LEVY: dict[str, Any] = {
    "code": "LP",
    "kind": FeeKind.LEVY,
    "amount": 10_000,
    "basis": "per_copy",
    "quantity_field": "so_ban",
}


def make_published_version(
    unit: OrgUnit,
    *,
    procedure: tuple[str, str] = ("1.001193", "Đăng ký khai sinh"),
    name: str = "",
    field: tuple[str, str] = ("G01-TP", "Tư pháp"),
    components: Sequence[tuple[str, str]] = (("TK", "Tờ khai đăng ký khai sinh"),),
    steps: Sequence[tuple[str, str, str, str]] = BIRTH_STEPS,
    processing_days: int = 5,
) -> Any:
    """A published, fully online procedure version (effective since 2020) with one
    default case, its components and process steps, settled and received by `unit`."""
    from motcua.catalog.constants import (
        ImplementingLevel,
        OnlineMode,
        TimeUnit,
        VersionStatus,
    )
    from motcua.catalog.models import (
        Competence,
        Component,
        Field,
        Procedure,
        ProcedureCase,
        ProcedureVersion,
        ProcessStep,
    )

    fld = Field.objects.create(code=field[0], name=field[1])
    proc = Procedure.objects.create(
        code=procedure[0], name=procedure[1], field=fld, level=ImplementingLevel.PROVINCE
    )
    version = ProcedureVersion.objects.create(
        procedure=proc,
        number=1,
        status=VersionStatus.PUBLISHED,
        name=name or procedure[1],
        online_mode=OnlineMode.FULL,
        processing_time_value=Decimal(processing_days),
        processing_time_unit=TimeUnit.WORKING_DAYS,
        effective_from=dt.date(2020, 1, 1),
    )
    ProcedureCase.objects.create(version=version, code="TH1", name="Thông thường", is_default=True)
    for order, (code, title) in enumerate(components, start=1):
        Component.objects.create(version=version, code=code, name=title, order=order)
    for order, (step, role, days, rule) in enumerate(steps, start=1):
        ProcessStep.objects.create(
            version=version,
            order=order,
            name=step,
            role=role,
            duration_value=Decimal(days),
            duration_unit=TimeUnit.WORKING_DAYS,
            unit_rule=rule,
        )
    Competence.objects.create(procedure=proc, unit=unit, valid_from=dt.date(2020, 1, 1))
    return version


def submit_online_dossier(
    *,
    version: Any,
    applicant: Any,
    unit: OrgUnit,
    form_answers: dict[str, Any] | None = None,
    file_names: bool = True,
    now: dt.datetime | None = None,
) -> Any:
    """An online dossier with every component of `version` (each with a file named
    after its code when `file_names`), waiting for reception at `unit`."""
    from motcua.dossiers import services

    return services.dossier_submit_online(
        applicant=applicant,
        procedure_version=version,
        receiving_unit=unit,
        form_answers=form_answers,
        components=[
            services.ComponentInput(
                component=c, files=[{"name": f"{c.code}.pdf"}] if file_names else []
            )
            for c in version.components.all()
        ],
        now=now,
    )


def receive_dossier(dossier: Any, *, receptionist: Any, now: dt.datetime | None = None) -> Any:
    from motcua.dossiers import services

    return services.dossier_receive(
        dossier=dossier, actor=receptionist, expected_version=dossier.version, now=now
    )


def assign_dossier(
    dossier: Any, *, leader: Any, assignee: Any, now: dt.datetime | None = None
) -> Any:
    from motcua.dossiers import services

    return services.dossier_assign(
        dossier=dossier,
        actor=leader,
        expected_version=dossier.version,
        assignee=assignee,
        now=now,
    )


# --- officers besides the personas ------------------------------------------------------

# name -> (username, personas' unit attribute, role, head of unit)
OFFICERS: dict[str, tuple[str, str, str, bool]] = {
    "specialist_x": ("chuyenvien.x", "unit_x", Role.SPECIALIST, False),
    "clerk_x": ("vanthu.x", "unit_x", Role.CLERK, False),
    "leader_y": ("lanhdao.y", "unit_y", Role.LEADER, True),
    "receptionist_y": ("tiepnhan.y", "unit_y", Role.RECEPTIONIST, False),
}


@dataclass
class Staff:
    """Officers a test folder adds to the personas; only those asked for exist."""

    specialist_x: User | None = None
    clerk_x: User | None = None
    leader_y: User | None = None
    receptionist_y: User | None = None
    specialist_y: User | None = None


def make_staff(personas: Personas, *names: str) -> Staff:
    """Create the named officers of OFFICERS, in the order given."""
    staff = Staff()
    for name in names:
        username, unit, role, is_head = OFFICERS[name]
        officer = make_officer(username, getattr(personas, unit), role, is_head=is_head)
        setattr(staff, name, officer)
    return staff


# --- settings ---------------------------------------------------------------------------


def use_payment_sandbox(settings: Any, tmp_path: Path, *, secret: str) -> Any:
    """Files and PKI under tmp_path (no signing credential: unsigned receipts), no virus
    scanner, and the sandbox gateway, VietQR and cash providers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""
    settings.MOTCUA_PAYGATE_SECRET = secret
    settings.MOTCUA_PAYGATE_TMN_CODE = "MOTCUA01"
    settings.MOTCUA_PAYGATE_SANDBOX = True
    settings.MOTCUA_PAYMENT_PROVIDERS = ["sandbox_gateway", "vietqr", "cash"]
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    return settings


# --- pytest fixtures (import them into a conftest.py; they need `personas` and, for the
# dossier ones, a `version` fixture of that folder) -----------------------------------------


@pytest.fixture
def specialist_x(personas: Personas) -> User:
    return make_officer("chuyenvien.x", personas.unit_x, Role.SPECIALIST)


@pytest.fixture
def make_dossier(personas: Personas, version: Any) -> Callable[..., Any]:
    """make_dossier(citizen=None, *, at=MONDAY): an online birth-registration dossier
    (citizen A by default) waiting for reception at unit X."""

    def make(citizen: Any = None, *, at: dt.datetime = MONDAY) -> Any:
        return submit_online_dossier(
            version=version,
            applicant=citizen or personas.citizen_a,
            unit=personas.unit_x,
            form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
            now=at,
        )

    return make


@pytest.fixture
def receive_and_assign(personas: Personas, specialist_x: User) -> Callable[..., Any]:
    """receive_and_assign(dossier, at=MONDAY): received by receptionist X, assigned to
    the specialist of X by leader X an hour later."""

    def run(dossier: Any, at: dt.datetime = MONDAY) -> Any:
        dossier = receive_dossier(dossier, receptionist=personas.receptionist_x, now=at)
        return assign_dossier(
            dossier,
            leader=personas.leader_x,
            assignee=specialist_x,
            now=at + dt.timedelta(hours=1),
        )

    return run
