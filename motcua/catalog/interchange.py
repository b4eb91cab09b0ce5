"""The catalogue interchange format (docs/catalog-format.md): a JSON list of procedure
objects mirroring the national procedure database (CSDL quốc gia về TTHC, law.md
§12.2), so a province can load its published catalogue and export it back.

Export writes, per procedure, the version in force (or the newest published one).
Import creates a new published version only when the content differs from the
current one, so loading the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from motcua.catalog import conditions, eforms
from motcua.catalog.constants import (
    CollectionTiming,
    DocumentForm,
    FeeBasis,
    FeeKind,
    ImplementingLevel,
    NationalDatabase,
    OnlineMode,
    Requirement,
    StepUnitRule,
    Subject,
    TimeUnit,
    VersionStatus,
)
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
from motcua.org.constants import Role
from motcua.org.models import OrgUnit

FORMAT = "motcua-catalog"
FORMAT_VERSION = 1


class CatalogImportError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0  # new procedures
    new_versions: int = 0  # content changes on existing procedures
    unchanged: int = 0
    competences_created: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.new_versions or self.competences_created)


# --- serialisation ----------------------------------------------------------------


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value.normalize())


def _time(value: Decimal | None, unit: str) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"value": _num(value), "unit": unit}


def _case_code(obj: Any) -> str | None:
    return obj.case.code if obj.case_id else None


def version_to_dict(version: ProcedureVersion) -> dict[str, Any]:
    """The content of one version (no identity, no dates, no competence). Children are
    ordered in Python so that prefetched rows are used and the order is the same on
    every database (NULL ordering differs between SQLite and PostgreSQL)."""
    cases = sorted(version.cases.all(), key=lambda c: (c.order, c.pk))
    case_order = {c.pk: c.order for c in cases}
    components = sorted(version.components.all(), key=lambda c: (c.order, c.pk))
    fee_rules = sorted(
        version.fee_rules.all(),
        key=lambda f: (case_order.get(f.case_id, -1) if f.case_id else -1, f.code, f.pk),
    )
    steps = sorted(version.steps.all(), key=lambda s: (s.order, s.pk))
    return {
        "name": version.name,
        "subjects": list(version.subjects or []),
        "legal_basis": list(version.legal_basis or []),
        "announcement_decision": version.announcement_decision,
        "announced_on": _iso(version.announced_on),
        "national_published_on": _iso(version.national_published_on),
        "certified_copy_service": version.certified_copy_service,
        "online_mode": version.online_mode,
        "full_process_eligible": version.full_process_eligible,
        "immediate_result": version.immediate_result,
        "steps_description": version.steps_description,
        "methods_description": version.methods_description,
        "requirements": version.requirements,
        "result": {
            "name": version.result_name,
            "is_paper_equivalent": version.result_is_paper_equivalent,
            "template": version.result_template,
        },
        "processing_time": {
            "value": _num(version.processing_time_value),
            "unit": version.processing_time_unit,
            "note": version.processing_time_note,
        },
        "fee_collection_timing": version.fee_collection_timing,
        "cases": [
            {
                "code": c.code,
                "name": c.name,
                "is_default": c.is_default,
                "processing_time": _time(c.processing_time_value, c.processing_time_unit),
            }
            for c in cases
        ],
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "document_form": c.document_form,
                "quantity": c.quantity,
                "requirement": c.requirement,
                "condition": c.condition,
                "template_name": c.template_name,
                "template_url": c.template_url,
                "accepted_types": list(c.accepted_types or []),
                "max_size_mb": c.max_size_mb,
                "warehouse_reusable": c.warehouse_reusable,
                "national_database": c.national_database,
                "case": _case_code(c),
            }
            for c in components
        ],
        "fees": [
            {
                "code": f.code,
                "kind": f.kind,
                "name": f.name,
                "amount": int(f.amount),
                "basis": f.basis,
                "quantity_field": f.quantity_field,
                "copies_field": f.copies_field,
                "tiers": list(f.tiers or []),
                "cap": f.cap,
                "exemption": f.exemption,
                "exemption_note": f.exemption_note,
                "online_discount_percent": f.online_discount_percent,
                "legal_basis": f.legal_basis,
                "case": _case_code(f),
            }
            for f in fee_rules
        ],
        "process": [
            {
                "order": s.order,
                "name": s.name,
                "unit_rule": s.unit_rule,
                "unit": s.unit.code if s.unit_id else None,  # type: ignore[union-attr]
                "role": s.role,
                "duration": {"value": _num(s.duration_value), "unit": s.duration_unit},
                "parallel_group": s.parallel_group,
                "case": _case_code(s),
            }
            for s in steps
        ],
        "eform": {"schema": version.form_schema or {}, "layout": version.form_layout or {}},
        "is_example_data": version.is_example_data,
    }


# Children are sorted in Python; clearing the model ordering avoids joins up the
# version → procedure ordering chain in every prefetch query.
VERSION_PREFETCH = (
    Prefetch("cases", queryset=ProcedureCase.objects.order_by()),
    Prefetch("components", queryset=Component.objects.select_related("case").order_by()),
    Prefetch("fee_rules", queryset=FeeRule.objects.select_related("case").order_by()),
    Prefetch("steps", queryset=ProcessStep.objects.select_related("unit", "case").order_by()),
)


def _competence_dict(c: Competence) -> dict[str, Any]:
    return {
        "unit": c.unit.code,
        "is_competent": c.is_competent,
        "is_reception_point": c.is_reception_point,
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat() if c.valid_to else None,
    }


def _current_competences(at: dt.date, procedure_ids: list[int]) -> dict[int, list[Competence]]:
    result: dict[int, list[Competence]] = {}
    rows = (
        Competence.objects.filter(procedure_id__in=procedure_ids)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=at))
        .select_related("unit")
        .order_by("unit__code", "valid_from", "pk")
    )
    for c in rows:
        result.setdefault(c.procedure_id, []).append(c)
    return result


def procedure_to_dict(
    procedure: Procedure,
    version: ProcedureVersion,
    at: dt.date | None = None,
    competences: list[Competence] | None = None,
) -> dict[str, Any]:
    at = at or timezone.localdate()
    if competences is None:
        competences = _current_competences(at, [procedure.pk]).get(procedure.pk, [])
    return {
        "code": procedure.code,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "level": procedure.level,
        "is_active": procedure.is_active,
        "effective_from": version.effective_from.isoformat() if version.effective_from else None,
        **version_to_dict(version),
        "competence": [_competence_dict(c) for c in competences],
    }


def _pick_versions(at: dt.date) -> dict[int, int]:
    """procedure id → id of its version in force on `at`, else its newest published."""
    rows = ProcedureVersion.objects.filter(
        status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    ).values_list("pk", "procedure_id", "effective_from", "effective_to", "number")
    best: dict[int, tuple[Any, ...]] = {}
    for pk, proc_id, start, end, number in rows:
        in_force = start is not None and start <= at and (end is None or end >= at)
        key = (in_force, start or dt.date.min, number, pk)
        if proc_id not in best or key > best[proc_id]:
            best[proc_id] = key
    return {proc_id: key[3] for proc_id, key in best.items()}


def export_catalogue(at: dt.date | None = None) -> list[dict[str, Any]]:
    """One object per procedure (its version in force, else newest published), in a
    constant number of queries."""
    at = at or timezone.localdate()
    chosen = _pick_versions(at)
    versions = {
        v.procedure_id: v
        for v in ProcedureVersion.objects.filter(pk__in=chosen.values()).prefetch_related(
            *VERSION_PREFETCH
        )
    }
    procedures = list(
        Procedure.objects.select_related("field").filter(pk__in=versions).order_by("code")
    )
    competences = _current_competences(at, [p.pk for p in procedures])
    return [procedure_to_dict(p, versions[p.pk], at, competences.get(p.pk, [])) for p in procedures]


# --- validation -------------------------------------------------------------------


def _choice(errors: list[str], where: str, value: Any, choices: Iterable[str], name: str) -> None:
    if value not in set(choices):
        errors.append(f"{where}: giá trị “{value}” của {name} không hợp lệ.")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def validate_procedure(data: Any, index: int) -> list[str]:
    where = f"Thủ tục #{index + 1}"
    if not isinstance(data, Mapping):
        return [f"{where}: phải là một đối tượng."]
    errors: list[str] = []
    where = f"{where} ({data.get('code', '?')})"
    for key in ("announced_on", "national_published_on"):  # Decision 766 1.1/1.2
        try:
            _date(data.get(key))
        except (TypeError, ValueError):
            errors.append(f"{where}: {key} phải là ngày dạng YYYY-MM-DD.")
    for key in ("code", "name", "field", "processing_time", "components", "fees"):
        if key not in data:
            errors.append(f"{where}: thiếu “{key}”.")
    if errors:
        return errors
    fld = data["field"]
    if not isinstance(fld, Mapping) or not fld.get("code") or not fld.get("name"):
        errors.append(f"{where}: “field” cần “code” và “name”.")
    _choice(errors, where, data.get("level", "commune"), ImplementingLevel.values, "level")
    _choice(errors, where, data.get("online_mode", "none"), OnlineMode.values, "online_mode")
    for subject in data.get("subjects") or []:
        _choice(errors, where, subject, Subject.values, "subjects")
    pt = data["processing_time"]
    if not isinstance(pt, Mapping) or _decimal(pt.get("value")) is None:
        errors.append(f"{where}: “processing_time” cần “value” là số.")
    else:
        _choice(errors, where, pt.get("unit", "working_days"), TimeUnit.values, "đơn vị thời hạn")
    _choice(
        errors,
        where,
        data.get("fee_collection_timing", "at_submission"),
        CollectionTiming.values,
        "fee_collection_timing",
    )
    case_codes = {c.get("code") for c in data.get("cases") or [] if isinstance(c, Mapping)}
    seen: set[str] = set()
    for comp in data["components"]:
        if not isinstance(comp, Mapping) or not comp.get("code") or not comp.get("name"):
            errors.append(f"{where}: mỗi thành phần hồ sơ cần “code” và “name”.")
            continue
        if comp["code"] in seen:
            errors.append(f"{where}: trùng mã thành phần {comp['code']}.")
        seen.add(comp["code"])
        _choice(
            errors, where, comp.get("document_form", "original"), DocumentForm.values, "loại bản"
        )
        _choice(errors, where, comp.get("requirement", "required"), Requirement.values, "yêu cầu")
        _choice(errors, where, comp.get("national_database", ""), NationalDatabase.values, "CSDL")
        errors += [f"{where}: {e}" for e in conditions.validate(comp.get("condition"))]
        if comp.get("case") and comp["case"] not in case_codes:
            errors.append(f"{where}: thành phần {comp['code']} gắn trường hợp lạ {comp['case']}.")
    for fee in data["fees"]:
        if not isinstance(fee, Mapping) or not fee.get("code") or "amount" not in fee:
            errors.append(f"{where}: mỗi khoản phí cần “code” và “amount”.")
            continue
        try:
            if int(fee["amount"]) < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"{where}: mức thu của {fee['code']} phải là số nguyên không âm.")
        _choice(errors, where, fee.get("kind", "le_phi"), FeeKind.values, "loại phí")
        _choice(errors, where, fee.get("basis", "per_dossier"), FeeBasis.values, "cách tính")
        errors += [f"{where}: {e}" for e in conditions.validate(fee.get("exemption"))]
        if fee.get("case") and fee["case"] not in case_codes:
            errors.append(f"{where}: khoản phí {fee['code']} gắn trường hợp lạ {fee['case']}.")
    for step in data.get("process") or []:
        if not isinstance(step, Mapping) or not step.get("name"):
            errors.append(f"{where}: mỗi bước quy trình cần “name”.")
            continue
        _choice(errors, where, step.get("role"), Role.values, "vai trò")
        _choice(errors, where, step.get("unit_rule", "competent"), StepUnitRule.values, "đơn vị")
    form = data.get("eform") or {}
    if form:
        errors += [
            f"{where}: biểu mẫu: {e}"
            for e in eforms.validate_definition(form.get("schema") or {}, form.get("layout") or {})
        ]
    return errors


# --- writing ----------------------------------------------------------------------


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: Any, default: dt.date | None = None) -> dt.date | None:
    if value in (None, ""):
        return default
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def apply_version_scalars(version: ProcedureVersion, data: Mapping[str, Any]) -> None:
    result = data.get("result") or {}
    pt = data.get("processing_time") or {}
    form = data.get("eform") or {}
    version.name = data["name"]
    version.subjects = list(data.get("subjects") or [])
    version.legal_basis = list(data.get("legal_basis") or [])
    version.announcement_decision = data.get("announcement_decision") or ""
    version.announced_on = _date(data.get("announced_on"))
    version.national_published_on = _date(data.get("national_published_on"))
    version.certified_copy_service = bool(data.get("certified_copy_service"))
    version.online_mode = data.get("online_mode") or OnlineMode.NONE
    version.full_process_eligible = bool(data.get("full_process_eligible"))
    version.immediate_result = bool(data.get("immediate_result"))
    version.steps_description = data.get("steps_description") or ""
    version.methods_description = data.get("methods_description") or ""
    version.requirements = data.get("requirements") or ""
    version.result_name = result.get("name") or ""
    version.result_is_paper_equivalent = bool(result.get("is_paper_equivalent", True))
    version.result_template = result.get("template") or ""
    version.processing_time_value = Decimal(str(pt.get("value", 0)))
    version.processing_time_unit = pt.get("unit") or TimeUnit.WORKING_DAYS
    version.processing_time_note = pt.get("note") or ""
    version.fee_collection_timing = data.get("fee_collection_timing") or (
        CollectionTiming.AT_SUBMISSION
    )
    version.form_schema = form.get("schema") or {}
    version.form_layout = form.get("layout") or {}
    version.is_example_data = bool(data.get("is_example_data"))


def write_version_children(
    version: ProcedureVersion, data: Mapping[str, Any], warnings: list[str] | None = None
) -> None:
    """Create cases, components, fee rules and steps of a (new, empty) version."""
    warnings = warnings if warnings is not None else []
    cases: dict[str, ProcedureCase] = {}
    for i, c in enumerate(data.get("cases") or []):
        pt = c.get("processing_time") or {}
        cases[c["code"]] = ProcedureCase.objects.create(
            version=version,
            code=c["code"],
            name=c.get("name") or c["code"],
            is_default=bool(c.get("is_default")),
            processing_time_value=(
                Decimal(str(pt["value"])) if pt.get("value") is not None else None
            ),
            processing_time_unit=pt.get("unit") or "",
            order=i,
        )
    Component.objects.bulk_create(
        [
            Component(
                version=version,
                case=cases.get(c.get("case") or ""),
                code=c["code"],
                name=c["name"],
                document_form=c.get("document_form") or DocumentForm.ORIGINAL,
                quantity=int(c.get("quantity") or 1),
                requirement=c.get("requirement") or Requirement.REQUIRED,
                condition=c.get("condition") or None,
                template_name=c.get("template_name") or "",
                template_url=c.get("template_url") or "",
                accepted_types=list(c.get("accepted_types") or []),
                max_size_mb=int(c.get("max_size_mb") or 10),
                warehouse_reusable=bool(c.get("warehouse_reusable")),
                national_database=c.get("national_database") or "",
                order=i,
            )
            for i, c in enumerate(data.get("components") or [])
        ]
    )
    FeeRule.objects.bulk_create(
        [
            FeeRule(
                version=version,
                case=cases.get(f.get("case") or ""),
                code=f["code"],
                kind=f.get("kind") or FeeKind.LEVY,
                name=f.get("name") or f["code"],
                amount=int(f["amount"]),
                basis=f.get("basis") or FeeBasis.PER_DOSSIER,
                quantity_field=f.get("quantity_field") or "",
                copies_field=f.get("copies_field") or "",
                tiers=list(f.get("tiers") or []),
                cap=None if f.get("cap") in (None, "") else int(f["cap"]),
                exemption=f.get("exemption") or None,
                exemption_note=f.get("exemption_note") or "",
                online_discount_percent=int(f.get("online_discount_percent") or 0),
                legal_basis=f.get("legal_basis") or "",
            )
            for f in data.get("fees") or []
        ]
    )
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(
            code__in=[s["unit"] for s in data.get("process") or [] if s.get("unit")]
        )
    }
    steps = []
    for i, s in enumerate(data.get("process") or []):
        unit = units.get(s.get("unit") or "")
        rule = s.get("unit_rule") or StepUnitRule.COMPETENT
        if s.get("unit") and unit is None:
            warnings.append(f"{version.procedure.code}: không tìm thấy đơn vị {s['unit']}.")
            rule = StepUnitRule.COMPETENT if rule == StepUnitRule.FIXED else rule
        duration = s.get("duration") or {}
        steps.append(
            ProcessStep(
                version=version,
                case=cases.get(s.get("case") or ""),
                order=int(s.get("order") or i + 1),
                name=s["name"],
                unit_rule=rule,
                unit=unit,
                role=s["role"],
                duration_value=Decimal(str(duration.get("value", 0))),
                duration_unit=duration.get("unit") or TimeUnit.WORKING_DAYS,
                parallel_group=s.get("parallel_group"),
            )
        )
    ProcessStep.objects.bulk_create(steps)


def _resolve_units(entry: Mapping[str, Any], at: dt.date) -> list[OrgUnit]:
    """A competence entry names one unit by code, or every unit of a kind valid on `at`
    (a convenience for demo data: {"unit_kind": "commune"})."""
    from motcua.org.selectors import unit_valid_on

    if entry.get("unit"):
        return list(OrgUnit.objects.filter(code=entry["unit"]))
    if entry.get("unit_kind"):
        qs = OrgUnit.objects.filter(unit_valid_on(at), kind=entry["unit_kind"])
        if entry.get("name_contains"):
            qs = qs.filter(name__icontains=entry["name_contains"])
        return list(qs.order_by("code"))
    return []


def sync_competence(
    procedure: Procedure, entries: Iterable[Mapping[str, Any]], result: ImportResult
) -> None:
    today = timezone.localdate()
    for entry in entries:
        valid_from = _date(entry.get("valid_from"), dt.date(2025, 7, 1))
        assert valid_from is not None
        units = _resolve_units(entry, today)
        if not units:
            result.warnings.append(
                f"{procedure.code}: không tìm thấy đơn vị "
                f"{entry.get('unit') or entry.get('unit_kind')}; bỏ qua thẩm quyền."
            )
        for unit in units:
            _obj, created = Competence.objects.get_or_create(
                procedure=procedure,
                unit=unit,
                valid_from=valid_from,
                defaults={
                    "is_competent": bool(entry.get("is_competent", True)),
                    "is_reception_point": bool(entry.get("is_reception_point", True)),
                    "valid_to": _date(entry.get("valid_to")),
                },
            )
            result.competences_created += int(created)


def _dec(value: Any) -> int | float | None:
    return _num(Decimal(str(value)))


def normalised_content(item: Mapping[str, Any], known_units: set[str]) -> dict[str, Any]:
    """What version_to_dict would return once `item` is written (defaults applied), so
    an unchanged procedure is recognised without writing anything."""
    result = item.get("result") or {}
    pt = item.get("processing_time") or {}
    form = item.get("eform") or {}
    case_list = list(item.get("cases") or [])
    case_codes = [c["code"] for c in case_list]
    case_pos = {code: i for i, code in enumerate(case_codes)}

    def case_of(obj: Mapping[str, Any]) -> str | None:
        code = obj.get("case") or ""
        return code if code in case_pos else None

    fees = [
        {
            "code": f["code"],
            "kind": f.get("kind") or FeeKind.LEVY,
            "name": f.get("name") or f["code"],
            "amount": int(f["amount"]),
            "basis": f.get("basis") or FeeBasis.PER_DOSSIER,
            "quantity_field": f.get("quantity_field") or "",
            "copies_field": f.get("copies_field") or "",
            "tiers": list(f.get("tiers") or []),
            "cap": None if f.get("cap") in (None, "") else int(f["cap"]),
            "exemption": f.get("exemption") or None,
            "exemption_note": f.get("exemption_note") or "",
            "online_discount_percent": int(f.get("online_discount_percent") or 0),
            "legal_basis": f.get("legal_basis") or "",
            "case": case_of(f),
        }
        for f in item.get("fees") or []
    ]
    fees.sort(key=lambda f: (case_pos[f["case"]] if f["case"] else -1, f["code"]))
    steps = []
    for i, st in enumerate(item.get("process") or []):
        unit = st.get("unit") if st.get("unit") in known_units else None
        rule = st.get("unit_rule") or StepUnitRule.COMPETENT
        if st.get("unit") and unit is None and rule == StepUnitRule.FIXED:
            rule = StepUnitRule.COMPETENT
        duration = st.get("duration") or {}
        steps.append(
            {
                "order": int(st.get("order") or i + 1),
                "name": st["name"],
                "unit_rule": rule,
                "unit": unit,
                "role": st["role"],
                "duration": {
                    "value": _dec(duration.get("value", 0)),
                    "unit": duration.get("unit") or TimeUnit.WORKING_DAYS,
                },
                "parallel_group": st.get("parallel_group"),
                "case": case_of(st),
            }
        )
    steps.sort(key=lambda st: st["order"])
    return {
        "name": item["name"],
        "subjects": list(item.get("subjects") or []),
        "legal_basis": list(item.get("legal_basis") or []),
        "announcement_decision": item.get("announcement_decision") or "",
        "announced_on": item.get("announced_on") or None,
        "national_published_on": item.get("national_published_on") or None,
        "certified_copy_service": bool(item.get("certified_copy_service")),
        "online_mode": item.get("online_mode") or OnlineMode.NONE,
        "full_process_eligible": bool(item.get("full_process_eligible")),
        "immediate_result": bool(item.get("immediate_result")),
        "steps_description": item.get("steps_description") or "",
        "methods_description": item.get("methods_description") or "",
        "requirements": item.get("requirements") or "",
        "result": {
            "name": result.get("name") or "",
            "is_paper_equivalent": bool(result.get("is_paper_equivalent", True)),
            "template": result.get("template") or "",
        },
        "processing_time": {
            "value": _dec(pt.get("value", 0)),
            "unit": pt.get("unit") or TimeUnit.WORKING_DAYS,
            "note": pt.get("note") or "",
        },
        "fee_collection_timing": item.get("fee_collection_timing")
        or CollectionTiming.AT_SUBMISSION,
        "cases": [
            {
                "code": c["code"],
                "name": c.get("name") or c["code"],
                "is_default": bool(c.get("is_default")),
                "processing_time": (
                    {
                        "value": _dec(c["processing_time"]["value"]),
                        "unit": c["processing_time"].get("unit") or "",
                    }
                    if (c.get("processing_time") or {}).get("value") is not None
                    else None
                ),
            }
            for c in case_list
        ],
        "components": [
            {
                "code": c["code"],
                "name": c["name"],
                "document_form": c.get("document_form") or DocumentForm.ORIGINAL,
                "quantity": int(c.get("quantity") or 1),
                "requirement": c.get("requirement") or Requirement.REQUIRED,
                "condition": c.get("condition") or None,
                "template_name": c.get("template_name") or "",
                "template_url": c.get("template_url") or "",
                "accepted_types": list(c.get("accepted_types") or []),
                "max_size_mb": int(c.get("max_size_mb") or 10),
                "warehouse_reusable": bool(c.get("warehouse_reusable")),
                "national_database": c.get("national_database") or "",
                "case": case_of(c),
            }
            for c in item.get("components") or []
        ],
        "fees": fees,
        "process": steps,
        "eform": {"schema": form.get("schema") or {}, "layout": form.get("layout") or {}},
        "is_example_data": bool(item.get("is_example_data")),
    }


class _Unchanged(Exception):
    pass


def import_catalogue(data: Any, *, actor: Any = None) -> ImportResult:
    """Validate everything first, then write in one transaction (all or nothing)."""
    from motcua.catalog import services

    if isinstance(data, Mapping):
        data = data.get("procedures")
    if not isinstance(data, list):
        raise CatalogImportError(
            ['Tệp phải chứa một danh sách thủ tục (hoặc {"procedures": [...]}).']
        )
    errors: list[str] = []
    codes: set[str] = set()
    for i, item in enumerate(data):
        errors += validate_procedure(item, i)
        code = item.get("code") if isinstance(item, Mapping) else None
        if code in codes:
            errors.append(f"Mã thủ tục bị trùng trong tệp: {code}.")
        codes.add(str(code))
    if errors:
        raise CatalogImportError(errors)
    result = ImportResult()
    today = timezone.localdate()
    step_units = {s["unit"] for item in data for s in item.get("process") or [] if s.get("unit")}
    known_units = set(OrgUnit.objects.filter(code__in=step_units).values_list("code", flat=True))
    with transaction.atomic():
        fields = {
            f.code: f for f in Field.objects.filter(code__in=[i["field"]["code"] for i in data])
        }
        existing = {p.code: p for p in Procedure.objects.filter(code__in=list(codes))}
        latest_ids = _latest_published_ids([p.pk for p in existing.values()])
        currents = {
            v.procedure_id: v
            for v in ProcedureVersion.objects.filter(pk__in=latest_ids).prefetch_related(
                *VERSION_PREFETCH
            )
        }
        for item in data:
            fld = fields.get(item["field"]["code"])
            if fld is None:
                fld = Field.objects.create(code=item["field"]["code"], name=item["field"]["name"])
                fields[fld.code] = fld
            procedure = existing.get(item["code"])
            current = currents.get(procedure.pk) if procedure is not None else None
            if procedure is None:
                procedure = Procedure.objects.create(
                    code=item["code"],
                    name=item["name"],
                    field=fld,
                    level=item.get("level") or ImplementingLevel.COMMUNE,
                    is_active=bool(item.get("is_active", True)),
                )
                result.created += 1
            _import_one(item, procedure, current, known_units, today, result, actor)
            changed = {
                "field": fld,
                "level": item.get("level") or procedure.level,
                "is_active": bool(item.get("is_active", True)),
            }
            if any(getattr(procedure, k) != v for k, v in changed.items()):
                for key, value in changed.items():
                    setattr(procedure, key, value)
                procedure.save(update_fields=[*changed, "updated_at"])
                services.procedure_refresh_search_text(procedure)
            sync_competence(procedure, item.get("competence") or [], result)
    return result


def _latest_published_ids(procedure_ids: list[int]) -> list[int]:
    best: dict[int, tuple[Any, ...]] = {}
    rows = ProcedureVersion.objects.filter(
        procedure_id__in=procedure_ids,
        status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED),
    ).values_list("pk", "procedure_id", "effective_from", "number")
    for pk, proc_id, start, number in rows:
        key = (start or dt.date.min, number, pk)
        if proc_id not in best or key > best[proc_id]:
            best[proc_id] = key
    return [key[2] for key in best.values()]


def _import_one(
    item: Mapping[str, Any],
    procedure: Procedure,
    current: ProcedureVersion | None,
    known_units: set[str],
    today: dt.date,
    result: ImportResult,
    actor: Any,
) -> None:
    """Publish the item as a new version unless it equals the current one."""
    from motcua.catalog import services

    effective_from = _date(item.get("effective_from"), today)
    assert effective_from is not None
    if current is not None:
        if normalised_content(item, known_units) == version_to_dict(current):
            result.unchanged += 1
            return
        # Not obviously identical: write a candidate and compare what was stored.
        try:
            with transaction.atomic():
                candidate = _new_version(procedure, item, result.warnings, actor)
                if version_to_dict(candidate) == version_to_dict(current):
                    raise _Unchanged
        except _Unchanged:
            result.unchanged += 1
            return
        if current.effective_from and effective_from <= current.effective_from:
            raise CatalogImportError(
                [
                    f"{procedure.code}: nội dung thay đổi nhưng ngày hiệu lực "
                    f"{effective_from} không sau phiên bản hiện hành "
                    f"({current.effective_from})."
                ]
            )
        result.new_versions += 1
    else:
        candidate = _new_version(procedure, item, result.warnings, actor)
    candidate.change_note = item.get("change_note") or "Nhập từ tệp danh mục"
    candidate.save(update_fields=["change_note"])
    services.procedure_version_publish(
        version=candidate, effective_from=effective_from, actor=actor, check_process=False
    )


def _new_version(
    procedure: Procedure, item: Mapping[str, Any], warnings: list[str], actor: Any
) -> ProcedureVersion:
    last = procedure.versions.order_by("-number").first()
    version = ProcedureVersion(
        procedure=procedure,
        number=(last.number + 1) if last else 1,
        status=VersionStatus.DRAFT,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    apply_version_scalars(version, item)
    version.save()
    write_version_children(version, item, warnings)
    return version
