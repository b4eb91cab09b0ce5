"""The common pipeline of every dossier service: load → permission → state →
version → guarded write → event → audit → on_commit signal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Component
from motcua.core import request_context
from motcua.dossiers import rulesets
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import (
    APPLICANT,
    SYSTEM,
    DossierStatus,
)
from motcua.dossiers.errors import (
    ConcurrentModification,
    IllegalTransition,
    InvalidDossierData,
    NotPermitted,
    ReasonRequired,
)
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierStep,
)
from motcua.dossiers.permissions import relevant_unit, roles_in_units
from motcua.dossiers.tasks import fanout_after_commit
from motcua.org.constants import Role
from motcua.org.models import OrgUnit

S = DossierStatus

# Decree 61/2018 Art. 19(4), Decree 118/2025 Art. 19(5): a supplement request later than
# this after receipt is late (both sets: RuleSet.supplement_notice_working_days).
SUPPLEMENT_NOTICE_WORKING_DAYS = 3


@dataclass
class ComponentInput:
    name: str = ""
    component: Component | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    quantity: int = 1
    digitized: bool = False
    reused: bool = False
    from_warehouse: bool = False


@dataclass
class _Act:
    dossier: Dossier
    transition: wf.Transition
    role: str
    unit: OrgUnit | None
    actor: Any
    expected_version: int
    now: dt.datetime
    from_status: str
    rules: rulesets.RuleSet
    warnings: list[str] = field(default_factory=list)


# --- pipeline -----------------------------------------------------------------------


def _load(dossier: Dossier | int) -> Dossier:
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    return Dossier.objects.select_related(
        "procedure_version", "case", "receiving_unit", "competent_unit", "applicant"
    ).get(pk=pk)


def _authorise(actor: Any, dossier: Dossier, t: wf.Transition) -> tuple[str, OrgUnit | None]:
    """The role `actor` plays for `t` on `dossier`, or NotPermitted. Nobody plays the
    SYSTEM role: those transitions run only through `_begin(..., system=True)`."""
    if APPLICANT in t.roles and getattr(actor, "pk", None) == dossier.applicant_id:
        return APPLICANT, None
    held = roles_in_units(actor)
    for role in sorted(t.roles - {APPLICANT}):
        unit = relevant_unit(dossier, role)
        if role in held.get(unit.pk, set()):
            return role, unit
    if getattr(actor, "is_citizen", False):
        raise NotPermitted(_("Chỉ người nộp hồ sơ mới được thực hiện thao tác này."))
    raise NotPermitted(
        _("Bạn không giữ vai trò phù hợp tại đơn vị xử lý hồ sơ để thực hiện «%(label)s».")
        % {"label": t.label}
    )


def _begin(
    dossier: Dossier | int,
    actor: Any,
    action: str,
    expected_version: int | None,
    now: dt.datetime | None,
    reason: str = "",
    *,
    system: bool = False,
) -> _Act:
    d = _load(dossier)
    t = wf.transition(action)
    if system:
        if SYSTEM not in t.roles:
            raise NotPermitted(_("Thao tác này không do hệ thống tự thực hiện."))
        role, unit = SYSTEM, None
    else:
        role, unit = _authorise(actor, d, t)
    moment = _moment(d, now)
    # R1: the actions the dossier's rule set has (stored at reception; before, the set
    # in force at this moment).
    rules = rulesets.ruleset_for(d.rule_set, d.received_at, moment)
    if not rules.allows(action, d.status):
        raise IllegalTransition(
            _("Thao tác «%(label)s» không áp dụng cho hồ sơ theo %(rules)s.")
            % {"label": t.label, "rules": rules.label}
        )
    if d.status not in t.sources:
        raise IllegalTransition(
            _("Không thể «%(label)s» khi hồ sơ đang ở trạng thái «%(status)s».")
            % {"label": t.label, "status": d.get_status_display()}
        )
    if role == Role.SPECIALIST and d.assignee_id and d.assignee_id != getattr(actor, "pk", None):
        raise NotPermitted(_("Hồ sơ này được phân công cho chuyên viên khác."))
    if t.reason_required and not (reason or "").strip():
        raise ReasonRequired()
    if expected_version is None or int(expected_version) != d.version:
        raise ConcurrentModification()
    return _Act(d, t, role, unit, actor, int(expected_version), moment, d.status, rules)


def _moment(d: Dossier, now: dt.datetime | None) -> dt.datetime:
    """The time of the new event: the server's clock, never before the dossier's last
    event (event times are monotonic per dossier, even if the clock steps back). No
    page or API input reaches `now`: only code replaying a history (the demo province,
    tests) passes it, and it must be an aware datetime."""
    if now is not None:
        if not isinstance(now, dt.datetime) or timezone.is_naive(now):
            raise InvalidDossierData(_("Thời điểm thực hiện không hợp lệ."))
        return now
    moment = timezone.now()
    last = d.events.order_by("-at").values_list("at", flat=True).first()
    return max(moment, last) if last is not None else moment


def _write(act: _Act, **changes: Any) -> None:
    """Guarded update: the first write of every transition (no lost update)."""
    target = act.transition.next_state(act.from_status)
    rows = Dossier.objects.filter(
        pk=act.dossier.pk, version=act.expected_version, status=act.from_status
    ).update(status=target, version=F("version") + 1, updated_at=act.now, **changes)
    if rows != 1:
        raise ConcurrentModification()
    act.dossier.status = target
    act.dossier.version = act.expected_version + 1
    for key, value in changes.items():
        setattr(act.dossier, key, value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, OrgUnit):
        return value.code
    if hasattr(value, "pk"):
        return value.pk
    return value


def _record(
    act: _Act,
    *,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    step: DossierStep | None = None,
    unit: OrgUnit | None = None,
) -> DossierEvent:
    d = act.dossier
    payload = dict(payload or {})
    if act.transition.form:
        payload.setdefault("form", str(act.transition.form))
    if act.warnings:
        payload["warnings"] = act.warnings
    via = request_context.current().via  # e.g. "API: <client>" for a machine client
    if via:
        payload.setdefault("via", via)
    event_unit = unit or act.unit
    event = DossierEvent.objects.create(
        dossier=d,
        at=act.now,
        actor=act.actor,
        actor_role=act.role,
        unit=event_unit,
        action=act.transition.action,
        from_status=act.from_status,
        to_status=d.status,
        reason=reason,
        payload={k: _jsonable(v) for k, v in payload.items()},
        step=step,
    )
    _audit(act, d, payload, event_unit)
    _notify(d.pk, act.transition.action, act.from_status, d.status, event.pk)
    d.warnings = act.warnings  # type: ignore[attr-defined]
    return event


def _audit(act: _Act, d: Dossier, payload: dict[str, Any], unit: OrgUnit | None) -> None:
    from motcua.core.audit import audit_record  # lazy: core.audit may import late

    audit_record(
        action=f"dossier.{act.transition.action}",
        actor=act.actor,
        obj=d,
        before={"status": act.from_status, "version": act.expected_version},
        after={
            "status": d.status,
            "version": d.version,
            "code": d.code or "",
            **{k: _jsonable(v) for k, v in payload.items()},
        },
        unit_code=unit.code if unit else "",
        role=act.role,
        object_repr=str(d),
    )


def _notify(pk: int, action: str, from_status: str, to_status: str, event_id: int) -> None:
    # Notifications, monitoring and sync follow in a background job (dossiers/tasks.py).
    transaction.on_commit(
        lambda: fanout_after_commit(
            dossier_id=pk,
            action=action,
            from_status=from_status,
            to_status=to_status,
            event_id=event_id,
        )
    )
