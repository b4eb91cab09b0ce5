"""Fixtures for the documents tests: one demo PKI per session (EC P-256 keys, an RSA
TSA key), file storage in a temporary directory, credentials for the personas."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from motcua.core.testing.files import tiny_image
from motcua.documents import pki


@dataclass
class SessionPki:
    root: Path
    tokens: dict[str, pki.IssuedToken]


@pytest.fixture(scope="session")
def session_pki(tmp_path_factory) -> SessionPki:
    from django.test import override_settings

    root = tmp_path_factory.mktemp("pki")
    with override_settings(MOTCUA_PKI_DIR=str(root)):
        pki.ensure_root()
        tokens = {
            "leader": pki.issue_pkcs12(
                slug="leader", common_name="Lãnh Đạo X", organization="Sở X", unit_name="Giám đốc"
            ),
            "receptionist": pki.issue_pkcs12(
                slug="receptionist", common_name="Tiếp Nhận X", organization="Sở X"
            ),
            "specialist": pki.issue_pkcs12(
                slug="specialist", common_name="Chuyên Viên Y", organization="Sở Y"
            ),
            "agency": pki.issue_pkcs12(
                slug="agency", common_name="Sở X", organization="UBND tỉnh Thử nghiệm"
            ),
        }
    return SessionPki(root, tokens)


@pytest.fixture(autouse=True)
def documents_settings(settings, session_pki, tmp_path):
    settings.MOTCUA_PKI_DIR = str(session_pki.root)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""
    settings.MOTCUA_TSA_URL = ""
    from django.core.cache import cache

    cache.clear()
    return settings


def pem_of(token: pki.IssuedToken) -> str:
    return token.certificate.public_bytes(Encoding.PEM).decode()


@dataclass
class Credentials:
    leader: object
    receptionist: object
    specialist: object
    agency: object


@pytest.fixture
def demo_trust(db, session_pki):
    from motcua.documents.services import trust_anchor_add

    return trust_anchor_add(
        certificate_pem=pki.paths().ca_cert.read_text(), name=pki.ROOT_NAME, is_demo=True
    )


@pytest.fixture
def credentials(personas, session_pki, demo_trust) -> Credentials:
    from motcua.documents.services import signing_credential_register

    tokens = session_pki.tokens

    def reg(name, **owner):
        return signing_credential_register(
            certificate_pem=pem_of(tokens[name]),
            plugin="pkcs12",
            config={"path": str(tokens[name].p12_path)},
            **owner,
        )

    return Credentials(
        leader=reg("leader", user=personas.leader_x),
        receptionist=reg("receptionist", user=personas.receptionist_x),
        specialist=reg("specialist", user=personas.specialist_y),
        agency=reg("agency", unit=personas.unit_x),
    )


def make_pdf(text: str = "Tài liệu thử nghiệm", pages: int = 1) -> bytes:
    """A small valid PDF (pikepdf), no active content."""
    import pikepdf

    pdf = pikepdf.Pdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for pdf_page in pdf.pages:
        pdf_page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        ascii_text = text.encode("ascii", "replace").decode()
        pdf_page.Contents = pdf.make_stream(f"BT /F1 14 Tf 72 760 Td ({ascii_text}) Tj ET".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def make_png(size=(200, 100), colour="white") -> bytes:
    return tiny_image(size, colour)


def make_jpeg(size=(300, 200)) -> bytes:
    return tiny_image(size, "gray", kind="JPEG")


def stored_blobs(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def issued_result(personas, credentials):
    """A result rendered with a QR code for citizen A by unit X (not yet signed)."""
    from motcua.documents.services import issued_document_create

    return issued_document_create(
        title="Giấy phép xây dựng",
        issuer_name="Sở X",
        actor=personas.leader_x,
        unit=personas.unit_x,
        owner=personas.citizen_a,
        dossier_code="000.00.01.H47-261127-0001",
        procedure_code="1.009972",
        template_source="<p>Cấp cho ông/bà {{ name }}.</p>",
        context={"name": personas.citizen_a.full_name},
    )
