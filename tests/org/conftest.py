import datetime as dt

import pytest

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.org import services
from motcua.org.constants import UnitKind


@pytest.fixture
def staff_user(db):
    def make(username: str, full_name: str = "") -> User:
        return User.objects.create_user(
            username, "Mk-test-2026!", kind=AccountKind.STAFF, full_name=full_name or username
        )

    return make


@pytest.fixture
def small_tree(db):
    """province → dept A, district D → commune C1, C2."""
    province = services.unit_create(code="P", name="Tỉnh P", kind=UnitKind.PROVINCE)
    dept = services.unit_create(code="A", name="Sở A", kind=UnitKind.DEPARTMENT, parent=province)
    district = services.unit_create(
        code="D", name="Huyện D", kind=UnitKind.DISTRICT, parent=province
    )
    c1 = services.unit_create(code="C1", name="Xã C1", kind=UnitKind.COMMUNE, parent=district)
    c2 = services.unit_create(code="C2", name="Xã C2", kind=UnitKind.COMMUNE, parent=district)
    return {"P": province, "A": dept, "D": district, "C1": c1, "C2": c2}


D = dt.date
