import pytest

from motcua.core.testing.fixtures import Staff, make_staff
from motcua.workdays.selectors import clear_cache
from tests.feedback.factories import make_dossier


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Unit ids are reused between tests (rolled-back transactions): drop cached indexes.
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def staff(personas) -> Staff:
    """specialist_x (ordinary staff of unit X, the subject of complaints below), clerk_x
    (another ordinary officer of unit X), leader_y and the persona specialist_y."""
    staff = make_staff(personas, "specialist_x", "clerk_x", "leader_y")
    staff.specialist_y = personas.specialist_y
    return staff


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
