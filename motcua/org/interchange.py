"""Import and export of the organisation tree as JSON (format: docs/org-format.md).

Import validates the whole document first and writes nothing when any error is found;
then it upserts units by code and succession links by (from, to, kind) in one
transaction, so running it twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.org.constants import SuccessionKind, UnitKind
from motcua.org.models import OrgUnit, UnitSuccession

FORMAT_NAME = "motcua-org"
FORMAT_VERSION = 1
UNIT_KEYS = {
    "code",
    "name",
    "kind",
    "parent",
    "short_name",
    "valid_from",
    "valid_to",
    "admin_area_code",
    "receives_on_saturday",
}
SUCCESSION_KEYS = {"from", "to", "kind", "effective_date", "legal_basis", "carries_records"}


def carries_by_default(kind: str) -> bool:
    """A merge, rename or transfer of functions hands the records on; a split does not."""
    return kind != SuccessionKind.SPLIT_INTO


MAX_LENGTHS = {"code": 64, "name": 255, "short_name": 120, "admin_area_code": 16}


class OrgImportError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.successions_created or self.successions_updated
        )


# --- export -------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def export_data() -> dict[str, Any]:
    """The whole organisation as a JSON-ready dict; parents always come before children
    and siblings are ordered by code, so the output is stable."""
    units = list(OrgUnit.objects.select_related("parent"))
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: u.code)
    ordered: list[OrgUnit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.pk, [])))
    rows = []
    for unit in ordered:
        row: dict[str, Any] = {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "parent": unit.parent.code if unit.parent else None,
        }
        if unit.short_name:
            row["short_name"] = unit.short_name
        if unit.valid_from:
            row["valid_from"] = _date(unit.valid_from)
        if unit.valid_to:
            row["valid_to"] = _date(unit.valid_to)
        if unit.admin_area_code:
            row["admin_area_code"] = unit.admin_area_code
        if unit.receives_on_saturday:
            row["receives_on_saturday"] = True
        rows.append(row)
    successions = []
    for s in UnitSuccession.objects.select_related("predecessor", "successor"):
        link: dict[str, Any] = {
            "from": s.predecessor.code,
            "to": s.successor.code,
            "kind": s.kind,
            "effective_date": _date(s.effective_date),
            "legal_basis": s.legal_basis,
        }
        if s.carries_records != carries_by_default(s.kind):
            link["carries_records"] = s.carries_records
        successions.append(link)
    successions.sort(key=lambda s: (s["from"], s["to"], s["kind"]))
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "units": rows,
        "successions": successions,
    }


def export_json() -> str:
    return json.dumps(export_data(), ensure_ascii=False, indent=2) + "\n"


# --- validation ----------------------------------------------------------------------


def _parse_date(raw: Any) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ValueError
    return dt.date.fromisoformat(raw)


def _label(row: Any, index: int) -> str:
    if isinstance(row, dict) and isinstance(row.get("code"), str) and row["code"]:
        return _("Đơn vị «%(code)s»") % {"code": row["code"]}
    return _("Đơn vị thứ %(n)d") % {"n": index + 1}


def _validate_unit(row: Any, index: int, errors: list[str]) -> dict[str, Any] | None:
    label = _label(row, index)
    if not isinstance(row, dict):
        errors.append(_("%(label)s: phải là một đối tượng JSON.") % {"label": label})
        return None
    before = len(errors)
    unknown = sorted(set(row) - UNIT_KEYS)
    if unknown:
        errors.append(
            _("%(label)s: trường không được hỗ trợ: %(keys)s.")
            % {"label": label, "keys": ", ".join(unknown)}
        )
    for key in ("code", "name", "kind"):
        value = row.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(
                _("%(label)s: thiếu trường bắt buộc «%(key)s».") % {"label": label, "key": key}
            )
    if "parent" not in row:
        errors.append(
            _("%(label)s: thiếu trường «parent» (mã đơn vị cấp trên hoặc null).") % {"label": label}
        )
    elif row["parent"] is not None and not isinstance(row["parent"], str):
        errors.append(_("%(label)s: «parent» phải là mã đơn vị hoặc null.") % {"label": label})
    kind = row.get("kind")
    if isinstance(kind, str) and kind.strip() and kind not in UnitKind.values:
        errors.append(
            _("%(label)s: loại đơn vị «%(kind)s» không hợp lệ (cho phép: %(allowed)s).")
            % {"label": label, "kind": kind, "allowed": ", ".join(UnitKind.values)}
        )
    for key, limit in MAX_LENGTHS.items():
        value = row.get(key)
        if value is not None and not isinstance(value, str):
            errors.append(_("%(label)s: «%(key)s» phải là chuỗi.") % {"label": label, "key": key})
        elif isinstance(value, str) and len(value.strip()) > limit:
            errors.append(
                _("%(label)s: «%(key)s» dài quá %(limit)d ký tự.")
                % {"label": label, "key": key, "limit": limit}
            )
    dates: dict[str, dt.date | None] = {}
    for key in ("valid_from", "valid_to"):
        try:
            dates[key] = _parse_date(row.get(key))
        except ValueError:
            dates[key] = None
            errors.append(
                _("%(label)s: «%(key)s» phải là ngày dạng YYYY-MM-DD.")
                % {"label": label, "key": key}
            )
    if dates["valid_from"] and dates["valid_to"] and dates["valid_to"] < dates["valid_from"]:
        errors.append(
            _("%(label)s: ngày hết hiệu lực trước ngày bắt đầu hiệu lực.") % {"label": label}
        )
    saturday = row.get("receives_on_saturday", False)
    if not isinstance(saturday, bool):
        errors.append(
            _("%(label)s: «receives_on_saturday» phải là true hoặc false.") % {"label": label}
        )
    if len(errors) != before:
        return None
    return {
        "code": row["code"].strip(),
        "name": row["name"].strip(),
        "kind": row["kind"],
        "parent": row["parent"].strip() if isinstance(row["parent"], str) else None,
        "short_name": (row.get("short_name") or "").strip(),
        "admin_area_code": (row.get("admin_area_code") or "").strip(),
        "valid_from": dates["valid_from"],
        "valid_to": dates["valid_to"],
        "receives_on_saturday": saturday,
    }


def validate(data: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check the whole document against itself and the database; raise OrgImportError
    listing every problem (in Vietnamese, naming the offending unit)."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise OrgImportError([_("Tệp phải là một đối tượng JSON có khóa «units».")])
    if data.get("format", FORMAT_NAME) != FORMAT_NAME:
        errors.append(_("Định dạng «%(f)s» không được hỗ trợ.") % {"f": data.get("format")})
    raw_units = data.get("units")
    raw_successions = data.get("successions", [])
    if not isinstance(raw_units, list):
        raise OrgImportError([_("Thiếu danh sách «units».")])
    if not isinstance(raw_successions, list):
        raise OrgImportError([_("«successions» phải là một danh sách.")])

    units: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(raw_units):
        clean = _validate_unit(row, index, errors)
        if clean is None:
            continue
        if clean["code"] in seen:
            errors.append(
                _("Đơn vị «%(code)s»: mã bị trùng (xuất hiện lần đầu ở đơn vị thứ %(n)d).")
                % {"code": clean["code"], "n": seen[clean["code"]] + 1}
            )
            continue
        seen[clean["code"]] = index
        units.append(clean)

    in_file = {u["code"]: u for u in units}
    db_parents = dict(
        OrgUnit.objects.exclude(code__in=list(in_file)).values_list("code", "parent__code")
    )
    known = set(in_file) | set(db_parents)
    for unit in units:
        parent = unit["parent"]
        if parent is None:
            continue
        if parent == unit["code"]:
            errors.append(
                _("Đơn vị «%(code)s»: không thể là cấp trên của chính nó.") % {"code": unit["code"]}
            )
        elif parent not in known:
            errors.append(
                _(
                    "Đơn vị «%(code)s»: đơn vị cấp trên «%(parent)s» không có trong tệp "
                    "hay cơ sở dữ liệu."
                )
                % {"code": unit["code"], "parent": parent}
            )
    # Cycles: follow parents through the merged view (file overrides database).
    parent_of = {**db_parents, **{u["code"]: u["parent"] for u in units}}
    for unit in units:
        code, steps = unit["code"], 0
        current = parent_of.get(code)
        while current is not None and steps <= len(parent_of):
            if current == code:
                errors.append(
                    _("Đơn vị «%(code)s»: quan hệ cấp trên tạo thành vòng lặp.") % {"code": code}
                )
                break
            current = parent_of.get(current)
            steps += 1

    successions: list[dict[str, Any]] = []
    seen_links: set[tuple[str, str, str]] = set()
    for index, row in enumerate(raw_successions):
        label = _("Quan hệ kế thừa thứ %(n)d") % {"n": index + 1}
        if not isinstance(row, dict):
            errors.append(_("%(label)s: phải là một đối tượng JSON.") % {"label": label})
            continue
        if isinstance(row.get("from"), str) and isinstance(row.get("to"), str):
            label = _("Quan hệ kế thừa «%(a)s» → «%(b)s»") % {"a": row["from"], "b": row["to"]}
        before = len(errors)
        unknown = sorted(set(row) - SUCCESSION_KEYS)
        if unknown:
            errors.append(
                _("%(label)s: trường không được hỗ trợ: %(keys)s.")
                % {"label": label, "keys": ", ".join(unknown)}
            )
        for key in ("from", "to"):
            value = row.get(key)
            if not isinstance(value, str) or not value.strip():
                errors.append(
                    _("%(label)s: thiếu trường «%(key)s».") % {"label": label, "key": key}
                )
            elif value.strip() not in known:
                errors.append(
                    _("%(label)s: đơn vị «%(code)s» không có trong tệp hay cơ sở dữ liệu.")
                    % {"label": label, "code": value}
                )
        if row.get("from") == row.get("to"):
            errors.append(_("%(label)s: đơn vị cũ và đơn vị mới trùng nhau.") % {"label": label})
        if row.get("kind") not in SuccessionKind.values:
            errors.append(
                _("%(label)s: hình thức «%(kind)s» không hợp lệ (cho phép: %(allowed)s).")
                % {
                    "label": label,
                    "kind": row.get("kind"),
                    "allowed": ", ".join(SuccessionKind.values),
                }
            )
        try:
            effective = _parse_date(row.get("effective_date"))
            if effective is None:
                raise ValueError
        except ValueError:
            effective = None
            errors.append(
                _("%(label)s: «effective_date» phải là ngày dạng YYYY-MM-DD.") % {"label": label}
            )
        legal_basis = row.get("legal_basis", "")
        if not isinstance(legal_basis, str) or len(legal_basis) > 255:
            errors.append(
                _("%(label)s: «legal_basis» phải là chuỗi tối đa 255 ký tự.") % {"label": label}
            )
        carries = row.get("carries_records", carries_by_default(str(row.get("kind"))))
        if not isinstance(carries, bool):
            errors.append(
                _("%(label)s: «carries_records» phải là true hoặc false.") % {"label": label}
            )
        if len(errors) != before:
            continue
        link = (row["from"].strip(), row["to"].strip(), row["kind"])
        if link in seen_links:
            errors.append(_("%(label)s: bị trùng.") % {"label": label})
            continue
        seen_links.add(link)
        successions.append(
            {
                "from": link[0],
                "to": link[1],
                "kind": link[2],
                "effective_date": effective,
                "legal_basis": legal_basis.strip(),
                "carries_records": carries,
            }
        )
    _check_one_records_successor(successions, errors)
    if errors:
        raise OrgImportError(errors)
    return units, successions


def _check_one_records_successor(successions: list[dict[str, Any]], errors: list[str]) -> None:
    """A unit's records go to one successor (R31): in the file, and together with the
    links already in the database that the file does not restate."""
    in_file = {(s["from"], s["to"], s["kind"]) for s in successions}
    carrying: dict[str, list[str]] = {}
    for s in successions:
        if s["carries_records"]:
            carrying.setdefault(s["from"], []).append(s["to"])
    stored = UnitSuccession.objects.filter(
        carries_records=True, predecessor__code__in=list(carrying)
    ).values_list("predecessor__code", "successor__code", "kind")
    for pred, succ, kind in stored:
        if (pred, succ, kind) not in in_file and succ not in carrying[pred]:
            carrying[pred].append(succ)
    for pred, targets in sorted(carrying.items()):
        if len(targets) > 1:
            errors.append(
                _(
                    "Đơn vị «%(code)s»: hồ sơ chỉ được chuyển cho một đơn vị kế thừa "
                    "(đang chuyển cho %(targets)s); đặt «carries_records»: false cho các "
                    "quan hệ còn lại."
                )
                % {"code": pred, "targets": ", ".join(sorted(targets))}
            )


# --- import ---------------------------------------------------------------------------


def _ordered(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before children, whatever order the file lists them in."""
    by_code = {u["code"]: u for u in units}
    done: set[str] = set()
    result: list[dict[str, Any]] = []

    def visit(unit: dict[str, Any]) -> None:
        chain = []
        current: dict[str, Any] | None = unit
        while current is not None and current["code"] not in done:
            chain.append(current)
            parent = current["parent"]
            current = by_code.get(parent) if parent else None
        for item in reversed(chain):
            if item["code"] not in done:
                done.add(item["code"])
                result.append(item)

    for unit in units:
        visit(unit)
    return result


def import_data(data: Any, *, actor: Any = None) -> ImportResult:
    """Validate, then upsert everything in one transaction (nothing written on error)."""
    from motcua.org import services

    units, successions = validate(data)
    result = ImportResult()
    with transaction.atomic():
        existing = {u.code: u for u in OrgUnit.objects.filter(code__in=[u["code"] for u in units])}
        by_code: dict[str, OrgUnit] = dict(existing)
        needs_parent: list[tuple[OrgUnit, str | None]] = []
        for row in _ordered(units):
            unit = existing.get(row["code"])
            attrs = {k: row[k] for k in services.UNIT_FIELDS if k != "code"}
            if unit is None:
                unit = OrgUnit(code=row["code"], **attrs)
                unit.save()
                result.created += 1
                result.messages.append(_("Thêm %(code)s %(name)s") % row)
            else:
                changed = [k for k, v in attrs.items() if getattr(unit, k) != v]
                parent_code = unit.parent.code if unit.parent_id else None  # type: ignore[union-attr]
                if changed:
                    for key in changed:
                        setattr(unit, key, attrs[key])
                    unit.save(update_fields=[*changed, "updated_at"])
                if changed or parent_code != row["parent"]:
                    result.updated += 1
                    result.messages.append(_("Cập nhật %(code)s %(name)s") % row)
                else:
                    result.unchanged += 1
            by_code[unit.code] = unit
            needs_parent.append((unit, row["parent"]))
        missing = {p for _u, p in needs_parent if p and p not in by_code}
        by_code.update({u.code: u for u in OrgUnit.objects.filter(code__in=missing)})
        for unit, parent_code in needs_parent:
            parent = by_code[parent_code] if parent_code else None
            if unit.parent_id != (parent.pk if parent else None):
                unit.parent = parent
                unit.save(update_fields=["parent", "updated_at"])
        services.rebuild_paths()

        needed = {c for s in successions for c in (s["from"], s["to"])} - set(by_code)
        by_code.update({u.code: u for u in OrgUnit.objects.filter(code__in=needed)})
        # links that stop carrying records first (one carrying link per unit, R31)
        for row in sorted(successions, key=lambda r: r["carries_records"]):
            link, created = UnitSuccession.objects.get_or_create(
                predecessor=by_code[row["from"]],
                successor=by_code[row["to"]],
                kind=row["kind"],
                defaults={
                    "effective_date": row["effective_date"],
                    "legal_basis": row["legal_basis"],
                    "carries_records": row["carries_records"],
                },
            )
            if created:
                result.successions_created += 1
            elif (link.effective_date, link.legal_basis, link.carries_records) != (
                row["effective_date"],
                row["legal_basis"],
                row["carries_records"],
            ):
                link.effective_date = row["effective_date"]
                link.legal_basis = row["legal_basis"]
                link.carries_records = row["carries_records"]
                link.save()
                result.successions_updated += 1
        if result.changed:
            services._audit(
                action="org.import",
                actor=actor,
                obj=None,
                before=None,
                after={
                    "created": result.created,
                    "updated": result.updated,
                    "successions_created": result.successions_created,
                    "successions_updated": result.successions_updated,
                },
            )
    return result


def import_json(text: str, *, actor: Any = None) -> ImportResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OrgImportError(
            [
                _("Tệp không phải JSON hợp lệ (dòng %(line)d, cột %(col)d).")
                % {"line": exc.lineno, "col": exc.colno}
            ]
        ) from exc
    return import_data(data, actor=actor)
