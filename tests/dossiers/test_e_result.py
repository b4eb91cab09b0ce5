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


# --- Decree 118/2025 Art. 23(1): the applicant asks for a correction (law.md R19a) ---

TUESDAY_10 = MONDAY + dt.timedelta(days=1, hours=2)  # Tue 03/03/2026 10:00


def _request_correction(d, personas, now=TUESDAY_10, reason="Sai tên mẹ của trẻ"):
    return services.dossier_request_correction(
        dossier=d, actor=personas.citizen_a, expected_version=d.version, reason=reason, now=now
    )


def test_correction_request_is_due_in_three_working_days_and_closed_by_the_correction(
    personas, staff, awaiting, django_capture_on_commit_callbacks
):
    from motcua.dossiers.errors import DossierError
    from motcua.notifications.models import Notification

    d = _issue(_approve(awaiting, personas), staff)
    with django_capture_on_commit_callbacks(execute=True):
        d = _request_correction(d, personas)
    assert d.status == S.RESOLVED  # no state change
    # Requested Tue 03/03/2026 10:00; three working days on unit X's calendar (no
    # holiday that week): Wed, Thu, Fri -> Fri 06/03/2026 10:00.
    assert d.correction_requested_at == TUESDAY_10
    assert d.correction_due_at == dt.datetime(2026, 3, 6, 10, 0, tzinfo=MONDAY.tzinfo)
    event = d.events.get(action="request_correction")
    assert event.reason == "Sai tên mẹ của trẻ" and event.payload["due_at"].startswith("2026-03-06")
    # The applicant is told when it is due; the competent unit's leaders are alerted.
    assert Notification.objects.filter(
        recipient=personas.citizen_a, event="dossier_correction_requested"
    ).exists()
    assert Notification.objects.filter(
        recipient=personas.leader_x, event="result_correction_requested"
    ).exists()
    # One open request at a time; only the applicant (or the counter) asks.
    with pytest.raises(DossierError):
        _request_correction(d, personas, now=TUESDAY_10 + H)
    from motcua.dossiers.errors import NotPermitted

    d.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.dossier_request_correction(
            dossier=d, actor=personas.citizen_b, expected_version=d.version, reason="x"
        )
    # The leader corrects on Thursday: on time; the request is closed.
    d = services.dossier_correct_result(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        reason="Đính chính tên mẹ",
        now=MONDAY + dt.timedelta(days=3),
    )
    assert d.correction_requested_at is None and d.correction_due_at is None
    payload = d.events.get(action="correct_result").payload
    assert payload["correction_late"] is False
    assert payload["correction_due_at"] == "2026-03-06T03:00:00+00:00"  # 10:00 in Hà Nội


def test_correction_answered_after_the_due_moment_is_recorded_late(personas, staff, awaiting):
    d = _issue(_approve(awaiting, personas), staff)
    d = _request_correction(d, personas)
    d = services.dossier_correct_result(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        reason="Đính chính",
        now=dt.datetime(2026, 3, 9, 8, 0, tzinfo=MONDAY.tzinfo),  # Mon after the Fri due
    )
    assert d.events.get(action="correct_result").payload["correction_late"] is True


def test_leader_declines_a_correction_with_reasons(personas, staff, awaiting):
    from motcua.dossiers.errors import DossierError, NotPermitted, ReasonRequired

    d = _issue(_approve(awaiting, personas), staff)
    with pytest.raises(DossierError):  # nothing to answer yet
        services.dossier_decline_correction(
            dossier=d, actor=personas.leader_x, expected_version=d.version, reason="x"
        )
    d = _request_correction(d, personas)
    with pytest.raises(NotPermitted):
        services.dossier_decline_correction(
            dossier=d, actor=staff.clerk_x, expected_version=d.version, reason="x"
        )
    with pytest.raises(ReasonRequired):
        services.dossier_decline_correction(
            dossier=d, actor=personas.leader_x, expected_version=d.version, reason=" "
        )
    d = services.dossier_decline_correction(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        reason="Tên mẹ ghi đúng theo giấy chứng sinh",
        now=TUESDAY_10 + 2 * H,
    )
    assert d.correction_requested_at is None
    assert d.events.get(action="decline_correction").payload["correction_late"] is False
    assert AuditEntry.objects.filter(action="dossier.decline_correction").exists()


def test_correction_under_decree_61_has_no_due_moment(personas, staff, awaiting):
    from motcua.dossiers.models import Dossier

    d = _issue(_approve(awaiting, personas), staff)
    Dossier.objects.filter(pk=d.pk).update(rule_set="nd61-2018")
    d.refresh_from_db()
    d = _request_correction(d, personas)
    assert d.correction_requested_at == TUESDAY_10 and d.correction_due_at is None


def test_citizen_asks_for_a_correction_on_the_dossier_page(
    client, client_for, personas, staff, awaiting
):
    from django.urls import reverse

    d = _issue(_approve(awaiting, personas), staff)
    page = reverse("my_dossiers:detail", args=[d.pk])
    client.force_login(personas.citizen_a)
    body = client.get(page).content.decode()
    assert "Kết quả có sai sót?" in body and "Điều 23 khoản 1" in body
    url = reverse("my_dossiers:act", args=[d.pk, "request_correction"])
    response = client.post(url, {"expected_version": d.version, "reason": "Sai ngày sinh"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.correction_due_at is not None
    body = client.get(page).content.decode()
    assert "Hạn trả kết quả đã đính chính" in body and "Kết quả có sai sót?" not in body
    # The officer's page shows the request to the competent unit's leader.
    leader = client_for(personas.leader_x)
    body = leader.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'id="correction-request"' in body and "Sai ngày sinh" in body
    assert "decline_correction" in body
    # Another citizen cannot ask for it.
    client.force_login(personas.citizen_b)
    assert client.post(url, {"expected_version": d.version, "reason": "x"}).status_code == 404
