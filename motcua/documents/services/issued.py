"""Issued papers (forms, results): render with a QR code, store, register a public
verification code."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.documents.constants import FileKind
from motcua.documents.models import IssuedDocument, SignatureRecord, StoredFile
from motcua.documents.qr import qr_data_uri, qr_payload
from motcua.documents.rendering import PageSize, render_pdf, render_pdf_from_source
from motcua.documents.services.files import LinkTarget, stored_file_create

# Crockford base32 without I, L, O, U: unambiguous when read from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_result_code() -> str:
    """`KQ<yymm>-<8 random chars>`: unguessable, so the public page cannot be used to
    enumerate results."""
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"KQ{timezone.localdate():%y%m}-{random_part}"


def verify_url(code: str) -> str:
    base = str(getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + reverse("verify:detail", args=[code])


def download_url(code: str) -> str:
    """Public download of the issued file by its unguessable code (the URL sent to the
    national portal as DuongDanTepTinKetQua)."""
    base = str(getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + reverse("verify:download", args=[code])


def issued_document_create(
    *,
    title: str,
    issuer_name: str,
    actor: Any,
    unit: Any = None,
    owner: Any = None,
    dossier_code: str = "",
    procedure_code: str = "",
    component_code: str = "",
    template_name: str = "",
    template_source: str = "",
    context: dict[str, Any] | None = None,
    page_size: PageSize = "A4",
    kind: str = FileKind.RESULT,
    valid_until: Any = None,
) -> IssuedDocument:
    """Render an official paper (a template file, or a procedure's HTML result
    template), put the QR code on it, store it and register its verification code.
    Signatures are added afterwards with document_sign (leader, then agency)."""
    code = new_result_code()
    now = timezone.now()
    payload = qr_payload(
        verify_url=verify_url(code),
        dossier_code=dossier_code,
        procedure_code=procedure_code,
        document_name=title,
        issuer=issuer_name,
        issued_at=timezone.localtime(now),
    )
    full_context = {
        "title": title,
        "issuer": issuer_name,
        "result_code": code,
        "verify_url": verify_url(code),
        "qr_data_uri": qr_data_uri(payload),
        "dossier_code": dossier_code,
        "procedure_code": procedure_code,
        "issued_at": timezone.localtime(now),
        **(context or {}),
    }
    if template_source:
        data = render_pdf_from_source(
            template_source, full_context, title=title, page_size=page_size
        )
    else:
        data = render_pdf(
            template_name or "documents/pdf/result.html", full_context, page_size=page_size
        )
    with transaction.atomic():
        stored = stored_file_create(
            data=data,
            original_name=f"{code}.pdf",
            kind=kind,
            actor=actor,
            owner=owner,
            unit=unit,
            trusted=True,
            link=LinkTarget(dossier_code=dossier_code, component_code=component_code)
            if dossier_code
            else None,
        )
        issued = _register(
            code=code,
            stored=stored,
            title=title,
            issuer_name=issuer_name,
            actor=actor,
            unit=unit,
            owner=owner,
            dossier_code=dossier_code,
            procedure_code=procedure_code,
            uploaded=False,
            valid_until=valid_until,
        )
    return issued


def issued_document_revoke(*, issued: IssuedDocument, actor: Any, reason: str) -> IssuedDocument:
    """Revoked results stay verifiable, marked as revoked (Decree 45/2020; Decree 61
    Art. 21 corrections keep history)."""
    with transaction.atomic():
        issued.revoked_at = timezone.now()
        issued.revocation_reason = reason[:300]
        issued.save(update_fields=["revoked_at", "revocation_reason"])
        # A revoked result is no longer offered for reuse from the owner's warehouse.
        from motcua.documents.models import WarehouseItem

        WarehouseItem.objects.filter(result_code=issued.code).update(is_active=False)
        audit_record(action="documents.revoke", actor=actor, obj=issued, after={"reason": reason})
    return issued


def _register(
    *,
    code: str,
    stored: StoredFile,
    title: str,
    issuer_name: str,
    actor: Any,
    unit: Any,
    owner: Any,
    dossier_code: str,
    procedure_code: str,
    uploaded: bool,
    valid_until: Any = None,
) -> IssuedDocument:
    issued = IssuedDocument.objects.create(
        code=code,
        title=title,
        dossier_code=dossier_code,
        procedure_code=procedure_code,
        issuer_name=issuer_name,
        owner=owner,
        file=stored,
        sha256=stored.sha256,
        issued_at=timezone.now(),
        valid_until=valid_until,
    )
    audit_record(
        action="documents.issue",
        actor=actor,
        obj=issued,
        after={
            "code": code,
            "file": str(stored.pk),
            "sha256": stored.sha256,
            "uploaded": uploaded,
        },
        unit_code=getattr(unit, "code", ""),
    )
    return issued


def issued_document_upload(
    *,
    data: bytes,
    original_name: str,
    title: str,
    issuer_name: str,
    actor: Any,
    unit: Any = None,
    owner: Any = None,
    dossier_code: str = "",
    procedure_code: str = "",
) -> IssuedDocument:
    """Register a result PDF prepared outside the system (uploaded by the officer).
    An upload that already carries signatures is validated first: every signature
    must be intact and chain to a trusted root (Decree 130/2018 Art. 9), otherwise it
    is refused. Unsigned uploads are registered as drafts to be signed."""
    from motcua.documents import selectors
    from motcua.documents.inspection import UploadPolicy, UploadRejected
    from motcua.documents.signing.validation import validate_pdf

    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Kết quả tải lên phải là tệp PDF."))
    report = validate_pdf(data, selectors.trust_roots(), crls=selectors.local_crls())
    for signature in report.signatures:
        if signature.verdict != "valid":
            raise ValidationError(
                _("Chữ ký số trên tệp tải lên không hợp lệ (%(who)s: %(verdict)s).")
                % {
                    "who": signature.signer_name or signature.field_name,
                    "verdict": signature.verdict_label,
                }
            )
    code = new_result_code()
    with transaction.atomic():
        try:
            stored = stored_file_create(
                data=data,
                original_name=original_name or f"{code}.pdf",
                kind=FileKind.RESULT,
                actor=actor,
                owner=owner,
                unit=unit,
                policy=UploadPolicy(allowed_types=("application/pdf",)),
                link=LinkTarget(dossier_code=dossier_code) if dossier_code else None,
                extra={"signature_count": len(report.signatures)},
            )
        except UploadRejected as exc:
            raise ValidationError(exc.message) from exc
        return _register(
            code=code,
            stored=stored,
            title=title,
            issuer_name=issuer_name,
            actor=actor,
            unit=unit,
            owner=owner,
            dossier_code=dossier_code,
            procedure_code=procedure_code,
            uploaded=True,
        )


def issued_document_replace(
    *, old: IssuedDocument, new: IssuedDocument, actor: Any, reason: str
) -> IssuedDocument:
    """Correction or replacement of an issued result (Decree 61/2018 Art. 21): the old
    one is kept and revoked with the reason, the new one points to it. Audited."""
    if old.pk == new.pk or new.replaces_id is not None:
        raise ValidationError(_("Kết quả thay thế không hợp lệ."))
    with transaction.atomic():
        new.replaces = old
        new.save(update_fields=["replaces"])
        issued_document_revoke(
            issued=old,
            actor=actor,
            reason=_("Được thay thế bởi %(code)s: %(reason)s")
            % {"code": new.code, "reason": reason},
        )
        audit_record(
            action="documents.replace",
            actor=actor,
            obj=new,
            before={"code": old.code, "file": str(old.file_id)},
            after={"code": new.code, "file": str(new.file_id), "reason": reason},
        )
    return new


def signer_roles(stored: StoredFile | None) -> list[str]:
    """Roles that signed this version and its ancestors through this system, oldest
    first (e.g. ["leader", "agency"])."""
    chain: list[Any] = []
    current = stored
    while current is not None and len(chain) < 20:
        chain.append(current.pk)
        current = current.source
    records = SignatureRecord.objects.filter(file_id__in=chain).order_by("signed_at", "pk")
    return list(records.values_list("role", flat=True))
