"""Process steps and due moments of a dossier (planning, completion, re-planning)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.catalog.constants import StepUnitRule
from motcua.dossiers import deadlines
from motcua.dossiers.constants import (
    PauseKind,
    StepStatus,
)
from motcua.dossiers.models import (
    Dossier,
    DossierStep,
)

# --- steps ----------------------------------------------------------------------------


def _activate_next(d: Dossier, now: dt.datetime) -> None:
    steps = list(d.steps.filter(status=StepStatus.PENDING).order_by("order", "pk"))
    if not steps or d.steps.filter(status=StepStatus.ACTIVE).exists():
        return
    first = steps[0]
    group = (
        [first]
        if first.parallel_group is None
        else [s for s in steps if s.parallel_group == first.parallel_group]
    )
    DossierStep.objects.filter(pk__in=[s.pk for s in group]).update(
        status=StepStatus.ACTIVE, started_at=now
    )


def _complete_step(d: Dossier, role: str, actor: Any, now: dt.datetime) -> DossierStep | None:
    """Complete the first active step played by `role`, then open the next step(s)."""
    step = d.steps.filter(status=StepStatus.ACTIVE, role=role).order_by("order", "pk").first()
    if step is None:
        return None
    step.status = StepStatus.DONE
    step.completed_at = now
    step.assignee = step.assignee or actor
    step.save(update_fields=["status", "completed_at", "assignee"])
    _activate_next(d, now)
    return step


def _step_span(step: Any) -> deadlines.Span:
    return deadlines.Span(step.duration_value, step.duration_unit)


def _replan_open_steps(d: Dossier, start: dt.datetime) -> None:
    """Re-plan the due moments of steps not done yet from `start` (after a restart),
    inside the dossier's new due moment (law.md R3a)."""
    open_steps = list(d.steps.exclude(status=StepStatus.DONE).order_by("order", "pk"))
    if not open_steps:
        return
    dues = deadlines.step_dues(
        d.receiving_unit,
        start,
        [(_step_span(s), s.parallel_group) for s in open_steps],
        within=d.due_at,
    )
    for step, due in zip(open_steps, dues, strict=True):
        step.due_at = due
    DossierStep.objects.bulk_update(open_steps, ["due_at"])


def _create_steps(d: Dossier, start: dt.datetime) -> None:
    """Plan the process steps from reception, inside the dossier's legal due moment
    `d.due_at` (law.md R3a: a plan longer than the time left is scaled into it).
    A case with its own process uses it; otherwise the general process applies."""
    templates = []
    if d.case_id:
        templates = list(d.procedure_version.steps.filter(case=d.case_id).order_by("order", "pk"))
    if not templates:
        templates = list(
            d.procedure_version.steps.filter(case__isnull=True).order_by("order", "pk")
        )
    if not templates:
        return
    dues = deadlines.step_dues(
        d.receiving_unit,
        start,
        [(deadlines.Span(s.duration_value, s.duration_unit), s.parallel_group) for s in templates],
        within=d.due_at,
    )
    rows = []
    for template, due in zip(templates, dues, strict=True):
        if template.unit_rule == StepUnitRule.RECEIVING:
            unit_id = d.receiving_unit_id
        elif template.unit_rule == StepUnitRule.FIXED and template.unit_id:
            unit_id = template.unit_id
        else:
            unit_id = d.competent_unit_id
        rows.append(
            DossierStep(
                dossier=d,
                order=template.order,
                name=template.name,
                unit_id=unit_id,
                role=template.role,
                duration_value=template.duration_value,
                duration_unit=template.duration_unit,
                parallel_group=template.parallel_group,
                due_at=due,
            )
        )
    DossierStep.objects.bulk_create(rows)
    _activate_next(d, start)


# --- due moments ------------------------------------------------------------------------


def _span(d: Dossier) -> deadlines.Span:
    return deadlines.span_of(d.procedure_version, d.case)


def _recompute_due(d: Dossier) -> dt.datetime | None:
    """Due moment from the events' timestamps: reception, supplement pauses (restart or
    subtract per policy), financial pauses (always subtracted: R13)."""
    return _due_with(d, list(d.pauses.all()))


def _due_with(d: Dossier, pauses: list[Any], at: dt.datetime | None = None) -> dt.datetime | None:
    """The due moment given these pauses (all of the dossier's, or those before a
    moment `at` for the history of appointments)."""
    if d.received_at is None:
        return None
    supplement = [
        deadlines.Pause(p.started_at, p.ended_at) for p in pauses if p.kind == PauseKind.SUPPLEMENT
    ]
    due = deadlines.due_at(d.receiving_unit, d.received_at, _span(d), supplement)
    if due is None:
        return None
    restart_from = max((p.end for p in supplement if p.end), default=None)
    cal = deadlines.calendar_for(d.receiving_unit)
    for p in pauses:
        if p.kind != PauseKind.FINANCIAL or p.ended_at is None:
            continue
        if (
            restart_from is not None
            and deadlines.pause_policy() == deadlines.PausePolicy.RESTART
            and p.ended_at <= restart_from
        ):
            continue
        waited = cal.paused_seconds([deadlines.Pause(p.started_at, p.ended_at)])
        due = cal.moment(cal.position(due) + waited)
    extended = d.extended_at and (at is None or d.extended_at <= at)
    if extended and d.due_at and d.due_at > due:
        return d.due_at  # the new appointment given with the apology stands (R14)
    return due


def supplement_appointments(
    d: Dossier,
) -> list[tuple[Any, dt.datetime | None, dt.datetime | None]]:
    """For each supplement request: (pause, appointment in force when it was requested,
    new appointment once the complete supplement arrived, None while waiting) — the
    national sync's NgayHenTraTruoc / NgayHenTraMoi (law.md R12, R23)."""
    pauses = list(d.pauses.all())
    out = []
    for pause in pauses:
        if pause.kind != PauseKind.SUPPLEMENT:
            continue
        earlier = [p for p in pauses if p.started_at < pause.started_at and p.ended_at]
        before = _due_with(d, earlier, pause.started_at)
        after = None
        if pause.ended_at is not None:
            upto = [p for p in pauses if p.ended_at and p.ended_at <= pause.ended_at]
            after = _due_with(d, upto, pause.ended_at)
        out.append((pause, before, after))
    return out
