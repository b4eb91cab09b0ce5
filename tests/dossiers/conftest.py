import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import User
from motcua.catalog.constants import (
    ImplementingLevel,
    OnlineMode,
    StepUnitRule,
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
from motcua.core.testing.personas import make_officer
from motcua.dossiers import services
from motcua.org.constants import Role

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 02/03/2026, 08:00 — an ordinary working day.
MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


@dataclass
class Staff:
    specialist_x: User
    clerk_x: User
    leader_y: User
    receptionist_y: User


@pytest.fixture
def staff(personas) -> Staff:
    return Staff(
        specialist_x=make_officer("chuyenvien.x", personas.unit_x, Role.SPECIALIST),
        clerk_x=make_officer("vanthu.x", personas.unit_x, Role.CLERK),
        leader_y=make_officer("lanhdao.y", personas.unit_y, Role.LEADER, is_head=True),
        receptionist_y=make_officer("tiepnhan.y", personas.unit_y, Role.RECEPTIONIST),
    )


@pytest.fixture
def version(personas) -> ProcedureVersion:
    """A published 5-working-day procedure settled and received by unit X."""
    field = Field.objects.create(code="G01-TP", name="Tư pháp")
    procedure = Procedure.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field=field, level=ImplementingLevel.PROVINCE
    )
    v = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=VersionStatus.PUBLISHED,
        name="Đăng ký khai sinh",
        online_mode=OnlineMode.FULL,
        processing_time_value=Decimal(5),
        processing_time_unit=TimeUnit.WORKING_DAYS,
        effective_from=dt.date(2020, 1, 1),
    )
    ProcedureCase.objects.create(version=v, code="TH1", name="Thông thường", is_default=True)
    Component.objects.create(version=v, code="TK", name="Tờ khai đăng ký khai sinh", order=1)
    Component.objects.create(version=v, code="GCS", name="Giấy chứng sinh", order=2)
    for order, name, role, days, rule in [
        (1, "Tiếp nhận hồ sơ", Role.RECEPTIONIST, "0.5", StepUnitRule.RECEIVING),
        (2, "Thẩm định", Role.SPECIALIST, "3", StepUnitRule.COMPETENT),
        (3, "Phê duyệt", Role.LEADER, "1", StepUnitRule.COMPETENT),
        (4, "Ban hành kết quả", Role.CLERK, "0.5", StepUnitRule.COMPETENT),
    ]:
        ProcessStep.objects.create(
            version=v,
            order=order,
            name=name,
            role=role,
            duration_value=Decimal(days),
            duration_unit=TimeUnit.WORKING_DAYS,
            unit_rule=rule,
        )
    Competence.objects.create(
        procedure=procedure, unit=personas.unit_x, valid_from=dt.date(2020, 1, 1)
    )
    return v


@pytest.fixture
def submitted(personas, version):
    """An online dossier of citizen A waiting for reception at unit X."""
    return services.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
        components=[
            services.ComponentInput(component=c, files=[{"name": f"{c.code}.pdf"}])
            for c in version.components.all()
        ],
        now=MONDAY,
    )


@pytest.fixture
def received(personas, submitted):
    return services.dossier_receive(
        dossier=submitted, actor=personas.receptionist_x, expected_version=1, now=MONDAY
    )


@pytest.fixture
def in_process(personas, staff, received):
    return services.dossier_assign(
        dossier=received,
        actor=personas.leader_x,
        expected_version=received.version,
        assignee=staff.specialist_x,
        now=MONDAY + dt.timedelta(hours=1),
    )
