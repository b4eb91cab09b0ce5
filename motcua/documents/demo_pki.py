"""Provision the demo PKI in the database: trust the demo root (flagged as demo) and
give every current officer a personal PKCS#12 token and every staffed unit an agency
token. Idempotent; used by `motcua documents_demo_pki` and by tests."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.documents import pki
from motcua.documents.models import SigningCredential
from motcua.documents.services.signatures import signing_credential_register, trust_anchor_add


def _pem(cert: Any) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return str(cert.public_bytes(Encoding.PEM).decode())


def issue_personal(user: Any, unit: Any = None, position: str = "") -> SigningCredential:
    token = pki.issue_pkcs12(
        slug=f"user-{user.pk}-{pki.slugify_ascii(user.username)}",
        common_name=user.full_name or user.username,
        organization=(unit.name if unit else pki.DEMO_ORG),
        unit_name=position,
    )
    return signing_credential_register(
        certificate_pem=_pem(token.certificate),
        plugin="pkcs12",
        config={"path": str(token.p12_path.relative_to(pki.pki_dir()))},
        user=user,
    )


def issue_agency(unit: Any) -> SigningCredential:
    parent = unit.parent.name if unit.parent_id else pki.DEMO_ORG
    token = pki.issue_pkcs12(
        slug=f"unit-{unit.pk}-{pki.slugify_ascii(unit.code)}",
        common_name=unit.name,
        organization=parent,
    )
    return signing_credential_register(
        certificate_pem=_pem(token.certificate),
        plugin="pkcs12",
        config={"path": str(token.p12_path.relative_to(pki.pki_dir()))},
        unit=unit,
    )


def provision(*, officers: bool = True) -> dict[str, int]:
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    pki.ensure_root()
    counts = {"personal": 0, "agency": 0}
    with transaction.atomic():
        trust_anchor_add(
            certificate_pem=pki.paths().ca_cert.read_text(), name=pki.ROOT_NAME, is_demo=True
        )
        if not officers:
            return counts
        assignments = StaffAssignment.objects.filter(valid_on(timezone.localdate())).select_related(
            "user", "unit", "unit__parent"
        )
        have_user = set(
            SigningCredential.objects.filter(kind="personal", is_active=True).values_list(
                "user_id", flat=True
            )
        )
        have_unit = set(
            SigningCredential.objects.filter(kind="agency", is_active=True).values_list(
                "unit_id", flat=True
            )
        )
        for assignment in assignments:
            if assignment.user_id not in have_user and assignment.user.is_active:
                issue_personal(assignment.user, assignment.unit, assignment.position)
                have_user.add(assignment.user_id)
                counts["personal"] += 1
            if assignment.unit_id not in have_unit:
                issue_agency(assignment.unit)
                have_unit.add(assignment.unit_id)
                counts["agency"] += 1
    return counts
