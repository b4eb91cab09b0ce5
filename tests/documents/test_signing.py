"""Done-when: sign a result with a PKCS#12 signer, validate with pyHanko's API (intact
and trusted against the demo root), detect a one-byte tamper, and keep the first
signature valid after a second one (incremental update)."""

import pytest
from django.core.exceptions import PermissionDenied

from motcua.core.models import AuditEntry
from motcua.documents import selectors
from motcua.documents.constants import SignatureVerdict, SignerRole
from motcua.documents.models import IssuedDocument, SignatureRecord, WarehouseItem
from motcua.documents.services import document_sign, stored_file_bytes
from motcua.documents.signing.validation import validate_pdf


def _validate(data):
    return validate_pdf(data, selectors.trust_roots(), crls=selectors.local_crls())


def _validate_with_pyhanko(data):
    """Straight pyHanko API, no helper of ours: INTACT and TRUSTED for every signature."""
    import io

    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from motcua.documents import pki

    root = load_cert_from_pemder(str(pki.paths().ca_cert))
    reader = PdfFileReader(io.BytesIO(data))
    statuses = []
    for sig in reader.embedded_signatures:
        vc = ValidationContext(trust_roots=[root], allow_fetching=False)
        statuses.append(validate_pdf_signature(sig, vc))
    return statuses


def test_pkcs12_signature_is_intact_trusted_timestamped(personas, credentials, issued_result):
    signed = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    data = stored_file_bytes(signed)
    (status,) = _validate_with_pyhanko(data)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    (report,) = _validate(data).signatures
    assert report.verdict == SignatureVerdict.VALID
    assert report.signer_name == "Lãnh Đạo X"
    assert report.has_timestamp and report.timestamp_valid
    # The demo CRL is embedded (B-LT): revocation checked offline.
    assert report.revocation_checked
    record = SignatureRecord.objects.get(file=signed)
    assert (record.role, record.level, record.signer) == ("leader", "B-LT", personas.leader_x)
    assert AuditEntry.objects.filter(action="documents.sign", object_id=str(signed.pk)).exists()


def test_tampering_one_byte_is_detected(personas, credentials, issued_result):
    signed = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    data = bytearray(stored_file_bytes(signed))
    # Flip one byte of page content, inside the signed byte range.
    position = data.index(b"stream", 100) + 30
    data[position] ^= 0x01
    (status,) = _validate_with_pyhanko(bytes(data))
    assert not (status.intact and status.valid)
    (report,) = _validate(bytes(data)).signatures
    assert report.verdict == SignatureVerdict.BROKEN


def test_second_signature_keeps_first_valid(personas, credentials, issued_result):
    first = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    second = document_sign(
        file=first, actor=personas.leader_x, role=SignerRole.AGENCY, unit=personas.unit_x
    )
    first_bytes, second_bytes = stored_file_bytes(first), stored_file_bytes(second)
    # Incremental update: the signed bytes are kept verbatim.
    assert second_bytes.startswith(first_bytes)
    statuses = _validate_with_pyhanko(second_bytes)
    assert len(statuses) == 2
    assert all(s.intact and s.valid and s.trusted for s in statuses)
    reports = _validate(second_bytes).signatures
    assert [r.verdict for r in reports] == [SignatureVerdict.VALID, SignatureVerdict.VALID]
    assert [r.signer_name for r in reports] == ["Lãnh Đạo X", "Sở X"]
    issued = IssuedDocument.objects.get(pk=issued_result.pk)
    assert issued.file == second and issued.sha256 == second.sha256
    assert second.page_count == issued_result.file.page_count == 1
    assert second.signature_count == 2
    # Results are pushed to the citizen's warehouse after the agency signature.
    item = WarehouseItem.objects.get(owner=personas.citizen_a, result_code=issued.code)
    assert item.file == second


def test_untrusted_root_is_reported_as_untrusted_not_valid(personas, credentials, issued_result):
    signed = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    data = stored_file_bytes(signed)
    (report,) = validate_pdf(data, []).signatures
    assert report.intact
    assert report.verdict == SignatureVerdict.UNTRUSTED


def test_citizen_cannot_sign(personas, credentials, issued_result):
    with pytest.raises(PermissionDenied):
        document_sign(file=issued_result.file, actor=personas.citizen_a, role=SignerRole.LEADER)


def test_officer_cannot_use_the_seal_of_another_unit(personas, credentials, issued_result):
    from motcua.documents.access import register_access_policy, unregister_access_policy

    def everyone(user, stored):
        return True

    register_access_policy(everyone)
    try:
        with pytest.raises(PermissionDenied):
            document_sign(
                file=issued_result.file,
                actor=personas.specialist_y,
                role=SignerRole.AGENCY,
                unit=personas.unit_x,
            )
    finally:
        unregister_access_policy(everyone)


def test_officer_without_access_cannot_sign(personas, credentials, issued_result):
    with pytest.raises(PermissionDenied):
        document_sign(file=issued_result.file, actor=personas.specialist_y, role=SignerRole.OFFICER)


@pytest.fixture
def restore_demo_crl():
    """Revocation rewrites the session-wide demo CRL: put it back afterwards."""
    from motcua.documents import pki

    saved = pki.paths().crl.read_bytes()
    yield
    pki.paths().crl.write_bytes(saved)


def test_revoked_certificate_is_reported(personas, credentials, issued_result, restore_demo_crl):
    from motcua.documents.services import signing_credential_revoke

    signed = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    signing_credential_revoke(
        credential=credentials.leader, actor=personas.admin, reason="Mất thiết bị ký"
    )
    (report,) = _validate(stored_file_bytes(signed)).signatures
    assert report.revoked and report.revocation_checked
    assert report.verdict == SignatureVerdict.REVOKED
    # The revoked credential cannot sign again.
    from motcua.documents.signing.plugins import SigningUnavailable

    with pytest.raises(SigningUnavailable):
        document_sign(file=signed, actor=personas.leader_x, role=SignerRole.LEADER)


def test_signing_capacity_follows_the_officer_role(personas, credentials, issued_result):
    """Only a leader signs as leader; only the receptionist certifies digitized sets."""
    from motcua.documents.access import register_access_policy, unregister_access_policy

    def everyone(user, stored):
        return True

    register_access_policy(everyone)
    try:
        with pytest.raises(PermissionDenied):
            document_sign(
                file=issued_result.file, actor=personas.receptionist_x, role=SignerRole.LEADER
            )
        with pytest.raises(PermissionDenied):
            document_sign(
                file=issued_result.file, actor=personas.leader_x, role=SignerRole.RECEPTIONIST
            )
        with pytest.raises(PermissionDenied):
            document_sign(
                file=issued_result.file,
                actor=personas.receptionist_x,
                role=SignerRole.AGENCY,
                unit=personas.unit_x,
            )
    finally:
        unregister_access_policy(everyone)


def test_an_older_version_cannot_be_signed_again(personas, credentials, issued_result):
    from django.core.exceptions import ValidationError

    document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    with pytest.raises(ValidationError):
        document_sign(
            file=issued_result.file,
            actor=personas.leader_x,
            role=SignerRole.AGENCY,
            unit=personas.unit_x,
        )


def test_validation_works_with_an_event_loop_running(personas, credentials, issued_result):
    """pyHanko's synchronous API calls asyncio.run(): validate_pdf must still work where
    an event loop runs in the thread (ASGI; Playwright's sync API in the browser tests)."""
    import asyncio

    signed = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    data = stored_file_bytes(signed)
    roots, crls = selectors.trust_roots(), selectors.local_crls()

    async def inside_a_loop():
        return validate_pdf(data, roots, crls=crls)

    (report,) = asyncio.run(inside_a_loop()).signatures
    assert report.verdict == SignatureVerdict.VALID and report.signer_name == "Lãnh Đạo X"
