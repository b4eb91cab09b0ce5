"""Writes for organisation units, succession links, staff assignments and delegations.

Every function is one transaction: check permission and state, write, record an audit
entry (design.md §2). Units are effective-dated and never deleted: closing a unit sets
`valid_to`; a merge/split/rename is a succession link with a date and a legal basis
(law.md §10.3 rules 1–3). Head-of-unit history lives in StaffAssignment rows so that
"who was head of X on date D" stays answerable after transfers (§10.3 rule 6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.org.constants import Role, SuccessionKind, UnitKind
from motcua.org.models import Absence, Delegation, OrgUnit, StaffAssignment, UnitSuccession

UNIT_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "admin_area_code",
    "valid_from",
    "valid_to",
    "receives_on_saturday",
)


# --- helpers ----------------------------------------------------------------


def _audit(*, action: str, actor: Any, obj: Any, before: dict | None, after: dict | None) -> None:
    # Imported lazily: the audit module belongs to core and other apps import org early.
    from motcua.core.audit import audit_record

    unit_code = ""
    if isinstance(obj, OrgUnit):
        unit_code = obj.code
    elif isinstance(obj, UnitSuccession):
        unit_code = obj.predecessor.code
    elif isinstance(obj, StaffAssignment | Delegation | Absence):
        unit_code = obj.unit.code
    audit_record(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        obj=obj,
        before=before,
        after=after,
        unit_code=unit_code,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, OrgUnit):
        return value.code
    return value


def unit_snapshot(unit: OrgUnit) -> dict[str, Any]:
    data = {field: _jsonable(getattr(unit, field)) for field in UNIT_FIELDS}
    data["parent"] = unit.parent.code if unit.parent_id else None  # type: ignore[union-attr]
    return data


def _assignment_snapshot(a: StaffAssignment) -> dict[str, Any]:
    return {
        "user": a.user.username,
        "unit": a.unit.code,
        "role": a.role,
        "position": a.position,
        "is_head": a.is_head,
        "valid_from": _jsonable(a.valid_from),
        "valid_to": _jsonable(a.valid_to),
    }


def _delegation_snapshot(d: Delegation) -> dict[str, Any]:
    return {
        "delegator": d.delegator.username,
        "delegate": d.delegate.username,
        "unit": d.unit.code,
        "valid_from": _jsonable(d.valid_from),
        "valid_to": _jsonable(d.valid_to),
        "reason": d.reason,
        "revoked_at": _jsonable(d.revoked_at),
    }


def can_administer_unit(actor: Any, unit: OrgUnit | None) -> bool:
    """System actions (actor=None: commands, imports) are allowed; otherwise the actor
    must be an administrator assigned to the unit or one of its ancestors. Creating a
    root unit (unit=None) needs an administrator assignment on some root."""
    if actor is None:
        return True
    if getattr(actor, "is_superuser", False):
        return True
    from motcua.org.selectors import active_assignments

    for assignment in active_assignments(actor):
        if assignment.role != Role.ADMINISTRATOR:
            continue
        if unit is None:
            if assignment.unit.parent_id is None:
                return True
        elif unit.path.startswith(assignment.unit.path):
            return True
    return False


def _require_admin(actor: Any, unit: OrgUnit | None) -> None:
    if not can_administer_unit(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền quản trị đơn vị này."))


def _clean_unit(unit: OrgUnit) -> None:
    if unit.kind not in UnitKind.values:
        raise ValidationError({"kind": _("Loại đơn vị không hợp lệ.")})
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")})
    clash = OrgUnit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists()
    if clash:
        raise ValidationError(
            {"code": _("Mã định danh %(code)s đã được dùng.") % {"code": unit.code}}
        )


def _set_path(unit: OrgUnit) -> None:
    parent = unit.parent
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0


# --- units --------------------------------------------------------------------


@transaction.atomic
def unit_create(
    *,
    actor: Any = None,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    short_name: str = "",
    admin_area_code: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    receives_on_saturday: bool = False,
) -> OrgUnit:
    _require_admin(actor, parent)
    unit = OrgUnit(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        parent=parent,
        short_name=short_name.strip(),
        admin_area_code=admin_area_code.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        receives_on_saturday=receives_on_saturday,
    )
    _clean_unit(unit)
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    _audit(action="org.unit_create", actor=actor, obj=unit, before=None, after=unit_snapshot(unit))
    return unit


@transaction.atomic
def unit_update(*, actor: Any = None, unit: OrgUnit, **changes: Any) -> OrgUnit:
    """Change attributes other than the parent (use unit_move for that)."""
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update: unknown fields {sorted(unknown)}")
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require_admin(actor, unit)
    before = unit_snapshot(unit)
    for field, value in changes.items():
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    _clean_unit(unit)
    unit.save()
    after = unit_snapshot(unit)
    if after != before:
        _audit(action="org.unit_update", actor=actor, obj=unit, before=before, after=after)
    return unit


@transaction.atomic
def unit_move(*, actor: Any = None, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Re-parent a unit and rewrite `path`/`depth` of its whole subtree."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require_admin(actor, unit)
    if new_parent is not None:
        new_parent = OrgUnit.objects.get(pk=new_parent.pk)
        _require_admin(actor, new_parent)
        if new_parent.path.startswith(unit.path):
            raise ValidationError(
                {"parent": _("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.")}
            )
    if (new_parent.pk if new_parent else None) == unit.parent_id:
        return unit
    before = unit_snapshot(unit)
    old_path, old_depth = unit.path, unit.depth
    unit.parent = new_parent
    _set_path(unit)
    unit.save(update_fields=["parent", "path", "depth", "updated_at"])
    shift = unit.depth - old_depth
    descendants = list(
        OrgUnit.objects.select_for_update().filter(path__startswith=old_path).exclude(pk=unit.pk)
    )
    for descendant in descendants:
        descendant.path = unit.path + descendant.path[len(old_path) :]
        descendant.depth += shift
    OrgUnit.objects.bulk_update(descendants, ["path", "depth"], batch_size=500)
    _audit(action="org.unit_move", actor=actor, obj=unit, before=before, after=unit_snapshot(unit))
    return unit


@transaction.atomic
def unit_close(*, actor: Any = None, unit: OrgUnit, valid_to: dt.date) -> OrgUnit:
    """End a unit's validity (the unit and its history stay)."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require_admin(actor, unit)
    if unit.valid_from and valid_to < unit.valid_from:
        raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")})
    before = unit_snapshot(unit)
    unit.valid_to = valid_to
    unit.save(update_fields=["valid_to", "updated_at"])
    _audit(action="org.unit_close", actor=actor, obj=unit, before=before, after=unit_snapshot(unit))
    return unit


def rebuild_paths() -> int:
    """Recompute path/depth of every unit from the parent links (used after imports).
    Returns the number of rows changed. Call inside a transaction."""
    units = {u.pk: u for u in OrgUnit.objects.all().only("id", "parent_id", "path", "depth")}
    children: dict[int | None, list[OrgUnit]] = {}
    for u in units.values():
        children.setdefault(u.parent_id, []).append(u)
    changed: list[OrgUnit] = []
    stack: list[tuple[OrgUnit, str, int]] = [(u, "/", 0) for u in children.get(None, [])]
    seen = 0
    while stack:
        u, prefix, depth = stack.pop()
        seen += 1
        path = f"{prefix}{u.pk}/"
        if u.path != path or u.depth != depth:
            u.path, u.depth = path, depth
            changed.append(u)
        stack.extend((c, path, depth + 1) for c in children.get(u.pk, []))
    if seen != len(units):
        raise ValidationError(_("Cây đơn vị có vòng lặp cấp trên – cấp dưới."))
    OrgUnit.objects.bulk_update(changed, ["path", "depth"], batch_size=500)
    return len(changed)


# --- succession -----------------------------------------------------------------


@transaction.atomic
def succession_record(
    *,
    actor: Any = None,
    predecessor: OrgUnit,
    successor: OrgUnit,
    kind: str,
    effective_date: dt.date,
    legal_basis: str = "",
    close_predecessor: bool = False,
    carries_records: bool | None = None,
) -> UnitSuccession:
    """Record merged_into / split_into / renamed_to / functions_transferred_to.

    With `close_predecessor`, a merge or rename also ends the predecessor's validity on
    the day before the effective date (a split or a transfer of functions can leave the
    old unit alive). `carries_records` (default: every kind but a split) hands the
    predecessor's dossiers, officers' scope and monitoring history to the successor
    (R31); a unit has one such link at most."""
    _require_admin(actor, predecessor)
    if kind not in SuccessionKind.values:
        raise ValidationError({"kind": _("Hình thức kế thừa không hợp lệ.")})
    if predecessor.pk == successor.pk:
        raise ValidationError({"successor": _("Đơn vị mới phải khác đơn vị cũ.")})
    if _reaches(successor, predecessor):
        raise ValidationError(
            {"successor": _("Quan hệ kế thừa này tạo thành vòng lặp giữa các đơn vị.")}
        )
    if carries_records is None:
        carries_records = kind != SuccessionKind.SPLIT_INTO
    if (
        carries_records
        and UnitSuccession.objects.filter(predecessor=predecessor, carries_records=True)
        .exclude(successor=successor, kind=kind)
        .exists()
    ):
        raise ValidationError(
            {
                "carries_records": _(
                    "Hồ sơ của đơn vị cũ đã được chuyển cho một đơn vị kế thừa khác; "
                    "mỗi đơn vị chỉ chuyển hồ sơ cho một đơn vị."
                )
            }
        )
    succession, created = UnitSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        kind=kind,
        defaults={
            "effective_date": effective_date,
            "legal_basis": legal_basis.strip(),
            "carries_records": carries_records,
        },
    )
    before = None
    if not created:
        before = {
            "effective_date": _jsonable(succession.effective_date),
            "legal_basis": succession.legal_basis,
            "carries_records": succession.carries_records,
        }
        succession.effective_date = effective_date
        succession.legal_basis = legal_basis.strip()
        succession.carries_records = carries_records
        succession.save()
    if close_predecessor and kind in (SuccessionKind.MERGED_INTO, SuccessionKind.RENAMED_TO):
        end = effective_date - dt.timedelta(days=1)
        if predecessor.valid_to is None or predecessor.valid_to > end:
            unit_close(actor=actor, unit=predecessor, valid_to=end)
    _audit(
        action="org.succession_record",
        actor=actor,
        obj=succession,
        before=before,
        after={
            "from": predecessor.code,
            "to": successor.code,
            "kind": kind,
            "effective_date": _jsonable(effective_date),
            "legal_basis": succession.legal_basis,
            "carries_records": carries_records,
        },
    )
    return succession


def _reaches(start: OrgUnit, target: OrgUnit) -> bool:
    """True when following successor links from `start` arrives at `target`."""
    frontier, seen = [start.pk], set()
    while frontier:
        pk = frontier.pop()
        if pk == target.pk:
            return True
        if pk in seen:
            continue
        seen.add(pk)
        frontier.extend(
            UnitSuccession.objects.filter(predecessor_id=pk).values_list("successor_id", flat=True)
        )
    return False


# --- staff assignments --------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *,
    actor: Any = None,
    user: Any,
    unit: OrgUnit,
    role: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    position: str = "",
    is_head: bool = False,
) -> StaffAssignment:
    """Assign an officer to a unit. A unit has at most one head on any day
    (Directive 04 ranks the head; law.md §10.3 rule 6)."""
    _require_admin(actor, unit)
    if not getattr(user, "is_officer", False):
        raise ValidationError({"user": _("Chỉ tài khoản cán bộ mới được phân công vào đơn vị.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if is_head:
        # Lock the unit row so two concurrent head assignments cannot both pass the check.
        OrgUnit.objects.select_for_update().get(pk=unit.pk)
        overlapping = StaffAssignment.objects.filter(unit=unit, is_head=True).filter(
            _overlaps(valid_from, valid_to)
        )
        if overlapping.exists():
            other = overlapping.select_related("user").first()
            raise ValidationError(
                {
                    "is_head": _(
                        "Đơn vị đã có người đứng đầu (%(name)s) trong khoảng thời gian này; "
                        "hãy kết thúc phân công đó trước."
                    )
                    % {"name": other.user if other else ""}
                }
            )
    assignment = StaffAssignment.objects.create(
        user=user,
        unit=unit,
        role=role,
        position=position.strip(),
        is_head=is_head,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _audit(
        action="org.assignment_create",
        actor=actor,
        obj=assignment,
        before=None,
        after=_assignment_snapshot(assignment),
    )
    return assignment


def _overlaps(valid_from: dt.date, valid_to: dt.date | None) -> Any:
    from django.db.models import Q

    condition = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        condition &= Q(valid_from__lte=valid_to)
    return condition


@transaction.atomic
def assignment_end(
    *, actor: Any = None, assignment: StaffAssignment, valid_to: dt.date
) -> StaffAssignment:
    assignment = (
        StaffAssignment.objects.select_for_update()
        .select_related("unit", "user")
        .get(pk=assignment.pk)
    )
    _require_admin(actor, assignment.unit)
    if valid_to < assignment.valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if assignment.valid_to is not None and assignment.valid_to <= valid_to:
        raise ValidationError({"valid_to": _("Phân công này đã kết thúc trước ngày đó.")})
    before = _assignment_snapshot(assignment)
    assignment.valid_to = valid_to
    assignment.save(update_fields=["valid_to", "updated_at"])
    _audit(
        action="org.assignment_end",
        actor=actor,
        obj=assignment,
        before=before,
        after=_assignment_snapshot(assignment),
    )
    return assignment


# --- delegations ------------------------------------------------------------------------


@transaction.atomic
def delegation_create(
    *,
    actor: Any = None,
    delegator: Any,
    delegate: Any,
    unit: OrgUnit,
    valid_from: dt.date,
    valid_to: dt.date,
    reason: str = "",
) -> Delegation:
    """A leader of `unit` authorises another officer of the same unit to act for them.
    The delegator may create their own delegation; administrators may record one."""
    from motcua.org.selectors import valid_on

    if actor is not None and actor != delegator:
        _require_admin(actor, unit)
    if delegator == delegate:
        raise ValidationError({"delegate": _("Không thể tự ủy quyền cho chính mình.")})
    if valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    leads = StaffAssignment.objects.filter(
        valid_on(valid_from), user=delegator, unit=unit, role=Role.LEADER
    ).exists()
    if not leads:
        raise ValidationError(
            {
                "delegator": _(
                    "Người ủy quyền phải là lãnh đạo của đơn vị vào ngày bắt đầu ủy quyền."
                )
            }
        )
    member = StaffAssignment.objects.filter(valid_on(valid_from), user=delegate, unit=unit).exists()
    if not member:
        raise ValidationError(
            {
                "delegate": _(
                    "Người được ủy quyền phải là cán bộ của đơn vị vào ngày bắt đầu ủy quyền."
                )
            }
        )
    delegation = Delegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason.strip(),
    )
    _audit(
        action="org.delegation_create",
        actor=actor,
        obj=delegation,
        before=None,
        after=_delegation_snapshot(delegation),
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: Any = None, delegation: Delegation) -> Delegation:
    delegation = (
        Delegation.objects.select_for_update()
        .select_related("unit", "delegator", "delegate")
        .get(pk=delegation.pk)
    )
    if actor is not None and actor != delegation.delegator:
        _require_admin(actor, delegation.unit)
    if delegation.revoked_at is not None:
        raise ValidationError(_("Ủy quyền này đã bị thu hồi."))
    before = _delegation_snapshot(delegation)
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at", "updated_at"])
    _audit(
        action="org.delegation_revoke",
        actor=actor,
        obj=delegation,
        before=before,
        after=_delegation_snapshot(delegation),
    )
    return delegation


# --- absences (load forecast, docs/monitoring.md) -------------------------------------


def _absence_snapshot(a: Absence) -> dict[str, Any]:
    return {
        "user": a.user.username,
        "unit": a.unit.code,
        "valid_from": _jsonable(a.valid_from),
        "valid_to": _jsonable(a.valid_to),
        "reason": a.reason,
        "revoked_at": _jsonable(a.revoked_at),
    }


def is_unit_head(user: Any, unit: OrgUnit, at: dt.date | None = None) -> bool:
    """`user` is head of `unit` on `at`, or acts for the head under a delegation."""
    from motcua.org.selectors import valid_on

    if not getattr(user, "is_authenticated", False):
        return False
    at = at or timezone.localdate()
    if StaffAssignment.objects.filter(valid_on(at), user=user, unit=unit, is_head=True).exists():
        return True
    heads = StaffAssignment.objects.filter(valid_on(at), unit=unit, is_head=True).values("user")
    return Delegation.objects.filter(
        valid_on(at), unit=unit, delegate=user, delegator__in=heads, revoked_at__isnull=True
    ).exists()


@transaction.atomic
def absence_create(
    *,
    actor: Any = None,
    user: Any,
    unit: OrgUnit,
    valid_from: dt.date,
    valid_to: dt.date,
    reason: str = "",
) -> Absence:
    """The head of `unit` (or an administrator) records that an officer of the unit is
    away; the load forecast then moves their steps due those days to a colleague."""
    from motcua.org.selectors import valid_on

    if actor is not None and not is_unit_head(actor, unit) and not can_administer_unit(actor, unit):
        raise PermissionDenied(_("Chỉ người đứng đầu đơn vị ghi nhận lịch vắng mặt của cán bộ."))
    if valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if (valid_to - valid_from).days > 366:
        raise ValidationError({"valid_to": _("Một lần vắng mặt ghi nhận tối đa một năm.")})
    member = (
        StaffAssignment.objects.filter(valid_on(valid_from), user=user, unit=unit).exists()
        or StaffAssignment.objects.filter(valid_on(valid_to), user=user, unit=unit).exists()
    )
    if not member:
        raise ValidationError({"user": _("Người vắng mặt phải là cán bộ của đơn vị.")})
    absence = Absence.objects.create(
        user=user,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason.strip()[:255],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _audit(
        action="org.absence_create",
        actor=actor,
        obj=absence,
        before=None,
        after=_absence_snapshot(absence),
    )
    return absence


@transaction.atomic
def absence_revoke(*, actor: Any = None, absence: Absence) -> Absence:
    absence = Absence.objects.select_for_update().select_related("unit", "user").get(pk=absence.pk)
    if (
        actor is not None
        and not is_unit_head(actor, absence.unit)
        and not can_administer_unit(actor, absence.unit)
    ):
        raise PermissionDenied(_("Chỉ người đứng đầu đơn vị ghi nhận lịch vắng mặt của cán bộ."))
    if absence.revoked_at is not None:
        raise ValidationError(_("Lịch vắng mặt này đã được hủy."))
    before = _absence_snapshot(absence)
    absence.revoked_at = timezone.now()
    absence.save(update_fields=["revoked_at", "updated_at"])
    _audit(
        action="org.absence_revoke",
        actor=actor,
        obj=absence,
        before=before,
        after=_absence_snapshot(absence),
    )
    return absence
