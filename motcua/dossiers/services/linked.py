"""Linked applications (hồ sơ liên thông, law.md R40; Decree 63/2024/NĐ-CP; Project 06,
Decision 06/QĐ-TTg): one application for a ProcedureBundle. The applicant answers the
linked e-form and attaches the shared documents once (DossierGroup); each member
procedure has a member draft filled from them, and submission turns every member
draft into a child Dossier through the ordinary online submission (`draft_submit` →
`dossier_submit_online`) at the competent authority of that procedure, so each child
keeps its own code, time limit, processing, monitoring and national sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import ReturnMode
from motcua.catalog.models import BundleMember, ProcedureBundle
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.errors import InvalidDossierData
from motcua.dossiers.models import Dossier, DossierDraft, DossierGroup
from motcua.dossiers.services import drafts
from motcua.org.models import OrgUnit

# A member component filled by the linked declaration printed from the shared answers.
DECLARATION = "@to_khai"
# The children's states in which their work is over (a result, or no result to come).
FINISHED = frozenset(
    {
        DossierStatus.RESOLVED,
        DossierStatus.RESULT_RETURNED,
        DossierStatus.REFUSED,
        DossierStatus.REJECTED_AT_RECEPTION,
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
        DossierStatus.CLOSED_UNSUPPLEMENTED,
    }
)


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record

    audit_record(**kwargs)


def _own(group: DossierGroup, actor: Any) -> None:
    if group.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Bạn không có quyền với hồ sơ liên thông này."))
    if group.submitted_at is not None:
        raise InvalidDossierData(_("Hồ sơ liên thông này đã được nộp, không sửa được nữa."))


def _members(bundle: ProcedureBundle) -> list[BundleMember]:
    return list(bundle.members.select_related("procedure").order_by("order", "pk"))


def member_answers(member: BundleMember, shared: dict[str, Any]) -> dict[str, Any]:
    """A member's e-form answers from the linked e-form's (fixed values as given)."""
    out: dict[str, Any] = {}
    for field, source in (member.answers_map or {}).items():
        if isinstance(source, dict):
            out[field] = source.get("value")
        elif source in shared and shared[source] not in (None, ""):
            out[field] = shared[source]
    return out


@transaction.atomic
def group_start(*, applicant: Any, bundle: ProcedureBundle, new: bool = False) -> DossierGroup:
    """Open the applicant's unsubmitted linked application for the bundle, or start
    one with a member draft per member procedure (its version in force today); `new`:
    always a new one (a system filing on the applicant's behalf through the API)."""
    from motcua.catalog.selectors import version_in_force

    if not getattr(applicant, "is_citizen", False):
        raise PermissionDenied(_("Chỉ tài khoản công dân hoặc tổ chức được nộp hồ sơ."))
    existing = (
        DossierGroup.objects.filter(applicant=applicant, bundle=bundle, submitted_at__isnull=True)
        # not one a system opened on the applicant's behalf (its member drafts are the
        # API client's: motcua/api/linked.py)
        .exclude(drafts__api_client_link__isnull=False)
        .first()
    )
    if existing is not None and not new:
        return existing
    group = DossierGroup.objects.create(bundle=bundle, applicant=applicant)
    for member in _members(bundle):
        version = version_in_force(member.procedure)
        if version is None:
            raise InvalidDossierData(
                _("Thủ tục %(name)s chưa có phiên bản đang áp dụng.")
                % {"name": member.procedure.name}
            )
        draft = drafts.draft_start(applicant=applicant, procedure_version=version, new=True)
        draft.group = group
        draft.save(update_fields=["group", "updated_at"])
    _audit(action="dossiers.group_start", actor=applicant, obj=group, after={"bundle": bundle.code})
    return group


def _member_drafts(group: DossierGroup) -> list[tuple[BundleMember, DossierDraft]]:
    by_procedure = {
        d.procedure_version.procedure_id: d
        for d in group.drafts.select_related("procedure_version", "case")
    }
    return [
        (m, by_procedure[m.procedure_id])
        for m in _members(group.bundle)
        if m.procedure_id in by_procedure
    ]


def _member_form_valid(draft: DossierDraft, answers: dict[str, Any]) -> bool:
    """The member's own e-form judges its share of the answers (as the wizard would)."""
    from motcua.api.applications import _form_data
    from motcua.catalog import eforms

    version = draft.procedure_version
    schema = version.form_schema or {}
    if not schema.get("properties"):
        return True
    form = eforms.build_form(
        schema,
        version.form_layout,
        data=_form_data(schema, answers),
        user=draft.applicant,
        prefix="eform",
    )
    return bool(form.is_valid())


@transaction.atomic
def group_save_answers(
    *,
    group: DossierGroup,
    actor: Any,
    raw_form: dict[str, Any],
    answers: dict[str, Any] | None = None,
) -> DossierGroup:
    """Keep the linked e-form as typed; with validated `answers`, fill every member
    draft's e-form from them (each judged by its own e-form)."""
    _own(group, actor)
    group.raw_form = raw_form
    group.form_valid = answers is not None
    if answers is not None:
        group.answers = answers
    group.save(update_fields=["raw_form", "answers", "form_valid", "updated_at"])
    if answers is not None:
        for member, draft in _member_drafts(group):
            mine = member_answers(member, answers)
            drafts.draft_save(
                draft=draft,
                actor=actor,
                answers=mine,
                form_valid=_member_form_valid(draft, mine),
            )
    return group


def shared_documents(group: DossierGroup) -> list[dict[str, Any]]:
    """The bundle's shared documents with what is attached to each."""
    return [
        {**doc, "attachment": group.attachments.get(doc["code"])}
        for doc in group.bundle.shared_documents or []
    ]


class _SharedComponent:
    """A shared document checked with its own upload policy (UploadPolicy.for_component)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.code = doc["code"]
        self.name = doc["name"]
        self.accepted_types = doc.get("accepted_types") or [
            "application/pdf",
            "image/jpeg",
            "image/png",
        ]
        self.max_size_mb = int(doc.get("max_size_mb") or 10)


def _set_member_attachment(
    group: DossierGroup, code: str, attachment: dict[str, Any] | None
) -> None:
    for member, draft in _member_drafts(group):
        targets = [c for c, source in (member.documents_map or {}).items() if source == code]
        if not targets:
            continue
        attachments = dict(draft.attachments)
        for component_code in targets:
            if attachment is None:
                attachments.pop(component_code, None)
            else:
                attachments[component_code] = attachment
        draft.attachments = attachments
        draft.save(update_fields=["attachments", "updated_at"])


@transaction.atomic
def group_attach_upload(
    *, group: DossierGroup, actor: Any, code: str, uploads: Sequence[Any]
) -> dict[str, Any]:
    """Attach a shared document once (same content checks as any upload); it stands
    for the matching component of every member (`documents_map`)."""
    from motcua.documents.inspection import UploadPolicy
    from motcua.dossiers.files import store_citizen_files

    _own(group, actor)
    doc = next((d for d in group.bundle.shared_documents or [] if d["code"] == code), None)
    if doc is None:
        raise InvalidDossierData(_("Giấy tờ không thuộc hồ sơ liên thông này."))
    component = _SharedComponent(doc)
    stored = store_citizen_files(
        actor=actor,
        uploads=uploads,
        policy=UploadPolicy.for_component(component),
        name=str(component.name),
    )
    attachment = {
        "file": str(stored.pk),
        "name": stored.original_name,
        "size": stored.size,
        "pages": stored.page_count,
        "content_type": stored.mime_type,
        "parts": len([u for u in uploads if u is not None]),
        "warehouse_item": None,
    }
    group.attachments = {**group.attachments, code: attachment}
    group.save(update_fields=["attachments", "updated_at"])
    _set_member_attachment(group, code, attachment)
    _audit(
        action="dossiers.group_attach",
        actor=actor,
        obj=group,
        after={"document": code, "file": str(stored.pk)},
    )
    return attachment


@transaction.atomic
def group_detach(*, group: DossierGroup, actor: Any, code: str) -> DossierGroup:
    _own(group, actor)
    attachments = dict(group.attachments)
    attachments.pop(code, None)
    group.attachments = attachments
    group.save(update_fields=["attachments", "updated_at"])
    _set_member_attachment(group, code, None)
    return group


def group_problems(group: DossierGroup) -> list[str]:
    """What still stops submission, in plain Vietnamese (each member's own checks,
    except the components the linked declaration will fill)."""
    problems: list[str] = []
    if not group.form_valid:
        problems.append(_("Tờ khai liên thông chưa điền đủ hoặc còn lỗi."))
    for doc in shared_documents(group):
        if doc.get("requirement", "required") == "required" and not doc["attachment"]:
            problems.append(_("Chưa đính kèm: %(name)s.") % {"name": doc["name"]})
    if problems:
        return problems
    for member, draft in _member_drafts(group):
        # The linked declaration is printed at submission: judged as attached.
        placeholder = {"file": "", "name": str(_("Tờ khai liên thông"))}
        declared = {
            c: placeholder for c, s in (member.documents_map or {}).items() if s == DECLARATION
        }
        draft.attachments = {**draft.attachments, **declared}
        for _step, message in drafts.draft_problems(draft):
            problems.append(f"{draft.procedure_version.name}: {message}")
    return problems


def _declaration_attachment(group: DossierGroup, actor: Any, unit: OrgUnit) -> dict[str, Any]:
    """The linked e-form printed as one PDF: the declaration of every member whose
    declaration component the bundle maps to it (Decree 63/2024: one linked form)."""
    from motcua.catalog.eforms import readable_answers
    from motcua.documents.rendering import render_pdf
    from motcua.documents.services import stored_file_create

    bundle = group.bundle
    title = _("Tờ khai liên thông: %(name)s") % {"name": bundle.name}
    data = render_pdf(
        "dossiers/pdf/eform.html",
        {
            "title": title,
            "procedure": bundle.name,
            "rows": readable_answers(bundle.shared_form.get("schema") or {}, group.answers),
            "applicant": group.applicant,
            "made_at": timezone.localtime(),
        },
    )
    stored = stored_file_create(
        data=data,
        original_name=f"{title}.pdf"[:200],
        actor=actor,
        owner=actor,
        unit=unit,
        trusted=True,
    )
    return {
        "file": str(stored.pk),
        "name": stored.original_name,
        "size": stored.size,
        "pages": stored.page_count,
        "content_type": stored.mime_type,
        "parts": 1,
        "warehouse_item": None,
    }


@transaction.atomic
def group_submit(
    *,
    group: DossierGroup,
    actor: Any,
    receiving_unit: OrgUnit,
    declared: bool,
    now: dt.datetime | None = None,
) -> list[Dossier]:
    """Submit the linked application: one child dossier per member, each through the
    ordinary online submission, received by `receiving_unit` and routed to its own
    competent authority (law.md R40). All or nothing: one transaction."""
    group = DossierGroup.objects.select_for_update().get(pk=group.pk)
    _own(group, actor)
    if not declared:
        raise InvalidDossierData(_("Bạn cần xác nhận lời cam đoan trước khi nộp."))
    problems = group_problems(group)
    if problems:
        raise InvalidDossierData(" ".join(problems))
    now = now or timezone.now()
    declaration = _declaration_attachment(group, actor, receiving_unit)
    children: list[Dossier] = []
    for member, draft in _member_drafts(group):
        attachments = dict(draft.attachments)
        for component_code, source in (member.documents_map or {}).items():
            if source == DECLARATION:
                attachments[component_code] = declaration
        drafts.draft_save(draft=draft, actor=actor, receiving_unit=receiving_unit)
        draft.attachments = attachments
        draft.save(update_fields=["attachments", "updated_at"])
        child = drafts.draft_submit(draft=draft, actor=actor, declared=True, now=now)
        Dossier.objects.filter(pk=child.pk).update(group=group)
        child.group = group
        children.append(child)
    group.receiving_unit = receiving_unit
    group.submitted_at = now
    group.return_mode = group.bundle.return_mode
    group.save(update_fields=["receiving_unit", "submitted_at", "return_mode", "updated_at"])
    _audit(
        action="dossiers.group_submit",
        actor=actor,
        obj=group,
        after={"bundle": group.bundle.code, "children": [c.pk for c in children]},
    )
    return children


# --- reading a group ----------------------------------------------------------------------


def children_of(group: DossierGroup) -> list[Dossier]:
    return list(
        group.dossiers.select_related(
            "procedure_version__procedure", "competent_unit", "receiving_unit"
        ).order_by("pk")
    )


def results_released(group: DossierGroup, children: list[Dossier] | None = None) -> bool:
    """Whether the children's results may be shown and returned: at once when the
    bundle returns each result when ready, else only once every child is finished
    (Decree 63/2024: the results of the linked procedures are returned together)."""
    if group.return_mode == ReturnMode.EACH:
        return True
    children = children if children is not None else children_of(group)
    return bool(children) and all(c.status in FINISHED for c in children)


def child_result_held(dossier: Dossier) -> bool:
    """A child's result is held back while its linked application returns results
    together and a sibling is still being processed."""
    group = dossier.group if dossier.group_id is not None else None
    if group is None:
        return False
    return not results_released(group)


def result_held_for_code(dossier_code: str) -> bool:
    """`child_result_held` for the dossier of an issued result (documents know the
    dossier by its code only)."""
    if not dossier_code:
        return False
    d = Dossier.objects.select_related("group").filter(code=dossier_code).first()
    return d is not None and child_result_held(d)


def result_notice_key(dossier: Dossier) -> str:
    """The one dedup key of a linked child's "result ready" notice, whichever path
    sends it (its own transition, or the release of the application)."""
    return f"linked-result:{dossier.pk}"


def group_results_release(dossier_id: int) -> list[Dossier]:
    """After a child of a linked application finishes (law.md R40): when the
    application returns its results together and this was the last child, the results
    held back go out at once — each child's sealed electronic result enters the
    applicant's e-data warehouse (Decree 61/2018 Art. 20(5); held until now by
    `documents_sign`) and each child with a result is announced to the applicant.
    Idempotent: the warehouse push is an upsert and the notices have one dedup key
    (`result_notice_key`). Returns the children whose results were released."""
    d = Dossier.objects.select_related("group").filter(pk=dossier_id).first()
    if d is None or d.group is None or d.group.return_mode != ReturnMode.TOGETHER:
        return []
    children = children_of(d.group)
    if not results_released(d.group, children):
        return []
    from motcua.documents.constants import SignerRole
    from motcua.documents.services import warehouse_push_result
    from motcua.dossiers.services.e_result import result_document_of, signed_roles
    from motcua.notifications.receivers import dossier_context
    from motcua.notifications.services import notify

    released = []
    for child in children:
        if child.status not in (DossierStatus.RESOLVED, DossierStatus.RESULT_RETURNED):
            continue
        released.append(child)
        issued = result_document_of(child)
        if issued is not None and issued.owner_id and SignerRole.AGENCY in signed_roles(issued):
            warehouse_push_result(issued=issued)
        notify(
            recipient=d.group.applicant,
            event="dossier_resolved",
            context=dossier_context(child),
            dossier=child,
            url=reverse("my_dossiers:detail", args=[child.pk]),
            dedup_key=result_notice_key(child),
        )
    return released


def on_child_finished(sender: Any, *, dossier_id: int, to_status: str = "", **kwargs: Any) -> None:
    """Receiver of `dossier_transitioned` (background fan-out): release the linked
    application's results when its last child finishes."""
    if to_status in FINISHED:
        group_results_release(dossier_id)
