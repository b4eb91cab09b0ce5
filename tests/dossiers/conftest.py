"""Fixtures for the dossier tests (also imported by other folders): the birth
registration procedure received by unit X, extra officers, and citizen A's online
dossier at its first stages. Built with motcua.core.testing.fixtures."""

import datetime as dt

import pytest

from motcua.catalog.constants import StepUnitRule
from motcua.catalog.models import ProcedureVersion
from motcua.core.testing.fixtures import (
    BIRTH_STEPS,
    MONDAY,
    TZ,
    Staff,
    assign_dossier,
    make_published_version,
    make_staff,
    receive_dossier,
    submit_online_dossier,
)
from motcua.org.constants import Role

__all__ = ["MONDAY", "TZ", "Staff"]


@pytest.fixture
def staff(personas) -> Staff:
    return make_staff(personas, "specialist_x", "clerk_x", "leader_y", "receptionist_y")


@pytest.fixture
def version(personas) -> ProcedureVersion:
    """A published 5-working-day procedure settled and received by unit X."""
    return make_published_version(
        personas.unit_x,
        components=[("TK", "Tờ khai đăng ký khai sinh"), ("GCS", "Giấy chứng sinh")],
        steps=[
            *BIRTH_STEPS,
            ("Ban hành kết quả", Role.CLERK, "0.5", StepUnitRule.COMPETENT),
        ],
    )


@pytest.fixture
def submitted(personas, version):
    """An online dossier of citizen A waiting for reception at unit X."""
    return submit_online_dossier(
        version=version,
        applicant=personas.citizen_a,
        unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
        now=MONDAY,
    )


@pytest.fixture
def received(personas, submitted):
    return receive_dossier(submitted, receptionist=personas.receptionist_x, now=MONDAY)


@pytest.fixture
def in_process(personas, staff, received):
    return assign_dossier(
        received,
        leader=personas.leader_x,
        assignee=staff.specialist_x,
        now=MONDAY + dt.timedelta(hours=1),
    )
