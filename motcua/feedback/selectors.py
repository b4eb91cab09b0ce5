"""Reads of feedback and ratings. Every officer-facing list, page, search, count and
API endpoint starts from `feedback_visible_to(user)`, so a rule written once hides a
behaviour complaint everywhere (issue 8)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.feedback import deadlines, workflow
from motcua.feedback.constants import FeedbackKind, FeedbackStatus, RatingLevel
from motcua.feedback.models import Feedback, FeedbackEvent, SatisfactionRating
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import active_assignments, units_visible_to
from motcua.workdays.calendar import WorkCalendar
from motcua.workdays.selectors import (
    DeadlineStatus,
    deadline_status,
    get_calendar,
    get_calendars,
)

# Officers who handle feedback and approve answers (Decree 20/2008 Art. 14).
LEADING_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR})
# Below this many ratings, no per-officer figure is shown (raters stay unidentifiable).
MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class Scope:
    """Where an officer acts: units they lead (own unit), units they supervise
    (subtree paths) and units where they are ordinary staff."""

    led_unit_ids: frozenset[int]
    supervised_paths: tuple[str, ...]
    staff_unit_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not (self.led_unit_ids or self.supervised_paths or self.staff_unit_ids)


def officer_scope(user: Any) -> Scope:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_officer", False):
        return Scope(frozenset(), (), frozenset())
    led: set[int] = set()
    paths: list[str] = []
    staff: set[int] = set()
    for assignment in active_assignments(user):
        if assignment.role == Role.ADMINISTRATOR:
            continue  # a technical role: no access to the content of feedback
        if assignment.role == Role.SUPERVISOR:
            paths.append(assignment.unit.path)
        elif assignment.role == Role.LEADER:
            led.add(assignment.unit_id)
        else:
            staff.add(assignment.unit_id)
    return Scope(frozenset(led), tuple(paths), frozenset(staff))


def _leading_condition(scope: Scope) -> Q:
    condition = Q(handling_unit_id__in=list(scope.led_unit_ids))
    for path in scope.supervised_paths:
        condition |= Q(handling_unit__path__startswith=path)
    return condition


def feedback_visible_to(user: Any) -> QuerySet[Feedback]:
    """Feedback an officer may list, open, search or count.

    * leaders see items handled by their unit, supervisors items handled anywhere in
      their subtree;
    * ordinary staff (receptionist, specialist, clerk) see the regulation/dossier items
      handled by their own unit, never behaviour complaints;
    * whatever the role: never an item whose subject they are or from which they are
      excluded (officers who acted on the dossier complained about), and never a
      behaviour complaint about a unit where they are ordinary staff.
    """
    scope = officer_scope(user)
    if scope.is_empty:
        return Feedback.objects.none()
    condition = _leading_condition(scope) | (
        Q(handling_unit_id__in=list(scope.staff_unit_ids)) & ~Q(kind=FeedbackKind.BEHAVIOUR)
    )
    qs = Feedback.objects.filter(condition).exclude(subject_officer=user)
    qs = qs.exclude(pk__in=Feedback.objects.filter(exclusions__user=user).values("pk"))
    if scope.staff_unit_ids:
        qs = qs.exclude(kind=FeedbackKind.BEHAVIOUR, subject_unit_id__in=list(scope.staff_unit_ids))
    return qs.select_related("handling_unit", "handler", "dossier")


def actor_kind(user: Any, feedback: Feedback) -> str | None:
    """ "approver", "handler" or None for an officer on a given (visible) item."""
    if not feedback_visible_to(user).filter(pk=feedback.pk).exists():
        return None
    scope = officer_scope(user)
    unit = feedback.handling_unit
    if unit.pk in scope.led_unit_ids or any(
        unit.path.startswith(p) for p in scope.supervised_paths
    ):
        return workflow.APPROVER
    return workflow.HANDLER


def search_feedback(
    qs: QuerySet[Feedback], *, q: str = "", status: str = "", kind: str = ""
) -> QuerySet[Feedback]:
    if q:
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(title__icontains=q)
            | Q(content__icontains=q)
            | Q(dossier__code__icontains=q)
        )
    if status == "open":
        qs = qs.filter(status__in=workflow.OPEN)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def feedback_queue(user: Any, **filters: str) -> QuerySet[Feedback]:
    return search_feedback(feedback_visible_to(user), **filters).order_by("handle_due_at", "pk")


def feedback_count(user: Any, **filters: str) -> int:
    return search_feedback(feedback_visible_to(user), **filters).count()


def feedback_for_citizen(user: Any) -> QuerySet[Feedback]:
    if not getattr(user, "is_authenticated", False):
        return Feedback.objects.none()
    return (
        Feedback.objects.filter(submitter=user)
        .select_related("dossier")
        .order_by("-received_at", "-pk")
    )


def published_feedback() -> QuerySet[Feedback]:
    """Answers published on the portal (anonymised text only)."""
    return Feedback.objects.filter(status=FeedbackStatus.PUBLISHED, is_public=True).order_by(
        "-published_at"
    )


def citizen_events(feedback: Feedback) -> QuerySet[FeedbackEvent]:
    return feedback.events.all()


# --- Deadlines (law.md §7.2) ---------------------------------------------------


@dataclass(frozen=True)
class DeadlineInfo:
    deadlines: deadlines.Deadlines
    running: str
    due: dt.datetime | None
    status: DeadlineStatus | None


def feedback_deadlines(
    feedback: Feedback, now: dt.datetime | None = None, *, calendar: WorkCalendar | None = None
) -> DeadlineInfo:
    if calendar is None:
        calendar = get_calendar(feedback.handling_unit)
    values = deadlines.compute(
        calendar,
        clock_start=feedback.clock_started_at,
        publication_start=feedback.awaiting_publication_at,
    )
    running, due = deadlines.running_deadline(feedback.status, values)
    status = None
    if running:
        status = deadline_status(
            due=due,
            now=now,
            unit=feedback.handling_unit,
            paused=running == "paused",
            calendar=calendar,
        )
    return DeadlineInfo(values, running, due, status)


def with_deadline_status(items: list[Feedback], now: dt.datetime | None = None) -> list[Feedback]:
    """Attach `deadline` (a DeadlineInfo) to each item, for worklists: one calendar
    lookup for all the units of the page, not two per row."""
    calendars = get_calendars(item.handling_unit for item in items) if items else {}
    for item in items:
        item.deadline = feedback_deadlines(  # type: ignore[attr-defined]
            item, now, calendar=calendars[item.handling_unit_id]
        )
    return items


# --- Reports ----------------------------------------------------------------------


@dataclass
class FeedbackRow:
    unit: OrgUnit
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    open: int = 0
    open_overdue: int = 0
    handled_on_time: int = 0
    handled_late: int = 0
    published: int = 0
    unsatisfied: int = 0


def feedback_counts_by_unit(
    *,
    start: dt.date,
    end: dt.date,
    user: Any = None,
    units: QuerySet[OrgUnit] | None = None,
    now: dt.datetime | None = None,
) -> list[FeedbackRow]:
    """Feedback received in [start, end] per handling unit, by type and timeliness.
    With `user`, only what that officer may see (the subject of a complaint cannot
    count it); monitoring can call it without a user for system-wide figures."""
    now = now or timezone.now()
    qs = feedback_visible_to(user) if user is not None else Feedback.objects.all()
    qs = qs.filter(received_at__date__gte=start, received_at__date__lte=end)
    if units is not None:
        qs = qs.filter(handling_unit__in=units)
    rows: dict[int, FeedbackRow] = {}
    values = qs.values_list(
        "handling_unit_id", "kind", "status", "handle_due_at", "handled_late", "verdict"
    )
    unit_ids = set()
    data = list(values)
    for unit_id, *_ in data:
        unit_ids.add(unit_id)
    unit_map = OrgUnit.objects.in_bulk(unit_ids)
    for unit_id, kind, status, due, late, verdict in data:
        row = rows.setdefault(unit_id, FeedbackRow(unit=unit_map[unit_id]))
        row.total += 1
        row.by_kind[kind] = row.by_kind.get(kind, 0) + 1
        if status in workflow.OPEN:
            row.open += 1
            if status in workflow.HANDLING and due < now:
                row.open_overdue += 1
        if late is True:
            row.handled_late += 1
        elif late is False:
            row.handled_on_time += 1
        if status == FeedbackStatus.PUBLISHED:
            row.published += 1
        if verdict == "unsatisfied":
            row.unsatisfied += 1
    return sorted(rows.values(), key=lambda r: r.unit.path)


def rating_counts_by_unit_day(
    *, start: dt.date, end: dt.date, units: QuerySet[OrgUnit] | None = None
) -> list[dict[str, Any]]:
    """Number of ratings per unit, local day, stage and level — the input monitoring
    needs for KPI 5.4 (law.md §8.5). Rows: {unit_id, day, stage, level, count}."""
    qs = SatisfactionRating.objects.filter(rated_at__date__gte=start, rated_at__date__lte=end)
    if units is not None:
        qs = qs.filter(unit__in=units)
    rows = (
        qs.annotate(day=TruncDate("rated_at", tzinfo=timezone.get_current_timezone()))
        .values("unit_id", "day", "stage", "level")
        .annotate(count=Count("pk"))
        .order_by("unit_id", "day", "stage", "level")
    )
    return [dict(row) for row in rows]


@dataclass
class RatingSummary:
    unit: OrgUnit
    total: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    criteria: dict[str, dict[str, int]] = field(default_factory=dict)
    # (officer name, total, levels) — only groups of at least MIN_GROUP_SIZE ratings.
    officers: list[tuple[str, int, dict[str, int]]] = field(default_factory=list)
    hidden_officer_groups: int = 0

    def share(self, level: str) -> float:
        return round(100 * self.levels.get(level, 0) / self.total, 1) if self.total else 0.0

    @property
    def level_rows(self) -> list[tuple[str, str, int, float]]:
        return [
            (value, str(label), self.levels.get(value, 0), self.share(value))
            for value, label in RatingLevel.choices
        ]


def rating_summary_for(user: Any, *, start: dt.date, end: dt.date) -> list[RatingSummary]:
    """Aggregates of ratings for the units an officer sees (units_visible_to). Never
    exposes the rater; per-officer figures only for groups of ≥ MIN_GROUP_SIZE and only
    to leaders/supervisors (an officer cannot learn who rated them)."""
    scope = officer_scope(user)
    units = units_visible_to(user)
    qs = SatisfactionRating.objects.filter(
        unit__in=units, rated_at__date__gte=start, rated_at__date__lte=end
    ).values_list("unit_id", "level", "criteria", "officer_id", "officer__full_name")
    summaries: dict[int, RatingSummary] = {}
    per_officer: dict[int, dict[tuple[int, str], dict[str, int]]] = defaultdict(dict)
    unit_map = {u.pk: u for u in units}
    for unit_id, level, criteria, officer_id, officer_name in qs:
        summary = summaries.setdefault(unit_id, RatingSummary(unit=unit_map[unit_id]))
        summary.total += 1
        summary.levels[level] = summary.levels.get(level, 0) + 1
        for criterion, value in (criteria or {}).items():
            bucket = summary.criteria.setdefault(criterion, {})
            bucket[value] = bucket.get(value, 0) + 1
        if officer_id:
            counts = per_officer[unit_id].setdefault((officer_id, officer_name or ""), {})
            counts[level] = counts.get(level, 0) + 1
    may_see_officers = bool(scope.led_unit_ids or scope.supervised_paths)
    for unit_id, summary in summaries.items():
        for (_officer_id, name), counts in sorted(
            per_officer[unit_id].items(), key=lambda i: i[0][1]
        ):
            total = sum(counts.values())
            if may_see_officers and total >= MIN_GROUP_SIZE:
                summary.officers.append((name, total, counts))
            else:
                summary.hidden_officer_groups += 1
    return sorted(summaries.values(), key=lambda s: s.unit.path)


def dissatisfied_dossier_ids(*, start: dt.date, end: dt.date) -> set[int]:
    """Dossiers with a "Chưa hài lòng" rating or with feedback received in [start, end]:
    Decision 766 KPI 5.4 counts them against the unit (law.md §8.5)."""
    rated = SatisfactionRating.objects.filter(
        level=RatingLevel.UNSATISFIED, rated_at__date__gte=start, rated_at__date__lte=end
    ).values_list("dossier_id", flat=True)
    reported = (
        Feedback.objects.filter(
            dossier__isnull=False, received_at__date__gte=start, received_at__date__lte=end
        )
        .exclude(status=FeedbackStatus.REFUSED)
        .values_list("dossier_id", flat=True)
    )
    return {pk for pk in [*rated, *reported] if pk is not None}


def rating_exists(dossier_id: int, stage: str) -> bool:
    return SatisfactionRating.objects.filter(dossier_id=dossier_id, stage=stage).exists()


def rated_stages(dossier_ids: list[int]) -> set[tuple[int, str]]:
    """(dossier id, stage) of the ratings given on these dossiers, in one query."""
    return set(
        SatisfactionRating.objects.filter(dossier_id__in=dossier_ids).values_list(
            "dossier_id", "stage"
        )
    )
