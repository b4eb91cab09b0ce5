"""Online applications in progress (portal wizard): server-side drafts, attachments
through the documents app's safe upload, reuse from the e-data warehouse, submission
through `dossier_submit_online`, and the public tracking check (second factor and a
DB-backed rate limit)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Component, ProcedureCase, ProcedureVersion
from motcua.dossiers import applying, rulesets
from motcua.dossiers.errors import InvalidDossierData
from motcua.dossiers.files import store_citizen_files
from motcua.dossiers.models import Dossier, DossierComponent, DossierDraft, TrackingThrottle
from motcua.dossiers.services._pipeline import ComponentInput
from motcua.dossiers.services.creation import dossier_submit_online
from motcua.org.models import OrgUnit

TRACKING_WINDOW = dt.timedelta(minutes=15)
TRACKING_MAX_FAILURES = 10


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record

    audit_record(**kwargs)


def _own(draft: DossierDraft, actor: Any) -> None:
    if draft.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Bạn không có quyền với hồ sơ nháp này."))
    if draft.dossier_id is not None:
        raise InvalidDossierData(_("Hồ sơ này đã được nộp, không sửa được nữa."))


# --- drafts -----------------------------------------------------------------------------


@transaction.atomic
def draft_start(
    *, applicant: Any, procedure_version: ProcedureVersion, new: bool = False
) -> DossierDraft:
    """Open the applicant's draft for this procedure version, or create one (`new`:
    always a new one, for an application a system files on the applicant's behalf)."""
    if not getattr(applicant, "is_citizen", False):
        raise PermissionDenied(_("Chỉ tài khoản công dân hoặc tổ chức được nộp hồ sơ."))
    draft = DossierDraft.objects.filter(
        applicant=applicant,
        procedure_version=procedure_version,
        dossier__isnull=True,
        api_client_link__isnull=True,
        group__isnull=True,
    ).first()
    if draft is not None and not new:
        return draft
    draft = DossierDraft.objects.create(applicant=applicant, procedure_version=procedure_version)
    _audit(
        action="dossiers.draft_start",
        actor=applicant,
        obj=draft,
        after={"version": draft.procedure_version_id},
    )
    return draft


@transaction.atomic
def draft_save(
    *,
    draft: DossierDraft,
    actor: Any,
    raw_form: dict[str, Any] | None = None,
    answers: dict[str, Any] | None = None,
    form_valid: bool | None = None,
    case: ProcedureCase | None = None,
    step: str | None = None,
    receiving_unit: OrgUnit | None = None,
    on_behalf: bool | None = None,
    principal_name: str | None = None,
    principal_id: str | None = None,
) -> DossierDraft:
    """Save what the applicant typed so far (autosave and the "Lưu nháp" button).
    Changed answers may change which components are needed; attachments are kept."""
    _own(draft, actor)
    if case is not None and case.version_id != draft.procedure_version_id:
        raise InvalidDossierData(_("Trường hợp không thuộc thủ tục này."))
    values = {
        "raw_form": raw_form,
        "answers": answers,
        "form_valid": form_valid,
        "case": case,
        "step": step,
        "receiving_unit": receiving_unit,
        "on_behalf": on_behalf,
        "principal_name": principal_name,
        "principal_id": principal_id,
    }
    for name, value in values.items():
        if value is not None:
            setattr(draft, name, value)
    draft.save()
    return draft


@transaction.atomic
def draft_attach_upload(
    *, draft: DossierDraft, actor: Any, component: Any, uploads: Sequence[Any]
) -> dict[str, Any]:
    """Attach the applicant's files to one component (see store_citizen_files)."""
    from motcua.documents.inspection import UploadPolicy

    _own(draft, actor)
    if component.version_id != draft.procedure_version_id:
        raise InvalidDossierData(_("Giấy tờ không thuộc thủ tục này."))
    stored = store_citizen_files(
        actor=actor,
        uploads=uploads,
        policy=UploadPolicy.for_component(component),
        name=str(component.name),
    )
    datas = [u for u in uploads if u is not None]
    attachment = {
        "file": str(stored.pk),
        "name": stored.original_name,
        "size": stored.size,
        "pages": stored.page_count,
        "content_type": stored.mime_type,
        "parts": len(datas),
        "warehouse_item": None,
    }
    draft.attachments = {**draft.attachments, component.code: attachment}
    draft.save(update_fields=["attachments", "updated_at"])
    _audit(
        action="dossiers.draft_attach",
        actor=actor,
        obj=draft,
        after={"component": component.code, "file": str(stored.pk), "parts": len(datas)},
    )
    return attachment


@transaction.atomic
def draft_attach_warehouse(
    *, draft: DossierDraft, actor: Any, component: Component, item: Any
) -> dict[str, Any]:
    """Use a document the applicant already has in the e-data warehouse (no upload)."""
    _own(draft, actor)
    if component.version_id != draft.procedure_version_id:
        raise InvalidDossierData(_("Giấy tờ không thuộc thủ tục này."))
    if item.owner_id != actor.pk:
        raise PermissionDenied(_("Bạn không có quyền dùng giấy tờ này."))
    if not item.is_active:
        raise InvalidDossierData(_("Giấy tờ này không còn hiệu lực để sử dụng lại."))
    if item.valid_until and item.valid_until < timezone.localdate():
        raise InvalidDossierData(_("Giấy tờ này đã hết hiệu lực."))
    attachment = applying.warehouse_attachment(item)
    draft.attachments = {**draft.attachments, component.code: attachment}
    draft.save(update_fields=["attachments", "updated_at"])
    _audit(
        action="dossiers.draft_attach_warehouse",
        actor=actor,
        obj=draft,
        after={"component": component.code, "warehouse_item": item.pk},
    )
    return attachment


@transaction.atomic
def draft_detach(*, draft: DossierDraft, actor: Any, component_code: str) -> DossierDraft:
    _own(draft, actor)
    attachments = dict(draft.attachments)
    attachments.pop(component_code, None)
    # A document suggested from the warehouse is not offered again once removed.
    declined = set(attachments.get(applying.DECLINED) or [])
    declined.add(component_code)
    attachments[applying.DECLINED] = sorted(declined)
    draft.attachments = attachments
    draft.save(update_fields=["attachments", "updated_at"])
    return draft


@transaction.atomic
def draft_delete(*, draft: DossierDraft, actor: Any) -> None:
    _own(draft, actor)
    _audit(action="dossiers.draft_delete", actor=actor, obj=draft, before={"pk": draft.pk})
    draft.delete()


def draft_plan(draft: DossierDraft) -> list[applying.ComponentPlan]:
    """Components needed for the current answers and how each one is satisfied."""
    from motcua.catalog.selectors import components_required
    from motcua.documents.selectors import warehouse_of

    components = components_required(
        draft.procedure_version, draft.answers, draft.case.code if draft.case else None
    )
    items = [
        i
        for i in warehouse_of(draft.applicant)
        if i.is_active and (i.valid_until is None or i.valid_until >= timezone.localdate())
    ]
    version = draft.procedure_version
    eform_code = applying.eform_component_code(components, version.form_schema, version.form_layout)
    return applying.plan_components(components, draft.attachments, items, eform_code=eform_code)


def eform_declaration_pdf(draft: DossierDraft, *, title: str) -> bytes:
    """The e-form answers printed as the declaration component of the dossier, so that
    officers open it like any attachment and it travels with the dossier."""
    from motcua.catalog.eforms import readable_answers
    from motcua.documents.rendering import render_pdf

    version = draft.procedure_version
    applicant = draft.applicant
    return render_pdf(
        "dossiers/pdf/eform.html",
        {
            "title": title,
            "procedure": version.name,
            "rows": readable_answers(version.form_schema, draft.answers),
            "applicant": applicant,
            "made_at": timezone.localtime(),
        },
    )


def draft_problems(draft: DossierDraft) -> list[tuple[str, str]]:
    """What still stops submission, as (step, message) in plain Vietnamese."""
    problems: list[tuple[str, str]] = []
    cases = draft.procedure_version.cases.count()
    if cases > 1 and draft.case_id is None:
        problems.append((applying.STEP_CASE, _("Bạn chưa chọn trường hợp.")))
    has_form = bool((draft.procedure_version.form_schema or {}).get("properties"))
    if has_form and not draft.form_valid:
        problems.append((applying.STEP_FORM, _("Tờ khai chưa điền đủ hoặc còn lỗi.")))
    for plan in applying.missing(draft_plan(draft)):
        problems.append(
            (
                applying.STEP_COMPONENTS,
                _("Chưa đính kèm: %(name)s.") % {"name": plan.component.name},
            )
        )
    if draft.on_behalf and not (draft.principal_name and draft.principal_id):
        problems.append(
            (applying.STEP_DECLARATION, _("Nhập họ tên và số định danh của người được nộp thay."))
        )
    if draft.on_behalf and "UY_QUYEN" not in draft.attachments:
        problems.append(
            (applying.STEP_DECLARATION, _("Đính kèm văn bản ủy quyền của người được nộp thay."))
        )
    return problems


def _eform_input(draft: DossierDraft, plan: applying.ComponentPlan, actor: Any) -> ComponentInput:
    """The component filled in as the e-form, with the answers printed as its file."""
    from motcua.documents.services import stored_file_create
    from motcua.dossiers.files import file_ref

    name = str(plan.component.name)
    stored = stored_file_create(
        data=eform_declaration_pdf(draft, title=name),
        original_name=f"{name}.pdf"[:200],
        actor=actor,
        owner=actor,
        unit=draft.receiving_unit,
        trusted=True,
    )
    return ComponentInput(component=plan.component, files=[file_ref(stored, stored.original_name)])


def _file_ref(attachment: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": attachment.get("name", ""),
        "size": attachment.get("size", 0),
        "content_type": attachment.get("content_type", ""),
        "ref": f"documents:{attachment['file']}",
        "file_id": attachment["file"],
        "pages": attachment.get("pages"),
    }


@transaction.atomic
def draft_submit(
    *, draft: DossierDraft, actor: Any, declared: bool, now: dt.datetime | None = None
) -> Dossier:
    """Submit the draft as an online dossier (Decree 61/2018 Art. 16(3)). The applicant
    must declare that the information is true (Decree 45/2020 Art. 9: responsibility
    for the accuracy of the electronic dossier)."""
    from motcua.documents.models import StoredFile, WarehouseItem
    from motcua.documents.services import LinkTarget, warehouse_item_reuse

    draft = DossierDraft.objects.select_for_update().get(pk=draft.pk)
    _own(draft, actor)
    rules = rulesets.ruleset_at(now or timezone.now())
    if not rulesets.portal_submission_open(rules):
        raise InvalidDossierData(
            _(
                "Hồ sơ trực tuyến được nộp trên Cổng Dịch vụ công quốc gia "
                "(dichvucong.gov.vn) theo %(basis)s; hệ thống này không nhận nộp trực tuyến. "
                "Bản khai của bạn vẫn được lưu."
            )
            % {"basis": rules.cite("channels")}
        )
    if not declared:
        raise InvalidDossierData(_("Bạn cần xác nhận lời cam đoan trước khi nộp."))
    if draft.receiving_unit is None:
        raise InvalidDossierData(_("Vui lòng chọn nơi tiếp nhận hồ sơ."))
    problems = draft_problems(draft)
    if problems:
        raise InvalidDossierData(" ".join(message for _step, message in problems))
    all_plans = draft_plan(draft)
    plans = [p for p in all_plans if p.attachment]
    declarations = [_eform_input(draft, p, actor) for p in all_plans if p.mode == applying.EFORM]
    inputs = [
        ComponentInput(
            component=p.component,
            files=[_file_ref(dict(p.attachment or {}))],
            reused=p.mode == applying.WAREHOUSE,
            from_warehouse=p.mode == applying.WAREHOUSE,
        )
        for p in plans
    ]
    inputs.extend(declarations)
    if draft.on_behalf:
        inputs.append(
            ComponentInput(
                name=_("Văn bản ủy quyền"), files=[_file_ref(draft.attachments["UY_QUYEN"])]
            )
        )
    answers = dict(draft.answers)
    if draft.on_behalf:
        answers["_nop_thay"] = {"ho_ten": draft.principal_name, "so_dinh_danh": draft.principal_id}
    dossier = dossier_submit_online(
        applicant=actor,
        procedure_version=draft.procedure_version,
        receiving_unit=draft.receiving_unit,
        case=draft.case,
        form_answers=answers,
        components=inputs,
        representative_name=actor.full_name if draft.on_behalf else "",
        representative_id=(actor.personal_id or "") if draft.on_behalf else "",
        now=now,
    )
    # Link the stored files to the new dossier components; files uploaded for the
    # draft are handed to the receiving unit so its officers may open them.
    rows = {(c.component_id, c.name): c for c in DossierComponent.objects.filter(dossier=dossier)}
    for plan in plans:
        attachment = dict(plan.attachment or {})
        row = rows.get((plan.component.pk, plan.component.name))
        target = LinkTarget(component_code=plan.code, obj=row)
        item_pk = attachment.get("warehouse_item")
        if item_pk:
            item = WarehouseItem.objects.select_related("file").get(pk=item_pk)
            warehouse_item_reuse(item=item, actor=actor, target=target)
        else:
            # Linked to its component row on creation (dossiers.files.link_component_files).
            StoredFile.objects.filter(pk=attachment["file"], owner=actor, unit__isnull=True).update(
                unit=draft.receiving_unit
            )
    if draft.on_behalf:
        StoredFile.objects.filter(
            pk=draft.attachments["UY_QUYEN"]["file"], owner=actor, unit__isnull=True
        ).update(unit=draft.receiving_unit)
    draft.dossier = dossier
    draft.submitted_at = dossier.submitted_at or timezone.now()
    draft.save(update_fields=["dossier", "submitted_at", "updated_at"])
    _audit(
        action="dossiers.draft_submit",
        actor=actor,
        obj=dossier,
        after={"draft": draft.pk, "components": [p.code for p in plans]},
    )
    return dossier


def submission_reference(dossier: Dossier) -> str:
    """The number shown right after online submission, before reception allocates the
    dossier code (Decree 61/2018 Art. 17(3) — the code comes with reception)."""
    local = timezone.localtime(dossier.submitted_at or dossier.created_at)
    return f"TT-{local:%y%m%d}-{dossier.pk:06d}"


# --- public tracking --------------------------------------------------------------------


class TrackingThrottled(Exception):
    """Too many failed look-ups from this client; try again later."""


def _throttle_key(client: str) -> str:
    return hashlib.sha256(f"tracking:{client}".encode()).hexdigest()


def tracking_lookup(
    *, code: str, factor: str, client: str, now: dt.datetime | None = None
) -> Dossier | None:
    """The dossier whose code and second factor (last 4 digits of the applicant's
    personal ID, phone or tax code) match, else None — without saying which one was
    wrong. Failures are counted per client; after TRACKING_MAX_FAILURES in
    TRACKING_WINDOW every look-up is refused (TrackingThrottled)."""
    now = now or timezone.now()
    key = _throttle_key(client or "unknown")
    # Every look-up first reserves one attempt under a row lock, so parallel wrong
    # guesses can never pass the limit; a look-up that succeeds gives it back.
    if not _tracking_reserve(key, now):
        raise TrackingThrottled
    d = (
        Dossier.objects.select_related("applicant", "procedure_version", "receiving_unit")
        .filter(code=(code or "").strip())
        .first()
    )
    ok = d is not None and applying.second_factor_matches(
        factor,
        getattr(d.applicant, "personal_id", "") or "",
        getattr(d.applicant, "phone", "") or "",
        getattr(d.applicant, "tax_code", "") or "",
    )
    if not ok:
        return None
    TrackingThrottle.objects.filter(key=key, attempts__gt=0).update(attempts=F("attempts") - 1)
    TrackingThrottle.objects.filter(key=key, attempts=0).delete()
    return d


def _tracking_reserve(key: str, now: dt.datetime) -> bool:
    """Count one look-up in the client's window (a new window after it expired); False
    when the window's attempts are used up. Atomic: the row is locked."""
    with transaction.atomic():
        row, _created = TrackingThrottle.objects.select_for_update().get_or_create(
            key=key, defaults={"window_started_at": now, "attempts": 0}
        )
        if now - row.window_started_at > TRACKING_WINDOW:
            row.window_started_at, row.attempts = now, 0
        if row.attempts >= TRACKING_MAX_FAILURES:
            return False
        row.attempts += 1
        row.save(update_fields=["window_started_at", "attempts"])
        return True
