from __future__ import annotations

from dataclasses import dataclass

import pytest

from motcua.core.testing.personas import Personas, make_officer, make_unit
from motcua.org.constants import Role, UnitKind
from motcua.org.models import OrgUnit


@pytest.fixture(autouse=True)
def _signing(signing_settings):
    """Finished dossiers carry a signed electronic result (tests.monitoring.test_updater
    _finish provisions the officers' demo credentials)."""


@dataclass
class Tree:
    p: Personas
    district: OrgUnit
    commune: OrgUnit
    commune_2: OrgUnit


@pytest.fixture
def tree(personas) -> Tree:
    """The personas' province (Sở X, Sở Y) plus a district with two communes."""
    district = make_unit("000.00.30.H47", "Huyện Z", UnitKind.DISTRICT, personas.province)
    commune = make_unit("000.30.31.H47", "Xã Một", UnitKind.COMMUNE, district)
    commune_2 = make_unit("000.30.32.H47", "Xã Hai", UnitKind.COMMUNE, district)
    return Tree(personas, district, commune, commune_2)


@pytest.fixture
def district_supervisor(tree):
    return make_officer("giamsat.huyen", tree.district, Role.SUPERVISOR)
