import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

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
from motcua.sandbox_portal.models import Mode, PortalSwitch

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


@pytest.fixture
def version(personas) -> ProcedureVersion:
    field = Field.objects.create(code="G01-HT", name="Hộ tịch")
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
    for order, name, role, days, rule in [
        (1, "Tiếp nhận hồ sơ", Role.RECEPTIONIST, "0.5", StepUnitRule.RECEIVING),
        (2, "Thẩm định", Role.SPECIALIST, "3", StepUnitRule.COMPETENT),
        (3, "Phê duyệt", Role.LEADER, "1", StepUnitRule.COMPETENT),
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
def specialist_x(personas):
    return make_officer("chuyenvien.x", personas.unit_x, Role.SPECIALIST)


@pytest.fixture
def make_dossier(personas, version):
    def make(citizen=None, *, at=MONDAY):
        return services.dossier_submit_online(
            applicant=citizen or personas.citizen_a,
            procedure_version=version,
            receiving_unit=personas.unit_x,
            form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
            components=[
                services.ComponentInput(component=c, files=[{"name": f"{c.code}.pdf"}])
                for c in version.components.all()
            ],
            now=at,
        )

    return make


@pytest.fixture
def receive_and_assign(personas, specialist_x):
    def run(d, at=MONDAY):
        d = services.dossier_receive(
            dossier=d, actor=personas.receptionist_x, expected_version=d.version, now=at
        )
        return services.dossier_assign(
            dossier=d,
            actor=personas.leader_x,
            expected_version=d.version,
            assignee=specialist_x,
            now=at + dt.timedelta(hours=1),
        )

    return run


@pytest.fixture
def portal():
    """Switches of the sandbox national portal."""

    class Portal:
        def set(self, mode: str) -> None:
            switch = PortalSwitch.get()
            switch.mode = mode
            switch.save()

        def down(self) -> None:
            self.set(Mode.DOWN)

        def up(self) -> None:
            self.set(Mode.OK)

    return Portal()
