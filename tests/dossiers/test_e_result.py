"""The electronic result end to end through the services: generated from the procedure
template with the QR code, signed by the leader at approval, sealed by the agency at
issue, linked to the dossier (result_files, national sync), in the applicant's
warehouse; required signatures enforced; uploads validated; replacement keeps history."""

import datetime as dt
import io

import pytest

from motcua.core.models import AuditEntry
from motcua.documents import selectors as doc_sel
from motcua.documents.constants import SignerRole
from motcua.documents.models import IssuedDocument, SignatureRecord, WarehouseItem
from motcua.documents.services import stored_file_bytes
from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus as S
from motcua.dossiers.errors import InvalidDossierData, SignatureMissing
from motcua.dossiers.services.e_result import result_document_of, signed_roles
from tests.dossiers.conftest import MONDAY

H = dt.timedelta(hours=1)


def validate_with_pyhanko(data: bytes):
    """Plain pyHanko, trusted with the demo root only (on a thread of its own: pyHanko
    runs an event loop, which Playwright's sync API already holds in browser tests)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_validate_with_pyhanko, data).result()


def _validate_with_pyhanko(data: bytes):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from motcua.documents import pki

    root = load_cert_from_pemder(str(pki.paths().ca_cert))
    reader = PdfFileReader(io.BytesIO(data))
    out = []
    for sig in reader.embedded_signatures:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root]))
        out.append((sig.signer_cert.subject.native["common_name"], status))
    return out


@pytest.fixture
def awaiting(personas, staff, in_process, e_signing):
    d = in_process
    return services.dossier_submit_for_approval(
        dossier=d, actor=staff.specialist_x, expected_version=d.version, now=MONDAY + 2 * H
    )


def _approve(d, personas):
    return services.dossier_approve(
        dossier=d, actor=personas.leader_x, expected_version=d.version, now=MONDAY + 3 * H
    )


def _issue(d, staff, number="12/GKS"):
    return services.dossier_issue_result(
        dossier=d,
        actor=staff.clerk_x,
        expected_version=d.version,
        result_number=number,
        now=MONDAY + 4 * H,
    )


def test_leader_signs_agency_seals_result_linked_and_in_warehouse(personas, staff, awaiting):
    d = _approve(awaiting, personas)
    assert d.status == S.APPROVED
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services.e_result import has_signed_e_result

    assert not Dossier.objects.filter(has_signed_e_result()).exists()  # not sealed yet
    issued = result_document_of(d)
    assert issued is not None and issued.owner == personas.citizen_a
    assert signed_roles(issued) == [SignerRole.LEADER]
    assert d.events.get(action="approve").payload["result_code"] == issued.code
    # The generated document carries the QR/verification code.
    from pypdf import PdfReader

    first = SignatureRecord.objects.get(role=SignerRole.LEADER).signed_from
    text = PdfReader(io.BytesIO(stored_file_bytes(first))).pages[0].extract_text()
    assert issued.code in text and personas.citizen_a.full_name in text

    d = _issue(d, staff)
    assert d.status == S.RESOLVED and d.result_number == "12/GKS"
    issued.refresh_from_db()
    assert signed_roles(issued) == [SignerRole.LEADER, SignerRole.AGENCY]
    (entry,) = d.result_files
    assert entry["ref"] == issued.code and entry["file"] == str(issued.file_id)
    assert entry["url"].endswith(f"/xac-minh/{issued.code}/tai-ve/")
    data = stored_file_bytes(issued.file)
    signers = validate_with_pyhanko(data)
    assert [name for name, _s in signers] == [personas.leader_x.full_name, personas.unit_x.name]
    assert all(s.intact and s.valid and s.trusted for _n, s in signers)
    assert WarehouseItem.objects.get(owner=personas.citizen_a, result_code=issued.code).file_id == (
        issued.file_id
    )
    # The national sync message lists the signed result.
    from motcua.integrations import mapping
    from motcua.integrations.snapshot import dossier_snapshot

    message = mapping.dossier_v2018(dossier_snapshot(d))
    (doc,) = message["DanhSachGiayToKetQua"]
    assert doc["GiayToId"] == issued.code and doc["MaGiayToKetQua"] == "12/GKS"
    assert doc["DuongDanTepTinKetQua"] == entry["url"]

    d = services.dossier_return_result(
        dossier=d,
        actor=personas.receptionist_x,
        expected_version=d.version,
        channel="online",
        now=MONDAY + 5 * H,
    )
    assert d.status == S.RESULT_RETURNED
    # Queryable for the monitoring: dossiers with a signed electronic result.
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services.e_result import has_signed_e_result

    assert list(Dossier.objects.filter(has_signed_e_result()).values_list("pk", flat=True)) == [
        d.pk
    ]


def test_issue_and_return_refused_without_required_signatures(personas, staff, awaiting):
    from motcua.dossiers.models import Dossier

    d = _approve(awaiting, personas)
    # The leader's signature disappears (e.g. a draft registered afterwards without it).
    issued = result_document_of(d)
    SignatureRecord.objects.filter(file=issued.file).delete()
    with pytest.raises(SignatureMissing):
        _issue(d, staff)
    assert Dossier.objects.get(pk=d.pk).status == S.APPROVED

    # Resolved but the agency seal is missing: no return.
    Dossier.objects.filter(pk=d.pk).update(status=S.RESOLVED)
    d = Dossier.objects.get(pk=d.pk)
    with pytest.raises(SignatureMissing):
        services.dossier_return_result(
            dossier=d,
            actor=personas.receptionist_x,
            expected_version=d.version,
            channel="online",
            now=MONDAY + 5 * H,
        )


def test_leader_without_credential_cannot_approve(personas, staff, awaiting):
    from motcua.documents.models import SigningCredential

    SigningCredential.objects.filter(user=personas.leader_x).update(is_active=False)
    with pytest.raises(SignatureMissing):
        _approve(awaiting, personas)
    awaiting.refresh_from_db()
    assert awaiting.status == S.AWAITING_APPROVAL


def test_uploaded_unsigned_draft_is_signed_and_replaced_one_kept(
    personas, staff, in_process, e_signing
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.conftest import make_pdf

    d = in_process
    d = services.dossier_submit_for_approval(
        dossier=d,
        actor=staff.specialist_x,
        expected_version=d.version,
        result_file=SimpleUploadedFile("ket-qua.pdf", make_pdf("Ket qua"), "application/pdf"),
        now=MONDAY + 2 * H,
    )
    uploaded = result_document_of(d)
    assert uploaded is not None and signed_roles(uploaded) == []
    d = services.dossier_send_back(
        dossier=d, actor=personas.leader_x, expected_version=d.version, reason="Sửa lại"
    )
    d = services.dossier_submit_for_approval(
        dossier=d,
        actor=staff.specialist_x,
        expected_version=d.version,
        result_file=SimpleUploadedFile("ket-qua-2.pdf", make_pdf("Ket qua 2"), "application/pdf"),
    )
    second = result_document_of(d)
    assert second.pk != uploaded.pk and second.replaces_id == uploaded.pk
    uploaded.refresh_from_db()
    assert uploaded.revoked_at is not None and second.code in uploaded.revocation_reason
    assert AuditEntry.objects.filter(action="documents.replace", object_id=str(second.pk)).exists()
    d = _approve(d, personas)
    assert signed_roles(result_document_of(d)) == [SignerRole.LEADER]


def test_upload_with_broken_signature_is_refused(personas, staff, in_process, e_signing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.documents.services import document_sign, issued_document_create

    other = issued_document_create(
        title="X", issuer_name="Sở X", actor=personas.leader_x, unit=personas.unit_x
    )
    signed = document_sign(file=other.file, actor=personas.leader_x, role=SignerRole.LEADER)
    data = bytearray(stored_file_bytes(signed))
    data[200] ^= 0x01  # one byte inside the signed range
    d = in_process
    with pytest.raises(InvalidDossierData):
        services.dossier_submit_for_approval(
            dossier=d,
            actor=staff.specialist_x,
            expected_version=d.version,
            result_file=SimpleUploadedFile("ky.pdf", bytes(data), "application/pdf"),
        )
    d.refresh_from_db()
    assert d.status == S.IN_PROCESS
    # A correctly signed upload is accepted with its signature intact.
    d = services.dossier_submit_for_approval(
        dossier=d,
        actor=staff.specialist_x,
        expected_version=d.version,
        result_file=SimpleUploadedFile("ky.pdf", stored_file_bytes(signed), "application/pdf"),
    )
    issued = result_document_of(d)
    assert doc_sel.signature_report(issued.file).signatures[0].verdict == "valid"
    assert IssuedDocument.objects.filter(dossier_code=d.code).count() == 1


def test_correction_keeps_the_old_result_and_links_the_new(personas, staff, awaiting):
    d = _issue(_approve(awaiting, personas), staff)
    old = result_document_of(d)
    d = services.dossier_correct_result(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        reason="Sai ngày sinh của trẻ",
    )
    assert d.status == S.RESOLVED
    new = result_document_of(d)
    assert new.pk != old.pk and new.replaces_id == old.pk
    assert signed_roles(new) == [SignerRole.LEADER, SignerRole.AGENCY]
    old.refresh_from_db()
    assert old.revoked_at is not None and "Sai ngày sinh" in old.revocation_reason
    assert [f["ref"] for f in d.result_files] == [new.code]
    event = d.events.get(action="correct_result")
    assert event.payload == {"result_code": new.code, "replaces": old.code}
    assert AuditEntry.objects.filter(action="documents.replace", object_id=str(new.pk)).exists()
    assert AuditEntry.objects.filter(action="dossier.correct_result").exists()
    items = WarehouseItem.objects.filter(owner=personas.citizen_a)
    assert {(i.result_code, i.is_active) for i in items} == {(old.code, False), (new.code, True)}
    # Only the leader corrects, with a reason.
    from motcua.dossiers.errors import NotPermitted, ReasonRequired

    with pytest.raises(NotPermitted):
        services.dossier_correct_result(
            dossier=d, actor=staff.clerk_x, expected_version=d.version, reason="x"
        )
    with pytest.raises(ReasonRequired):
        services.dossier_correct_result(
            dossier=d, actor=personas.leader_x, expected_version=d.version, reason=" "
        )
