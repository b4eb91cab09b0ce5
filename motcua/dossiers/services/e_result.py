"""The electronic result of a dossier: the result document (generated from the
procedure's result template, or uploaded by the processing officer), the competent
leader's signature at approval, the agency seal at issue, and its link to the dossier.

Law: an electronic result has the legal value of the paper one when it carries the
digital signatures of the competent person and of the agency (Decree 45/2020 Art. 9;
Decree 30/2020 Art. 8 and Appendix I: the person signs first, the agency seal
follows); results are returned online and to the e-data warehouse (Decree 61/2018
Art. 20, as amended by Decree 107/2021; Decree 118/2025 Art. 22).

The document work (rendering, signing) runs in its own short transactions *before*
the dossier transition: signing takes about a second and must not hold the dossier
row (or, on SQLite, the write lock) meanwhile. A transition that then fails leaves a
signed document behind, which the next attempt reuses.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.documents.constants import SignerRole
from motcua.documents.models import IssuedDocument
from motcua.dossiers.errors import InvalidDossierData, SignatureMissing
from motcua.dossiers.models import Dossier

# Signatures an issued result needs, in order (Decree 30/2020 Appendix I).
REQUIRED_SIGNATURES = (SignerRole.LEADER, SignerRole.AGENCY)
MAX_RESULT_BYTES = 20 * 1024 * 1024


def result_document_of(d: Dossier) -> IssuedDocument | None:
    """The dossier's current electronic result (not revoked, newest), or None."""
    if not d.code:
        return None
    return (
        IssuedDocument.objects.select_related("file", "replaces")
        .filter(dossier_code=d.code, revoked_at__isnull=True)
        .order_by("-issued_at", "-pk")
        .first()
    )


def result_history_of(d: Dossier) -> list[IssuedDocument]:
    """Every result registered for the dossier, newest first (replaced ones included)."""
    if not d.code:
        return []
    return list(
        IssuedDocument.objects.select_related("file", "replaces")
        .filter(dossier_code=d.code)
        .order_by("-issued_at", "-pk")
    )


def has_signed_e_result() -> Any:
    """`Exists` expression for Dossier querysets: the dossier has a current (not
    revoked) electronic result sealed by the agency (the seal is applied only after
    the leader's signature, see result_sign). E.g. for indicator 4.1:
    `Dossier.objects.filter(has_signed_e_result())`."""
    from django.db.models import Exists, OuterRef

    from motcua.documents.models import SignatureRecord

    sealed = SignatureRecord.objects.filter(file_id=OuterRef("file_id"), role=SignerRole.AGENCY)
    return Exists(
        IssuedDocument.objects.filter(
            dossier_code=OuterRef("code"), revoked_at__isnull=True
        ).filter(Exists(sealed))
    )


def signed_roles(issued: IssuedDocument | None) -> list[str]:
    from motcua.documents.services.issued import signer_roles

    return signer_roles(issued.file) if issued is not None else []


def require_signatures(d: Dossier, roles: tuple[str, ...]) -> IssuedDocument:
    """The current result if it carries every signature in `roles`, else SignatureMissing."""
    issued = result_document_of(d)
    if issued is None:
        raise SignatureMissing(_("Hồ sơ chưa có văn bản kết quả điện tử."))
    have = signed_roles(issued)
    missing = [SignerRole(r).label for r in roles if r not in have]
    if missing:
        raise SignatureMissing(
            _("Kết quả điện tử còn thiếu chữ ký số: %(who)s.")
            % {"who": ", ".join(str(m) for m in missing)}
        )
    return issued


def _answers(d: Dossier) -> list[tuple[str, str]]:
    """Form answers with the e-form's field titles and readable values (choices by
    label, Có/Không, dates dd/mm/yyyy), unanswered ones left out."""
    from motcua.catalog.eforms import readable_answers

    rows = readable_answers(d.procedure_version.form_schema, d.form_answers)
    return [(label, value) for label, value in rows if value != "—"]


def result_context(d: Dossier) -> dict[str, Any]:
    """What a result template may use: {{ applicant_name }}, {{ applicant_id }},
    {{ applicant_address }}, {{ procedure_name }}, {{ result_name }}, {{ answers }}
    (label, value pairs), {{ a.<field> }} (raw answers), {{ dossier_code }},
    {{ unit_name }}, {{ result_code }}, {{ verify_url }}, {{ issued_at }}."""
    from motcua.dossiers.forms_pdf import place_date

    v = d.procedure_version
    unit = d.competent_unit
    parent = unit.parent if unit.parent_id else None  # type: ignore[attr-defined]
    applicant = d.applicant
    return {
        "applicant_name": applicant.full_name,
        "applicant_id": applicant.personal_id or getattr(applicant, "tax_code", "") or "",
        "applicant_address": getattr(applicant, "address", "") or "",
        "procedure_name": v.name,
        "result_name": v.result_name or v.name,
        "answers": _answers(d),
        "a": dict(d.form_answers or {}),
        "unit_name": unit.name,
        "parent_issuer": parent.name if parent else "",
        "place_date": place_date(unit, timezone.now()),
        "received_at": d.received_at,
    }


def result_document_generate(*, dossier: Dossier, actor: Any) -> IssuedDocument:
    """Render the result from the procedure's result template (catalogue data,
    ProcedureVersion.result_template) or the default one, with the QR code of the
    public verification page. Owned by the applicant, held by the competent unit."""
    from motcua.documents.services.issued import issued_document_create

    d = dossier
    v = d.procedure_version
    title = (v.result_name or v.name)[:300]
    return issued_document_create(
        title=title,
        issuer_name=d.competent_unit.name,
        actor=actor,
        unit=d.competent_unit,
        owner=d.applicant,
        dossier_code=d.code or "",
        procedure_code=v.procedure.code,
        component_code="KQ",
        template_source=v.result_template,
        template_name="dossiers/pdf/result.html",
        context=result_context(d),
    )


def result_document_upload(*, dossier: Dossier, actor: Any, upload: Any) -> IssuedDocument:
    """Register the result PDF the processing officer prepared outside the system; an
    already signed PDF is validated (documents.issued_document_upload). A previous
    draft is kept and marked as replaced."""
    from motcua.documents.services.issued import issued_document_replace, issued_document_upload

    d = dossier
    data = upload.read(MAX_RESULT_BYTES + 1)
    if len(data) > MAX_RESULT_BYTES:
        raise InvalidDossierData(_("Tệp kết quả vượt quá 20 MB."))
    previous = result_document_of(d)
    try:
        issued = issued_document_upload(
            data=data,
            original_name=str(getattr(upload, "name", "") or ""),
            title=(d.procedure_version.result_name or d.procedure_version.name)[:300],
            issuer_name=d.competent_unit.name,
            actor=actor,
            unit=d.competent_unit,
            owner=d.applicant,
            dossier_code=d.code or "",
            procedure_code=d.procedure_version.procedure.code,
        )
        if previous is not None:
            issued_document_replace(
                old=previous, new=issued, actor=actor, reason=_("Dự thảo kết quả mới")
            )
    except ValidationError as exc:
        raise InvalidDossierData(exc.messages[0]) from exc
    return issued


def result_sign(
    *,
    dossier: Dossier,
    actor: Any,
    role: str,
    reason: str = "",
    generate: bool = False,
    stamp_note: str = "",
) -> IssuedDocument:
    """Sign the dossier's current result in `role` (leader: personal credential;
    agency: the competent unit's seal). With `generate`, a dossier without a result
    gets one rendered first. Signing twice in the same role is a no-op."""
    from motcua.documents.services.signatures import document_sign
    from motcua.documents.signing.plugins import SigningUnavailable

    d = dossier
    issued = result_document_of(d)
    if issued is None:
        if not generate:
            raise SignatureMissing(_("Hồ sơ chưa có văn bản kết quả điện tử."))
        issued = result_document_generate(dossier=d, actor=actor)
    if role in signed_roles(issued):
        return issued
    if role == SignerRole.AGENCY and SignerRole.LEADER not in signed_roles(issued):
        raise SignatureMissing(_("Lãnh đạo chưa ký số kết quả; chưa thể đóng dấu cơ quan."))
    assert issued.file is not None
    try:
        document_sign(
            file=issued.file,
            actor=actor,
            role=role,
            unit=d.competent_unit if role == SignerRole.AGENCY else None,
            reason=reason,
            location=d.competent_unit.name,
            stamp_note=stamp_note,
        )
    except (PermissionDenied, ValidationError, SigningUnavailable) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        raise SignatureMissing(message) from exc
    issued.refresh_from_db()
    return issued


def result_file_entry(issued: IssuedDocument) -> dict[str, Any]:
    """One `Dossier.result_files` entry (read by the national sync: DanhSachGiayToKetQua)."""
    from motcua.documents.services.issued import download_url

    return {
        "ref": issued.code,
        "name": issued.title,
        "url": download_url(issued.code),
        "file": str(issued.file_id),
        "sha256": issued.sha256,
        "signatures": signed_roles(issued),
    }
