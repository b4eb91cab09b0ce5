"""Fixtures of the portal tests: the demo catalogue (birth registration received and
settled at unit X so the personas can process it), file storage in a temporary
directory, and a demo PKI for the signed result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from motcua.core.testing.files import tiny_image
from motcua.core.testing.files import tiny_pdf as make_pdf  # noqa: F401 — for the tests
from motcua.core.testing.personas import make_officer, make_unit
from motcua.org.constants import Role, UnitKind
from motcua.org.models import OrgUnit

BIRTH = "1.001193"


def _unit(code: str, name: str, kind: str, parent: Any = None) -> OrgUnit:
    return OrgUnit.objects.filter(code=code).first() or make_unit(code, name, kind, parent)


@pytest.fixture(autouse=True)
def portal_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""
    settings.MOTCUA_TSA_URL = ""
    from django.core.cache import cache

    cache.clear()
    return settings


@pytest.fixture
def demo_units(personas):
    province = _unit("000.00.00.H47", "UBND tỉnh Quảng Nam", UnitKind.PROVINCE)
    city = _unit("000.00.31.H47", "UBND thành phố Tam Kỳ", UnitKind.DISTRICT, province)
    return {
        "province": province,
        "pas": _unit("000.00.01.H47", "Trung tâm PVHCC", UnitKind.SERVICE_CENTER, province),
        "environment": _unit("000.00.10.H47", "Sở TN-MT", UnitKind.DEPARTMENT, province),
        "police": _unit("000.00.19.H47", "Công an tỉnh", UnitKind.VERTICAL, province),
        "commune_a": _unit("000.11.31.H47", "UBND phường Tân Thạnh", UnitKind.COMMUNE, city),
        "commune_b": _unit("000.12.31.H47", "UBND phường An Mỹ", UnitKind.COMMUNE, city),
    }


@pytest.fixture
def birth(personas, demo_units):
    """The demo "Đăng ký khai sinh" (e-form, conditional components, ID card from the
    national population database). Unit X (000.00.01.H47) is made competent too."""
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.catalog.models import Competence
    from motcua.catalog.selectors import public_procedure

    load_demo_catalogue()
    _procedure, version = public_procedure(BIRTH)
    Competence.objects.filter(procedure=version.procedure, unit=personas.unit_x).update(
        is_competent=True
    )
    return version


@dataclass
class Staff:
    specialist: Any
    clerk: Any


@pytest.fixture
def staff(personas) -> Staff:
    return Staff(
        specialist=make_officer("chuyenvien.x", personas.unit_x, Role.SPECIALIST),
        clerk=make_officer("vanthu.x", personas.unit_x, Role.CLERK),
    )


def make_png(size=(600, 800), colour="white") -> bytes:
    return tiny_image(size, colour)


@pytest.fixture(scope="session")
def portal_pki(tmp_path_factory):
    from django.test import override_settings

    from motcua.documents import pki

    root = tmp_path_factory.mktemp("portal-pki")
    with override_settings(MOTCUA_PKI_DIR=str(root)):
        pki.ensure_root()
        tokens = {
            "leader": pki.issue_pkcs12(
                slug="leader", common_name="Lãnh Đạo X", organization="Sở X", unit_name="Giám đốc"
            ),
            "agency": pki.issue_pkcs12(
                slug="agency", common_name="Sở X", organization="UBND tỉnh Thử nghiệm"
            ),
        }
    return root, tokens


@pytest.fixture
def signing(settings, personas, portal_pki):
    """Signing credentials for leader X and unit X, and the demo root as trusted."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from motcua.documents import pki
    from motcua.documents.services import signing_credential_register, trust_anchor_add

    root, tokens = portal_pki
    settings.MOTCUA_PKI_DIR = str(root)
    trust_anchor_add(
        certificate_pem=pki.paths().ca_cert.read_text(), name=pki.ROOT_NAME, is_demo=True
    )

    def reg(name: str, **owner: Any) -> Any:
        return signing_credential_register(
            certificate_pem=tokens[name].certificate.public_bytes(Encoding.PEM).decode(),
            plugin="pkcs12",
            config={"path": str(tokens[name].p12_path)},
            **owner,
        )

    return reg("leader", user=personas.leader_x), reg("agency", unit=personas.unit_x)


def process_to_result(d: Any, personas: Any, staff: Staff) -> Any:
    """The officers' part, through the services: receive, assign, submit; the leader
    approves by signing the result generated from the procedure's template, the clerk
    issues it with the agency seal (pushed to the warehouse), it is returned online."""
    from motcua.dossiers import services

    d = services.dossier_receive(
        dossier=d, actor=personas.receptionist_x, expected_version=d.version
    )
    d = services.dossier_assign(
        dossier=d, actor=personas.leader_x, expected_version=d.version, assignee=staff.specialist
    )
    d = services.dossier_submit_for_approval(
        dossier=d, actor=staff.specialist, expected_version=d.version
    )
    d = services.dossier_approve(dossier=d, actor=personas.leader_x, expected_version=d.version)
    d = services.dossier_issue_result(
        dossier=d, actor=staff.clerk, expected_version=d.version, result_number="15/GKS"
    )
    return services.dossier_return_result(
        dossier=d, actor=personas.receptionist_x, expected_version=d.version, channel="online"
    )
