"""Drill-down reads: unit → procedure → officer → the dossiers behind a number, the
monthly trend of a unit and the early-warning panel (issue 9 point 4).

Numbers come from UnitDayStats (per procedure) and from DossierContribution (per
officer and the dossier lists), so a list always holds exactly the dossiers counted in
the number it was opened from. No page scans all dossiers: every query is restricted to
a unit subtree and a reception-day range (indexed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.monitoring.catalogue_state import catalogue_rows
from motcua.monitoring.indicators import UnitCounts, score
from motcua.monitoring.models import DossierContribution, UnitDayStats
from motcua.monitoring.periods import Period, period_for
from motcua.monitoring.selectors import COLUMNS, UnitScores, scores_for, scoring_policy_on
from motcua.org.models import OrgUnit


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    indicator: str


# Lists behind a number. Counters are stored only when non-zero, so "has key" is the
# counter being 1 for that dossier.
KINDS: tuple[Kind, ...] = (
    Kind("received", _("Hồ sơ tiếp nhận trong kỳ"), "2.1"),
    Kind("late", _("Hồ sơ trễ hạn (chỉ tiêu 2.1)"), "2.1"),
    Kind("on_time", _("Hồ sơ trước hạn, đúng hạn"), "2.1"),
    Kind("online", _("Hồ sơ nộp trực tuyến (chỉ tiêu 3.3)"), "3.3"),
    Kind("not_digitised", _("Hồ sơ chưa số hóa đầy đủ (chỉ tiêu 4.2)"), "4.2"),
    Kind("no_e_result", _("Hồ sơ chưa có kết quả điện tử (chỉ tiêu 4.1)"), "4.1"),
    Kind("unsatisfied", _("Hồ sơ trễ hạn hoặc không hài lòng (chỉ tiêu 5.4)"), "5.4"),
)
KIND_BY_KEY = {k.key: k for k in KINDS}


def _on_time_field(period: Period) -> str:
    policy = scoring_policy_on(period.end)
    return "on_time_766" if policy.supplement_rule == "subtract_766" else "on_time_d61"


def contributions(
    unit: OrgUnit,
    period: Period,
    kind: str = "received",
    *,
    procedure_code: str = "",
    officer_id: int | None = None,
    viewer: Any = None,
) -> QuerySet[DossierContribution]:
    """Contributions of the unit's subtree received in `period`, filtered to `kind`.
    With a `viewer`, the "unsatisfied" list leaves out the dossiers counted only
    because of a behaviour complaint the viewer may not see (issue 20): they still
    count in the number, but the dossier, its officer and the sender are not shown
    (`hidden_behaviour` counts them)."""
    qs = DossierContribution.objects.filter(
        unit__path__startswith=unit.path, day__gte=period.start, day__lte=period.end
    )
    on_time = _on_time_field(period)
    to_late, to_on_time = _rejudged(unit, period, on_time, kind)
    if kind == "late":
        qs = qs.filter(
            (Q(**{on_time: False}) & ~Q(dossier_id__in=to_on_time)) | Q(dossier_id__in=to_late)
        )
    elif kind == "on_time":
        qs = qs.filter(
            (Q(**{on_time: True}) & ~Q(dossier_id__in=to_late)) | Q(dossier_id__in=to_on_time)
        )
    elif kind == "online":
        qs = qs.filter(counters__has_key="channel_online")
    elif kind == "not_digitised":
        qs = qs.exclude(counters__has_key="digitised")
    elif kind == "no_e_result":
        qs = qs.filter(counters__has_key="paper_result").exclude(counters__has_key="e_result")
    elif kind == "unsatisfied":
        suffix = "766" if on_time == "on_time_766" else "d61"
        qs = qs.filter(
            (Q(counters__has_key=f"late_or_unsatisfied_{suffix}") & ~Q(dossier_id__in=to_on_time))
            | Q(dossier_id__in=to_late)
        )
        if viewer is not None:
            qs = qs.exclude(_behaviour_only(viewer, on_time))
    if procedure_code:
        qs = qs.filter(procedure_code=procedure_code)
    if officer_id is not None:
        qs = qs.filter(dossier__assignee_id=officer_id or None)
    return qs.select_related(
        "unit",
        "dossier__procedure_version__procedure",
        "dossier__assignee",
        "dossier__competent_unit",
        "dossier__receiving_unit",
    ).order_by("day", "dossier_id")


def _rejudged(unit: OrgUnit, period: Period, on_time: str, kind: str) -> tuple[set[int], set[int]]:
    """(late at the period's end though on time in the rows, the reverse) for a period
    other than a month (law.md §4.4, `period_judgement`); for "unsatisfied" the second
    set leaves out the dossiers unsatisfied anyway."""
    from motcua.monitoring.period_judgement import judged_for

    if kind not in ("late", "on_time", "unsatisfied"):
        return set(), set()
    to_late: set[int] = set()
    to_on_time: set[int] = set()
    for j in judged_for(Q(unit__path__startswith=unit.path), period.start, period.end):
        stored, judged = (
            (j.stored_766, j.on_time_766)
            if on_time == "on_time_766"
            else (j.stored_d61, j.on_time_d61)
        )
        if stored and not judged:
            to_late.add(j.dossier_id)
        elif judged and not stored and not (kind == "unsatisfied" and j.unsatisfied):
            to_on_time.add(j.dossier_id)
    return to_late, to_on_time


def _behaviour_only(viewer: Any, on_time_field: str) -> Q:
    """Dossiers in 5.4 only through a behaviour complaint hidden from `viewer`: on time,
    not rated "Chưa hài lòng", no other feedback about them."""
    from motcua.feedback.constants import FeedbackKind, FeedbackStatus, RatingLevel
    from motcua.feedback.models import Feedback, SatisfactionRating
    from motcua.feedback.selectors import feedback_visible_to

    counted = Feedback.objects.exclude(status=FeedbackStatus.REFUSED).filter(dossier__isnull=False)
    behaviour = counted.filter(kind=FeedbackKind.BEHAVIOUR).exclude(
        pk__in=feedback_visible_to(viewer).values("pk")
    )
    others = counted.exclude(kind=FeedbackKind.BEHAVIOUR)
    rated = SatisfactionRating.objects.filter(level=RatingLevel.UNSATISFIED)
    return (
        Q(dossier_id__in=behaviour.values("dossier_id"))
        & Q(**{on_time_field: True})
        & ~Q(dossier_id__in=others.values("dossier_id"))
        & ~Q(dossier_id__in=rated.values("dossier_id"))
    )


def hidden_behaviour(unit: OrgUnit, period: Period, viewer: Any) -> int:
    """How many dossiers the viewer's unit-level "unsatisfied" list leaves out (see
    contributions); never asked per officer or procedure, which would point at someone."""
    return (
        contributions(unit, period, "unsatisfied").count()
        - contributions(unit, period, "unsatisfied", viewer=viewer).count()
    )


@dataclass(frozen=True)
class LateRow:
    contribution: DossierContribution
    dossier: Any
    step_name: str
    step_unit: str
    officer: str
    reason_kind: str
    reason_label: str
    reason: str
    days_late: float | None


# Lateness is attributed by law (law.md §1.11): time the dossier waits for the citizen
# (supplement, financial obligation) is not counted at all — its due date moves after
# the pause — and time it waits for another body's opinion is that body's.
CITIZEN_HOLDS = frozenset({"supplement_requested", "payment_requested"})
AGENCY_HOLDS = frozenset({"in_consultation"})


def holder_label(status: str) -> str:
    """Who holds an open dossier when it is not the officer ("" = the officer)."""
    if status in CITIZEN_HOLDS:
        return str(_("Người nộp hồ sơ (chờ bổ sung / nghĩa vụ tài chính)"))
    if status in AGENCY_HOLDS:
        return str(_("Cơ quan được lấy ý kiến"))
    return ""


def _responsible_step(d: Any, now: dt.datetime) -> Any:
    """The first step that finished after its deadline, else the active overdue step."""
    steps = list(d.steps.all())
    for s in steps:
        if s.due_at and s.completed_at and s.completed_at > s.due_at:
            return s
    for s in steps:
        if s.status == "active" and s.due_at and s.due_at < now:
            return s
    return None


def late_rows(
    items: Iterable[DossierContribution], now: dt.datetime | None = None
) -> list[LateRow]:
    """Late dossiers with the responsible step and officer and the reason kind
    (subjective / objective, from the apology letter, Directive 04 — R16)."""
    from motcua.dossiers import deadlines
    from motcua.dossiers.constants import DelayReasonKind

    now = now or timezone.now()
    labels = dict(DelayReasonKind.choices)
    items = list(items)
    # One calendar lookup for the page, not one per late row.
    units = {c.dossier.competent_unit for c in items if c.dossier.competent_unit_id}
    calendars = deadlines.calendars_for(units) if units else {}
    rows = []
    for c in items:
        d = c.dossier
        step = _responsible_step(d, now)
        officer = (step.assignee if step and step.assignee_id else None) or d.assignee
        holder = holder_label(d.status) if d.completed_at is None else ""
        # days late against the due date after pauses and extensions (the officer's
        # share); 2.1 itself compares with the first appointment
        due = d.due_at or d.original_due_at
        end = d.completed_at or now
        days = None
        if due is not None and end > due:
            try:
                days = round(
                    deadlines.working_days_between(
                        d.competent_unit, due, end, cal=calendars.get(d.competent_unit_id)
                    ),
                    1,
                )
            except Exception:  # calendar outside its years: show no figure
                days = None
        kind = d.extension_reason_kind or ""
        rows.append(
            LateRow(
                contribution=c,
                dossier=d,
                step_name=step.name if step else "",
                step_unit=step.unit.name if step else "",
                officer=holder
                or getattr(officer, "full_name", "")
                or getattr(officer, "username", ""),
                reason_kind=kind,
                reason_label=str(labels.get(kind, _("Chưa ghi nhận lý do"))),
                reason=d.extension_reason or d.status_reason or "",
                days_late=days,
            )
        )
    return rows


def prefetch_for_rows(qs: QuerySet[DossierContribution]) -> QuerySet[DossierContribution]:
    return qs.prefetch_related("dossier__steps__unit", "dossier__steps__assignee")


# --- per procedure and per officer ---------------------------------------------------


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    name: str
    received: int
    on_time: int
    late: int
    online: int
    ratio_21: float | None
    score_total: float


def procedure_rows(unit: OrgUnit, period: Period) -> list[ProcedureRow]:
    from motcua.catalog.models import Procedure

    policy = scoring_policy_on(period.end)
    grouped = (
        UnitDayStats.objects.filter(
            unit__path__startswith=unit.path, day__gte=period.start, day__lte=period.end
        )
        .exclude(procedure_code="")
        .values("procedure_code")
        .order_by("procedure_code")
        .annotate(**{name: Sum(name) for name in COLUMNS})
    )
    names = dict(Procedure.objects.values_list("code", "name"))
    # the catalogue state of the procedures in the subtree (catalogue_state spans)
    catalogue = {
        row[0]: dict(zip(COLUMNS, row[1:], strict=True))
        for row in catalogue_rows(Q(unit__path__startswith=unit.path), period.start, period.end, ())
    }
    out = []
    for row in grouped:
        code = row["procedure_code"]
        values: dict[str, Any] = dict(row)
        counts = UnitCounts.for_procedure(code, values, catalogue.get(code, {}))
        card = score(counts, policy)
        on_time = (
            counts.on_time_766 if policy.supplement_rule == "subtract_766" else counts.on_time_d61
        )
        out.append(
            ProcedureRow(
                code=code,
                name=names.get(code, code),
                received=counts.received,
                on_time=on_time,
                late=counts.received - on_time,
                online=counts.channel_online,
                ratio_21=card.indicators["2.1"].ratio,
                score_total=card.total,
            )
        )
    out.sort(key=lambda r: (-r.late, r.code))
    return out


@dataclass(frozen=True)
class OfficerRow:
    officer_id: int
    name: str
    received: int
    late: int

    @property
    def on_time_ratio(self) -> float | None:
        return (self.received - self.late) / self.received if self.received else None


def officer_rows(unit: OrgUnit, period: Period, procedure_code: str = "") -> list[OfficerRow]:
    on_time = _on_time_field(period)
    qs = DossierContribution.objects.filter(
        unit__path__startswith=unit.path, day__gte=period.start, day__lte=period.end
    )
    if procedure_code:
        qs = qs.filter(procedure_code=procedure_code)
    grouped = (
        qs.values("dossier__assignee_id", "dossier__assignee__full_name")
        .order_by("dossier__assignee__full_name")
        .annotate(received=Count("pk"), late=Count("pk", filter=Q(**{on_time: False})))
    )
    rows = [
        OfficerRow(
            officer_id=g["dossier__assignee_id"] or 0,
            name=g["dossier__assignee__full_name"] or str(_("(chưa phân công)")),
            received=g["received"],
            late=g["late"],
        )
        for g in grouped
    ]
    rows.sort(key=lambda r: (-r.late, r.name))
    return rows


# --- trend -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    scores: UnitScores

    @property
    def label(self) -> str:
        return f"{self.period.start:%m/%Y}"


def monthly_trend(unit: OrgUnit, end: dt.date, months: int = 12) -> list[TrendPoint]:
    """Total score of the unit's subtree for each of the last `months` months."""
    points = []
    anchor = end.replace(day=1)
    firsts = []
    for _i in range(months):
        firsts.append(anchor)
        anchor = (anchor - dt.timedelta(days=1)).replace(day=1)
    for first in reversed(firsts):
        p = period_for("month", first)
        points.append(TrendPoint(p, scores_for(unit, p.start, p.end)))
    return points


def trend_svg_points(points: list[TrendPoint], width: int = 600, height: int = 160) -> str:
    """Polyline coordinates of the trend (server-drawn SVG: no script, strict CSP)."""
    if not points:
        return ""
    step = width / max(1, len(points) - 1)
    coords = []
    for i, p in enumerate(points):
        if not p.scores.has_data:
            continue
        y = height - (p.scores.card.total / 100.0) * height
        coords.append(f"{i * step:.1f},{y:.1f}")
    return " ".join(coords)


# --- early warning -----------------------------------------------------------------


@dataclass(frozen=True)
class WarningCount:
    unit: OrgUnit
    due_soon: int
    overdue: int


def _horizon(now: dt.datetime, unit: OrgUnit | None) -> dt.datetime:
    """One working day after `now` (the "due within 1 working day" window)."""
    from motcua.dossiers import deadlines

    try:
        cal = deadlines.calendar_for(unit)
        return cal.moment(cal.position(now) + cal.day_seconds)
    except Exception:  # no calendar data: one calendar day
        return now + dt.timedelta(days=1)


def warning_dossiers(units: QuerySet[OrgUnit], now: dt.datetime | None = None) -> QuerySet[Any]:
    """Open dossiers with a running clock, overdue or due within 1 working day, whose
    competent unit is in `units` (dossiers.selectors.RUNNING)."""
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import RUNNING

    now = now or timezone.now()
    horizon = _horizon(now, units.order_by("depth").first())
    return (
        Dossier.objects.filter(
            status__in=RUNNING, due_at__isnull=False, due_at__lte=horizon, competent_unit__in=units
        )
        .select_related(
            "procedure_version__procedure", "competent_unit", "receiving_unit", "assignee"
        )
        .order_by("due_at", "pk")
    )


def warning_counts(units: QuerySet[OrgUnit], now: dt.datetime | None = None) -> list[WarningCount]:
    now = now or timezone.now()
    grouped = (
        warning_dossiers(units, now)
        .values("competent_unit_id")
        .order_by("competent_unit_id")
        .annotate(
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            due_soon=Count("pk", filter=Q(due_at__gte=now)),
        )
    )
    by_id = {u.pk: u for u in units}
    out = [
        WarningCount(by_id[g["competent_unit_id"]], g["due_soon"], g["overdue"])
        for g in grouped
        if g["competent_unit_id"] in by_id
    ]
    out.sort(key=lambda w: (-w.overdue, -w.due_soon, w.unit.name))
    return out
