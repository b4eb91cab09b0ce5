from dataclasses import dataclass

import pytest

from motcua.accounts.models import User
from motcua.core.testing.personas import make_officer
from motcua.org.constants import Role
from motcua.workdays.selectors import clear_cache
from tests.feedback.factories import make_dossier


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Unit ids are reused between tests (rolled-back transactions): drop cached indexes.
    clear_cache()
    yield
    clear_cache()


@dataclass
class Staff:
    specialist_x: User  # ordinary staff of unit X, the subject of complaints below
    clerk_x: User  # another ordinary officer of unit X
    leader_y: User
    specialist_y: User


@pytest.fixture
def staff(personas) -> Staff:
    return Staff(
        specialist_x=make_officer("chuyenvien.x", personas.unit_x, Role.SPECIALIST),
        clerk_x=make_officer("vanthu.x", personas.unit_x, Role.CLERK),
        leader_y=make_officer("lanhdao.y", personas.unit_y, Role.LEADER, is_head=True),
        specialist_y=personas.specialist_y,
    )


@pytest.fixture
def dossier(personas, staff):
    """Citizen A's dossier at unit X: received by the receptionist, handled by the
    specialist of X."""
    return make_dossier(
        applicant=personas.citizen_a,
        unit=personas.unit_x,
        assignee=staff.specialist_x,
        receptionist=personas.receptionist_x,
    )
