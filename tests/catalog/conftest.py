import datetime as dt

import pytest

from motcua.catalog.constants import TimeUnit
from motcua.catalog.demo import load_demo_catalogue
from motcua.catalog.models import Field, Procedure
from motcua.catalog.services import procedure_create, procedure_version_publish
from motcua.core.testing.personas import make_unit
from motcua.org.constants import UnitKind
from motcua.org.models import OrgUnit


def _unit(code, name, kind, parent=None):
    # The personas already use some of these codes: reuse a unit that exists.
    return OrgUnit.objects.filter(code=code).first() or make_unit(code, name, kind, parent)


@pytest.fixture
def demo_units(personas):
    """The unit codes the demo catalogue refers to (subset of motcua/org/data)."""
    province = _unit("000.00.00.H47", "UBND tỉnh Quảng Nam", UnitKind.PROVINCE)
    units = {
        "province": province,
        "pas": _unit(
            "000.00.01.H47",
            "Trung tâm Phục vụ hành chính công tỉnh Quảng Nam",
            UnitKind.SERVICE_CENTER,
            province,
        ),
        "environment": _unit(
            "000.00.10.H47", "Sở Tài nguyên và Môi trường", UnitKind.DEPARTMENT, province
        ),
        "police": _unit("000.00.19.H47", "Công an tỉnh Quảng Nam", UnitKind.VERTICAL, province),
    }
    city = _unit("000.00.31.H47", "UBND thành phố Tam Kỳ", UnitKind.DISTRICT, province)
    units["commune_a"] = _unit("000.11.31.H47", "UBND phường Tân Thạnh", UnitKind.COMMUNE, city)
    units["commune_b"] = _unit("000.12.31.H47", "UBND phường An Mỹ", UnitKind.COMMUNE, city)
    return units


@pytest.fixture
def demo_catalog(demo_units):
    result = load_demo_catalogue()
    assert result.created >= 20
    return result


@pytest.fixture
def simple_procedure(db):
    """One published procedure: 5 working days, one 50,000 đ levy."""
    field = Field.objects.create(code="TEST", name="Lĩnh vực thử")
    version = procedure_create(
        code="9.000001", name="Cấp giấy thử nghiệm", field=field, level="commune", actor=None
    )
    version.processing_time_value = 5
    version.processing_time_unit = TimeUnit.WORKING_DAYS
    version.save()
    version.fee_rules.create(code="LP", kind="le_phi", name="Lệ phí", amount=50000)
    procedure_version_publish(version=version, effective_from=dt.date(2025, 1, 1), actor=None)
    return Procedure.objects.get(code="9.000001")
