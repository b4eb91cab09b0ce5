"""Signing stored PDFs and managing the trust store and signing credentials."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.documents import selectors
from motcua.documents.access import can_access
from motcua.documents.constants import CredentialKind, FileKind, SignerRole
from motcua.documents.models import (
    FileLink,
    IssuedDocument,
    SignatureRecord,
    SigningCredential,
    StoredFile,
    TrustAnchor,
)
from motcua.documents.services.files import stored_file_bytes, stored_file_create
from motcua.documents.signing import engine
from motcua.documents.signing.plugins import SigningUnavailable, get_signer_plugin
from motcua.documents.signing.sync import off_event_loop
from motcua.documents.signing.tsa import get_timestamper
from motcua.org.constants import Role


def _assigned_unit_ids(user: Any, roles: frozenset[str] | None = None) -> set[int]:
    from motcua.org.selectors import active_assignments

    assignments = active_assignments(user)
    if roles is not None:
        assignments = assignments.filter(role__in=roles)
    return set(assignments.values_list("unit_id", flat=True))


# Who may sign in which capacity: the competent leader (or a deputy under a current
# delegation), the agency seal by the unit's clerk (văn thư) or leader, the
# receptionist for digitized sets (Directive 04), any officer as "officer".
LEADER_ROLES = frozenset({Role.LEADER})
AGENCY_ROLES = frozenset({Role.CLERK, Role.LEADER})
RECEPTION_ROLES = frozenset({Role.RECEPTIONIST})


def _check_capacity(actor: Any, role: str, unit: Any) -> None:
    from motcua.org.selectors import acting_for

    if role == SignerRole.AGENCY:
        if unit is None or unit.pk not in _assigned_unit_ids(actor, AGENCY_ROLES):
            raise PermissionDenied(
                _("Chỉ văn thư hoặc lãnh đạo của đơn vị mới được ký số bằng chứng thư cơ quan.")
            )
    elif role == SignerRole.LEADER:
        if not _assigned_unit_ids(actor, LEADER_ROLES) and not acting_for(actor).exists():
            raise PermissionDenied(
                _("Chỉ lãnh đạo (hoặc người được ủy quyền) mới ký với vai trò này.")
            )
    elif role == SignerRole.RECEPTIONIST and not _assigned_unit_ids(actor, RECEPTION_ROLES):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới ký chứng thực bản số hóa."))


def _unit_label(user: Any, unit: Any) -> str:
    if unit is not None:
        return str(unit.name)
    from motcua.org.selectors import active_assignments

    assignment = active_assignments(user).first()
    return str(assignment.unit.name) if assignment else ""


def document_sign(
    *,
    file: StoredFile,
    actor: Any,
    role: str,
    credential: SigningCredential | None = None,
    unit: Any = None,
    reason: str = "",
    location: str = "",
    stamp_note: str = "",
) -> StoredFile:
    """Add one visible PAdES signature (B-T; B-LT when revocation data is available)
    as an incremental update and store the result as a new version.

    `role` AGENCY signs with the unit's credential (the actor must be assigned to
    `unit`); other roles sign with the actor's personal credential. When the file is
    the current version of an IssuedDocument, that record moves to the new version,
    and after the agency signature the result is pushed to the owner's warehouse."""
    if not getattr(actor, "is_officer", False):
        raise PermissionDenied(_("Chỉ cán bộ mới được ký số."))
    if not can_access(actor, file):
        raise PermissionDenied(_("Bạn không có quyền với tệp này."))
    if file.mime_type != "application/pdf":
        raise ValidationError(_("Chỉ ký số được tệp PDF."))
    _check_capacity(actor, role, unit)
    if role == SignerRole.AGENCY:
        credential = credential or selectors.credential_for(unit=unit)
        signer_label = str(unit.name)
    else:
        credential = credential or selectors.credential_for(user=actor)
        if credential is not None and credential.user_id != actor.pk:
            raise PermissionDenied(_("Chứng thư số không thuộc về bạn."))
        signer_label = str(actor.full_name)
    if credential is None or not credential.is_active:
        raise SigningUnavailable(_("Chưa có chứng thư số để ký."))

    _check_latest(file)
    data = stored_file_bytes(file)
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise ValidationError(_("Tệp lưu trữ không khớp mã băm đã ghi; không thể ký."))
    count = engine.existing_signature_count(data)
    field_name = f"{role}-{count + 1}"
    from motcua.documents import pki

    pki.refresh_demo_crl()
    crls = selectors.local_crls()
    lt_context = engine.validation_context(selectors.trust_roots(), crls=crls) if crls else None
    stamp = engine.StampText(
        signer=signer_label,
        unit=_unit_label(actor, unit),
        # e.g. the number and date the clerk gives the document with the agency seal
        # (Decree 30/2020: numbered when issued, after the competent person signs).
        role_label=" — ".join(x for x in (str(SignerRole(role).label), stamp_note) if x),
    )
    # No ORM access below this line until the transaction: off_event_loop may run the
    # signing on a worker thread (it has its own database connection).
    signed, level = off_event_loop(
        _sign_with, credential, data, field_name, role, stamp, reason, location, lt_context
    )

    with transaction.atomic():
        # Serialise signers of the same version: the second one must sign the newer
        # version, or the two signatures would end up in two diverging files.
        StoredFile.objects.select_for_update().filter(pk=file.pk).first()
        _check_latest(file)
        new = stored_file_create(
            data=signed,
            original_name=file.original_name,
            kind=FileKind.SIGNED,
            actor=actor,
            owner=file.owner,
            unit=file.unit,
            source=file,
            trusted=True,
            extra={
                "page_count": file.page_count,
                "signature_count": count + 1,
                "digitized_by": file.digitized_by,
                "digitized_at": file.digitized_at,
                "digitized_from": file.digitized_from,
                "ocr_applied": file.ocr_applied,
            },
        )
        for link in file.links.all():
            FileLink.objects.create(
                file=new,
                content_type=link.content_type,
                object_id=link.object_id,
                dossier_code=link.dossier_code,
                component_code=link.component_code,
                linked_by=link.linked_by,
                digitized=link.digitized,
                reuse_flag=link.reuse_flag,
                from_national_warehouse=link.from_national_warehouse,
                warehouse_item=link.warehouse_item,
            )
        SignatureRecord.objects.create(
            file=new,
            signed_from=file,
            role=role,
            signer=actor,
            credential=credential,
            field_name=field_name,
            level=level,
        )
        issued = IssuedDocument.objects.select_for_update().filter(file=file).first()
        if issued is not None:
            issued.file, issued.sha256 = new, new.sha256
            issued.save(update_fields=["file", "sha256"])
        audit_record(
            action="documents.sign",
            actor=actor,
            obj=new,
            before={"file": str(file.pk), "sha256": file.sha256},
            after={
                "sha256": new.sha256,
                "role": role,
                "field": field_name,
                "level": level,
                "credential": credential.subject,
                "serial": credential.serial,
            },
            unit_code=getattr(unit, "code", ""),
            role=role,
        )
        if issued is not None and role == SignerRole.AGENCY and issued.owner_id:
            from motcua.documents.services.warehouse import warehouse_push_result
            from motcua.dossiers.services.linked import result_held_for_code

            # A linked child's result returned together waits for its siblings; the
            # release pushes it (dossiers.services.linked.group_results_release, R40).
            if not result_held_for_code(issued.dossier_code):
                warehouse_push_result(issued=issued, actor=actor)
    return new


def _check_latest(file: StoredFile) -> None:
    if StoredFile.objects.filter(source=file, kind=FileKind.SIGNED).exists():
        raise ValidationError(
            _("Tệp này đã có phiên bản được ký mới hơn; hãy ký trên phiên bản mới nhất.")
        )


def _sign_with(
    credential: SigningCredential,
    data: bytes,
    field_name: str,
    role: str,
    stamp: engine.StampText,
    reason: str,
    location: str,
    lt_context: Any,
) -> tuple[bytes, str]:
    from pyhanko.sign.general import SigningError

    with get_signer_plugin(credential.plugin).open(credential) as signer:
        try:
            return engine.sign_pdf_bytes(
                data,
                signer=signer,
                timestamper=get_timestamper(),
                field_name=field_name,
                role=role,
                stamp=stamp,
                reason=reason,
                location=location,
                lt_context=lt_context,
            )
        except SigningError as exc:
            # e.g. the certificate is revoked or expired: pyHanko refuses to sign B-LT.
            raise SigningUnavailable(
                _("Chứng thư số không dùng được để ký (hết hạn hoặc đã bị thu hồi).")
            ) from exc


def signing_credential_revoke(
    *, credential: SigningCredential, actor: Any, reason: str
) -> SigningCredential:
    """Withdraw a signing credential (lost token, officer left). For certificates of
    the demo CA the demo CRL is re-issued with every revoked serial, so validators see
    the revocation; for a real CA, ask the CA to revoke (its CRL/OCSP then says so)."""
    from django.utils import timezone

    from motcua.documents import pki

    with transaction.atomic():
        credential.is_active = False
        credential.revoked_at = timezone.now()
        credential.revocation_reason = reason[:300]
        credential.save(update_fields=["is_active", "revoked_at", "revocation_reason"])
        audit_record(
            action="documents.credential_revoke",
            actor=actor,
            obj=credential,
            after={"serial": credential.serial, "reason": reason},
        )
        if pki.paths().ca_key.exists():
            demo_root = x509.load_pem_x509_certificate(pki.paths().ca_cert.read_bytes())
            serials = []
            for revoked in SigningCredential.objects.filter(revoked_at__isnull=False):
                cert = x509.load_pem_x509_certificate(revoked.certificate_pem.encode())
                if cert.issuer == demo_root.subject:
                    serials.append(cert.serial_number)
            if serials:
                pki.write_crl(tuple(serials))
    return credential


def _cert_fields(pem_text: str) -> dict[str, Any]:
    cert = x509.load_pem_x509_certificate(pem_text.encode())
    return {
        "subject": cert.subject.rfc4514_string()[:300],
        "serial": format(cert.serial_number, "x"),
        "not_after": cert.not_valid_after_utc,
        "fingerprint": hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        "common_name": (
            cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
            if cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
            else cert.subject.rfc4514_string()
        ),
    }


def signing_credential_register(
    *,
    certificate_pem: str,
    plugin: str,
    config: dict[str, Any],
    actor: Any = None,
    user: Any = None,
    unit: Any = None,
) -> SigningCredential:
    """Record a personal (user) or agency (unit) signing credential. Secrets are not
    accepted here: passphrases and PINs come from the environment."""
    if (user is None) == (unit is None):
        raise ValidationError("exactly one of user / unit")
    fields = _cert_fields(certificate_pem)
    with transaction.atomic():
        credential = SigningCredential.objects.create(
            kind=CredentialKind.PERSONAL if user is not None else CredentialKind.AGENCY,
            user=user,
            unit=unit,
            plugin=plugin,
            config=config,
            certificate_pem=certificate_pem,
            subject=fields["subject"],
            serial=fields["serial"],
            not_after=fields["not_after"],
        )
        audit_record(
            action="documents.credential_register",
            actor=actor,
            obj=credential,
            after={"plugin": plugin, "subject": credential.subject, "serial": credential.serial},
            unit_code=getattr(unit, "code", ""),
        )
    return credential


def trust_anchor_add(
    *, certificate_pem: str, actor: Any = None, name: str = "", is_demo: bool = False
) -> TrustAnchor:
    """Add a root certificate to the trust store (idempotent by fingerprint)."""
    try:
        fields = _cert_fields(certificate_pem)
    except ValueError as exc:
        raise ValidationError(_("Không đọc được chứng thư số (cần định dạng PEM).")) from exc
    with transaction.atomic():
        anchor, created = TrustAnchor.objects.get_or_create(
            fingerprint=fields["fingerprint"],
            defaults={
                "name": name or fields["common_name"],
                "certificate_pem": certificate_pem,
                "is_demo": is_demo,
                "added_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        if created:
            audit_record(
                action="documents.trust_anchor_add",
                actor=actor,
                obj=anchor,
                after={"fingerprint": anchor.fingerprint, "is_demo": is_demo},
            )
    return anchor
