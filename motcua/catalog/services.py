"""Business writes for the catalogue (design.md: one transaction each, permission and
state checks, an audit entry).

Versioning (law.md R2): content lives in ProcedureVersion rows. Editing means
creating a draft copy, changing it, and publishing it with an effective date; a
published version is immutable, so a dossier that pinned it keeps its deadline
and fee whatever happens to the catalogue later.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from motcua.catalog import eforms, interchange, text, timing
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import (
    Competence,
    Component,
    FeeRule,
    Field,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ProcessStep,
)
from motcua.catalog.permissions import can_manage_catalog

VersionChild = Component | FeeRule | ProcessStep | ProcedureCase


class CatalogError(Exception):
    """A refused catalogue change; the message is user-facing (Vietnamese)."""


class VersionImmutableError(CatalogError):
    pass


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record

    audit_record(**kwargs)


def _check_manage(actor: Any) -> None:
    if not can_manage_catalog(actor):
        raise CatalogError("Bạn không có quyền quản lý danh mục thủ tục.")


def _check_draft(version: ProcedureVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise VersionImmutableError("Phiên bản đã công bố không được sửa; hãy tạo bản nháp mới.")


def procedure_refresh_search_text(procedure: Procedure) -> None:
    """Normalised name + code + field, for accent-insensitive search."""
    # Names of every published version too: a renamed procedure stays findable by
    # both names, and a future version's name is searchable before it takes effect.
    names = set(
        procedure.versions.filter(
            status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED)
        ).values_list("name", flat=True)
    )
    names.discard(procedure.name)
    procedure.search_text = text.normalise(
        " ".join([procedure.name, *sorted(names), procedure.code, procedure.field.name])
    )
    Procedure.objects.filter(pk=procedure.pk).update(search_text=procedure.search_text)


@transaction.atomic
def procedure_create(
    *, code: str, name: str, field: Field, level: str, actor: Any
) -> ProcedureVersion:
    """A new procedure with an empty first draft."""
    _check_manage(actor)
    if Procedure.objects.filter(code=code).exists():
        raise CatalogError(f"Mã thủ tục {code} đã tồn tại.")
    procedure = Procedure.objects.create(code=code, name=name, field=field, level=level)
    procedure_refresh_search_text(procedure)
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=1, name=name, created_by=_user(actor)
    )
    _audit(action="catalog.procedure_create", actor=actor, obj=procedure, after={"code": code})
    return version


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def procedure_version_create_draft(*, procedure: Procedure, actor: Any) -> ProcedureVersion:
    """Copy the newest published version into a new draft (one draft at a time)."""
    from motcua.catalog import selectors

    _check_manage(actor)
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    existing = selectors.draft_of(procedure)
    if existing is not None:
        raise CatalogError(
            f"Thủ tục đã có bản nháp (phiên bản {existing.number}); hãy sửa bản nháp đó."
        )
    source = selectors.latest_published(procedure)
    last = procedure.versions.order_by("-number").first()
    version = ProcedureVersion(
        procedure=procedure,
        number=(last.number + 1) if last else 1,
        status=VersionStatus.DRAFT,
        created_by=_user(actor),
        name=procedure.name,
    )
    if source is not None:
        content = interchange.version_to_dict(source)
        interchange.apply_version_scalars(version, content)
        version.save()
        interchange.write_version_children(version, content)
    else:
        version.save()
    _audit(
        action="catalog.version_create_draft",
        actor=actor,
        obj=version,
        after={"number": version.number, "from": source.number if source else None},
    )
    return version


EDITABLE_FIELDS = (
    "name",
    "subjects",
    "legal_basis",
    "announcement_decision",
    "announced_on",
    "national_published_on",
    "certified_copy_service",
    "online_mode",
    "full_process_eligible",
    "immediate_result",
    "steps_description",
    "methods_description",
    "requirements",
    "result_name",
    "result_is_paper_equivalent",
    "result_template",
    "processing_time_value",
    "processing_time_unit",
    "processing_time_note",
    "fee_collection_timing",
    "is_example_data",
    "change_note",
)


@transaction.atomic
def procedure_version_update(
    *, version: ProcedureVersion, actor: Any, **changes: Any
) -> ProcedureVersion:
    _check_manage(actor)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    _check_draft(version)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise CatalogError(f"Không sửa được: {', '.join(sorted(unknown))}.")
    before = {k: getattr(version, k) for k in changes}
    for key, value in changes.items():
        setattr(version, key, value)
    version.full_clean(
        exclude=["procedure", "created_by", "subjects", "legal_basis", "form_schema", "form_layout"]
    )
    version.save()
    _audit(action="catalog.version_update", actor=actor, obj=version, before=before, after=changes)
    return version


@transaction.atomic
def procedure_version_set_eform(
    *, version: ProcedureVersion, schema: dict[str, Any], layout: dict[str, Any], actor: Any
) -> ProcedureVersion:
    _check_manage(actor)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    _check_draft(version)
    errors = eforms.validate_definition(schema, layout)
    if errors:
        raise CatalogError(" ".join(errors))
    before = {"schema": version.form_schema, "layout": version.form_layout}
    version.form_schema = schema
    version.form_layout = layout
    version.save(update_fields=["form_schema", "form_layout", "updated_at"])
    _audit(
        action="catalog.version_set_eform",
        actor=actor,
        obj=version,
        before=before,
        after={"schema": schema, "layout": layout},
    )
    return version


@transaction.atomic
def version_child_save(*, instance: VersionChild, actor: Any) -> None:
    """Create or update a component, fee rule or step of a draft version."""
    _check_manage(actor)
    version = ProcedureVersion.objects.select_for_update().get(pk=instance.version_id)
    _check_draft(version)
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    _audit(
        action=f"catalog.{instance._meta.model_name}_{'create' if created else 'update'}",
        actor=actor,
        obj=instance,
        after={"version": version.pk, "name": str(instance)},
    )


@transaction.atomic
def version_child_delete(*, instance: VersionChild, actor: Any) -> None:
    _check_manage(actor)
    version = ProcedureVersion.objects.select_for_update().get(pk=instance.version_id)
    _check_draft(version)
    _audit(
        action=f"catalog.{instance._meta.model_name}_delete",
        actor=actor,
        obj=instance,
        before={"version": version.pk, "name": str(instance)},
    )
    instance.delete()


def version_process_errors(version: ProcedureVersion) -> list[str]:
    """R3: the internal process must allocate exactly the legal time (a same-day one
    must fit between the cut-off and the close of the default calendar, R3a). A case
    with its own steps is checked against its own time; other cases use the general
    steps."""
    from motcua.catalog import selectors
    from motcua.workdays.selectors import get_calendar

    window = Decimal(get_calendar(None).same_day_window_seconds) / 3600
    errors: list[str] = []
    steps = list(version.steps.all())
    cases: list[Any] = list(version.cases.all()) or [None]
    for case in cases:
        own = [s for s in steps if case is not None and s.case_id == case.pk]
        chosen = own or [s for s in steps if s.case_id is None]
        value, unit = selectors.processing_time(version, case.code if case else None)
        problems = timing.validate_process(
            [
                timing.StepTime(Decimal(s.duration_value), str(s.duration_unit), s.parallel_group)
                for s in chosen
            ],
            value,
            unit,
            same_day_hours=window,
        )
        prefix = f"Trường hợp “{case.name}”: " if case is not None and len(cases) > 1 else ""
        errors += [prefix + p for p in problems]
    return errors


@transaction.atomic
def procedure_version_publish(
    *,
    version: ProcedureVersion,
    effective_from: dt.date,
    actor: Any,
    check_process: bool = True,
) -> ProcedureVersion:
    """Make a draft immutable and in force from `effective_from`; the previous version
    stays in force until the day before (it is retired at effective_from)."""
    from motcua.catalog import selectors

    _check_manage(actor)
    Procedure.objects.select_for_update().filter(pk=version.procedure_id).first()
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    _check_draft(version)
    if not version.name.strip():
        raise CatalogError("Phiên bản chưa có tên thủ tục.")
    if check_process:
        problems = version_process_errors(version)
        if problems:
            raise CatalogError(" ".join(problems))
    errors = eforms.validate_definition(version.form_schema or {}, version.form_layout or {})
    if errors:
        raise CatalogError(" ".join(errors))
    previous = selectors.latest_published(version.procedure)
    if previous is not None and previous.effective_from is not None:
        if effective_from <= previous.effective_from:
            raise CatalogError(
                f"Ngày hiệu lực phải sau ngày hiệu lực của phiên bản {previous.number} "
                f"({previous.effective_from:%d/%m/%Y})."
            )
        # The previous version ends the day before. It is marked retired now only if
        # that day has already passed; a future change leaves it "published" (still in
        # force) with its end date, so "status = published and dates cover today"
        # stays a correct query until catalog_retire_expired() flips it.
        ends = effective_from - dt.timedelta(days=1)
        ProcedureVersion.objects.filter(
            procedure=version.procedure, status__in=selectors.LIVE_STATUSES
        ).filter(effective_to__isnull=True).update(
            status=(
                VersionStatus.RETIRED if ends < timezone.localdate() else VersionStatus.PUBLISHED
            ),
            effective_to=ends,
        )
    version.status = VersionStatus.PUBLISHED
    version.effective_from = effective_from
    version.effective_to = None
    version.published_at = timezone.now()
    version.save(
        update_fields=["status", "effective_from", "effective_to", "published_at", "updated_at"]
    )
    procedure = version.procedure
    if effective_from <= timezone.localdate():
        procedure.name = version.name
        procedure.save(update_fields=["name", "updated_at"])
    procedure_refresh_search_text(procedure)
    _audit(
        action="catalog.version_publish",
        actor=actor,
        obj=version,
        after={
            "number": version.number,
            "effective_from": effective_from.isoformat(),
            "previous": previous.number if previous else None,
        },
    )
    return version


ANNOUNCEMENT_FIELDS = ("announcement_decision", "announced_on", "national_published_on")


@transaction.atomic
def procedure_version_record_announcement(
    *,
    version: ProcedureVersion,
    actor: Any,
    announcement_decision: str,
    announced_on: dt.date | None,
    national_published_on: dt.date | None,
) -> ProcedureVersion:
    """Record the announcement decision (number, date) of a version and the day it was
    published in the national procedure database — Decision 766 indicators 1.1/1.2
    (law.md §4.4). These are facts about the version, not its content: they may be
    recorded on a published (immutable) version too, since the national "publish" comes
    days after the decision. Dates in the future, or a publication before the decision,
    are refused. Audited; monitoring refreshes 1.1/1.2 on the save."""
    _check_manage(actor)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    today = timezone.localdate()
    for day in (announced_on, national_published_on):
        if day is not None and day > today:
            raise CatalogError(f"Ngày {day:%d/%m/%Y} chưa đến: chỉ ghi nhận việc đã xảy ra.")
    if national_published_on is not None and announced_on is None:
        raise CatalogError("Hãy nhập ngày quyết định công bố trước ngày công khai.")
    if announced_on and national_published_on and national_published_on < announced_on:
        raise CatalogError("Ngày công khai trên CSDL quốc gia không thể trước ngày quyết định.")
    after = {
        "announcement_decision": announcement_decision.strip(),
        "announced_on": announced_on,
        "national_published_on": national_published_on,
    }
    before = {name: getattr(version, name) for name in ANNOUNCEMENT_FIELDS}
    if before == after:
        return version
    for name, new in after.items():
        setattr(version, name, new)
    version.save(update_fields=[*ANNOUNCEMENT_FIELDS, "updated_at"])

    def iso(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}

    _audit(
        action="catalog.version_record_announcement",
        actor=actor,
        obj=version,
        before=iso(before),
        after=iso(after),
    )
    return version


@transaction.atomic
def procedure_version_discard(*, version: ProcedureVersion, actor: Any) -> None:
    _check_manage(actor)
    _check_draft(version)
    _audit(
        action="catalog.version_discard",
        actor=actor,
        obj=version,
        before={"number": version.number},
    )
    version.delete()


def catalogue_import(*, data: Any, actor: Any) -> interchange.ImportResult:
    _check_manage(actor)
    with transaction.atomic():
        result = interchange.import_catalogue(data, actor=actor)
        _audit(
            action="catalog.import",
            actor=actor,
            after={
                "created": result.created,
                "new_versions": result.new_versions,
                "unchanged": result.unchanged,
            },
        )
    return result


@transaction.atomic
def competence_add(
    *,
    procedure: Procedure,
    unit: Any,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    is_competent: bool = True,
    is_reception_point: bool = True,
    actor: Any,
) -> Competence:
    """Competence is effective-dated: reorganisations end one row and start another,
    so dossiers received before keep pointing at the unit that was competent."""
    _check_manage(actor)
    if valid_to is not None and valid_to < valid_from:
        raise CatalogError("Ngày kết thúc phải sau ngày bắt đầu.")
    overlapping = Competence.objects.filter(procedure=procedure, unit=unit).filter(
        models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise CatalogError("Đơn vị đã có thẩm quyền với thủ tục này trong khoảng thời gian đó.")
    competence = Competence.objects.create(
        procedure=procedure,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        is_competent=is_competent,
        is_reception_point=is_reception_point,
    )
    _audit(
        action="catalog.competence_add",
        actor=actor,
        obj=competence,
        after={
            "procedure": procedure.code,
            "unit": unit.code,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
        },
    )
    return competence


@transaction.atomic
def competence_end(*, competence: Competence, valid_to: dt.date, actor: Any) -> Competence:
    _check_manage(actor)
    competence = Competence.objects.select_for_update().get(pk=competence.pk)
    if valid_to < competence.valid_from:
        raise CatalogError("Ngày kết thúc phải sau ngày bắt đầu.")
    before = {"valid_to": competence.valid_to.isoformat() if competence.valid_to else None}
    competence.valid_to = valid_to
    competence.save(update_fields=["valid_to", "updated_at"])
    _audit(
        action="catalog.competence_end",
        actor=actor,
        obj=competence,
        before=before,
        after={"valid_to": valid_to.isoformat()},
    )
    return competence


def catalog_retire_expired(*, at: dt.date | None = None) -> int:
    """Mark published versions whose end date has passed as retired (daily job;
    display only — version_in_force() relies on the dates, not on the status)."""
    at = at or timezone.localdate()
    return ProcedureVersion.objects.filter(
        status=VersionStatus.PUBLISHED, effective_to__lt=at
    ).update(status=VersionStatus.RETIRED)


# --- linked procedures (law.md R40) -----------------------------------------------------


def _bundle_errors(item: Any) -> list[str]:
    from motcua.catalog.constants import ReturnMode

    errors: list[str] = []
    code = item.get("code") if isinstance(item, dict) else None
    where = f"nhóm {code or '?'}"
    if not code or not item.get("name"):
        errors.append(f"{where}: thiếu mã hoặc tên.")
    if item.get("return_mode", ReturnMode.TOGETHER) not in ReturnMode.values:
        errors.append(f"{where}: cách trả kết quả không hợp lệ.")
    members = item.get("members") or []
    if len(members) < 2:
        errors.append(f"{where}: nhóm liên thông cần ít nhất hai thủ tục.")
    shared_form = item.get("shared_form") or {}
    errors += [
        f"{where}: {e}"
        for e in eforms.validate_definition(shared_form.get("schema"), shared_form.get("layout"))
    ]
    fields = set((shared_form.get("schema") or {}).get("properties") or {})
    documents = {d.get("code") for d in item.get("shared_documents") or []}
    for m in members:
        procedure = Procedure.objects.filter(code=m.get("procedure")).first()
        if procedure is None:
            errors.append(f"{where}: không có thủ tục {m.get('procedure')}.")
            continue
        for field, source in (m.get("answers") or {}).items():
            if isinstance(source, str) and source not in fields:
                errors.append(
                    f"{where}: {procedure.code}.{field} lấy từ trường không có: {source}."
                )
        for component, source in (m.get("documents") or {}).items():
            if source != "@to_khai" and source not in documents:
                errors.append(f"{where}: {procedure.code}.{component} lấy từ giấy tờ không có.")
    return errors


@transaction.atomic
def bundle_import(*, data: list[dict[str, Any]], actor: Any = None) -> tuple[int, int]:
    """Create or update linked-procedure bundles from the interchange format
    (docs/catalog-format.md §Linked procedures), all or nothing. Returns (created,
    updated); an unchanged bundle is left as it is. Submitted linked applications keep
    their answers and pinned return mode (R2)."""
    from motcua.catalog.models import BundleMember, ProcedureBundle
    from motcua.core.audit import audit_record

    errors = [e for item in data for e in _bundle_errors(item)]
    if errors:
        raise CatalogError(" ".join(errors))
    created = updated = 0
    for item in data:
        values = {
            "name": item["name"],
            "description": item.get("description", ""),
            "legal_basis": item.get("legal_basis") or [],
            "return_mode": item.get("return_mode") or "together",
            "shared_form": item.get("shared_form") or {},
            "shared_documents": item.get("shared_documents") or [],
            "effective_from": dt.date.fromisoformat(item["effective_from"]),
            "effective_to": (
                dt.date.fromisoformat(item["effective_to"]) if item.get("effective_to") else None
            ),
            "is_active": item.get("is_active", True),
        }
        members = [
            (
                Procedure.objects.get(code=m["procedure"]),
                int(m.get("order", i)),
                m.get("answers") or {},
                m.get("documents") or {},
            )
            for i, m in enumerate(item["members"])
        ]
        bundle = ProcedureBundle.objects.filter(code=item["code"]).first()
        if bundle is not None:
            same = all(getattr(bundle, k) == v for k, v in values.items()) and [
                (m.procedure_id, m.order, m.answers_map, m.documents_map)
                for m in bundle.members.order_by("order", "pk")
            ] == [(p.pk, o, a, d) for p, o, a, d in members]
            if same:
                continue
            for k, v in values.items():
                setattr(bundle, k, v)
            bundle.save()
            bundle.members.all().delete()
            updated += 1
        else:
            bundle = ProcedureBundle.objects.create(code=item["code"], **values)
            created += 1
        BundleMember.objects.bulk_create(
            BundleMember(bundle=bundle, procedure=p, order=o, answers_map=a, documents_map=d)
            for p, o, a, d in members
        )
        audit_record(
            action="catalog.bundle_import",
            actor=actor,
            obj=bundle,
            after={"code": bundle.code, "members": [p.code for p, *_rest in members]},
        )
    return created, updated
