"""Feedback (PAKN) and satisfaction ratings → Decision 766 group 5 (law.md §4.4, §8.5).

Two inputs, both recomputed from the feedback tables (never incremented, so a refresh
is idempotent and the live rows equal the rebuilt ones):

* 5.1–5.3 — every feedback item is one `FeedbackFacts`, counted on the row
  (handling unit, procedure code "", local reception day). A change to an item
  recomputes the `fb_*` columns of its unit-day (and of its former unit-day when the
  item was transferred) from all the items of that unit-day.
* 5.4 — a dossier with a "Chưa hài lòng" rating or with a (not refused) feedback item
  about it counts against the unit (law.md §8.5, same rule as
  `feedback.selectors.dissatisfied_dossier_ids`): the dossier's contribution is
  refreshed, so `unsatisfied` / `late_or_unsatisfied_*` follow.

The feedback app is read-only here: the live path listens to `post_save` /
`post_delete` of its models (connected in apps.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.monitoring.indicators import (
    FEEDBACK_OTHER,
    FEEDBACK_REGULATION,
    FEEDBACK_STAFF,
    FeedbackFacts,
    feedback_counters,
    judging_instant,
)
from motcua.monitoring.models import UnitDayStats

logger = logging.getLogger(__name__)

FEEDBACK_CODE = ""  # the procedure code of the rows that hold feedback counters
FB_FIELDS: tuple[str, ...] = (
    "fb_received",
    "fb_regulation",
    "fb_staff",
    "fb_on_time",
    "fb_satisfied",
)
_FIELDS = (
    "handling_unit_id",
    "received_at",
    "kind",
    "verdict",
    "reopen_count",
    "status",
    "transferred_at",
    "accepted_at",
    "refused_at",
    "first_supplement_at",
    "awaiting_publication_at",
    "published_at",
)
UnitDay = tuple[int, dt.date]
# law.md §7.2 (deadlines of the national feedback system, working days): classify
# (accept or refuse) within 2, first request for more information within 5, reach
# "awaiting publication / published" within 15 — all from the submission or the latest
# transfer, never from the sender's supplement — and publish within 2 of "awaiting".
CLASSIFY_WD, ASK_MORE_WD, HANDLE_WD, PUBLISH_WD = 2, 5, 15, 2
CLOSED = ("published", "refused", "transferred_out")


def _classification(kind: str) -> str:
    from motcua.feedback.constants import FeedbackKind

    if kind == FeedbackKind.REGULATION:
        return FEEDBACK_REGULATION
    if kind == FeedbackKind.BEHAVIOUR:
        return FEEDBACK_STAFF
    return FEEDBACK_OTHER


def _deadline(start: dt.datetime, working_days: int, calendar: Any) -> dt.datetime:
    """End of the n-th working day after `start` (local)."""
    from motcua.workdays.calendar import CalendarError

    day = timezone.localtime(start).date()
    try:
        due = calendar.next_working_day(day, working_days)
    except CalendarError:  # outside the calendar's years: five working days a week
        due = day + dt.timedelta(days=working_days + 2 * ((working_days + day.weekday()) // 5))
    return timezone.make_aware(dt.datetime.combine(due, dt.time.max))


def on_time_feedback(
    *,
    received_at: dt.datetime,
    transferred_at: dt.datetime | None,
    accepted_at: dt.datetime | None,
    refused_at: dt.datetime | None,
    first_supplement_at: dt.datetime | None,
    awaiting_publication_at: dt.datetime | None,
    published_at: dt.datetime | None,
    status: str,
    as_of: dt.datetime,
    calendar: Any,
) -> bool:
    """5.2 (law.md §7.2): every deadline met, judged at the end of the reception month
    (`indicators.judging_instant`): an item still open then and past a deadline is
    late; steps taken after that instant do not count."""
    judged = judging_instant(timezone.localtime(received_at), as_of)

    def by_j(moment: dt.datetime | None) -> dt.datetime | None:
        return moment if moment is not None and moment <= judged else None

    start = received_at
    if transferred_at is not None and transferred_at > start and status != "transferred_out":
        start = transferred_at  # the latest transfer restarts the clocks
    asked = by_j(first_supplement_at)
    if asked is not None:
        # asking for more information is the first answer: within 5 working days; the
        # sender's supplement does not restart the 15-day clock
        if asked > _deadline(start, ASK_MORE_WD, calendar):
            return False
    else:
        classified = by_j(refused_at) or by_j(accepted_at)
        if (classified or judged) > _deadline(start, CLASSIFY_WD, calendar):
            return False
    if by_j(refused_at) is not None:
        return True
    handled = by_j(awaiting_publication_at) or (
        by_j(transferred_at) if status == "transferred_out" else None
    )
    handled = handled or by_j(published_at)
    if (handled or judged) > _deadline(start, HANDLE_WD, calendar):
        return False
    if handled is not None and by_j(awaiting_publication_at) is not None:
        published = by_j(published_at)
        if (published or judged) > _deadline(handled, PUBLISH_WD, calendar):
            return False
    return True


def facts_of_feedback(
    *,
    received_at: dt.datetime,
    kind: str,
    on_time: bool,
    verdict: str,
    reopen_count: int,
) -> FeedbackFacts:
    """5.2: on time per `on_time_feedback`; 5.3: the sender's "dislike", a re-opening
    (re-raised about the result) or late handling counts against."""
    return FeedbackFacts(
        received_at=timezone.localtime(received_at),
        classification=_classification(kind),
        handled_on_time=on_time,
        rated_unsatisfied=verdict == "unsatisfied",
        re_raised=reopen_count > 0,
    )


def _counters(rows: Iterable[tuple[Any, ...]], as_of: dt.datetime | None = None) -> dict[str, int]:
    from motcua.workdays.selectors import get_calendar

    as_of = as_of or timezone.now()
    calendar = get_calendar()
    out = dict.fromkeys(FB_FIELDS, 0)
    for row in rows:
        values = dict(zip(_FIELDS, row, strict=True))
        on_time = on_time_feedback(
            received_at=values["received_at"],
            transferred_at=values["transferred_at"],
            accepted_at=values["accepted_at"],
            refused_at=values["refused_at"],
            first_supplement_at=values["first_supplement_at"],
            awaiting_publication_at=values["awaiting_publication_at"],
            published_at=values["published_at"],
            status=values["status"],
            as_of=as_of,
            calendar=calendar,
        )
        facts = facts_of_feedback(
            received_at=values["received_at"],
            kind=values["kind"],
            on_time=on_time,
            verdict=values["verdict"] or "",
            reopen_count=values["reopen_count"] or 0,
        )
        for name, value in feedback_counters(facts).items():
            out[name] += value
    return out


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), tz)
    return start, end


def unit_day_feedback_refresh(*, unit_id: int, day: dt.date) -> dict[str, int]:
    """Recompute the `fb_*` columns of one (aggregate unit, local day) from the
    feedback table; rolled-forward units count on their target. Idempotent."""
    from motcua.feedback.models import Feedback
    from motcua.monitoring.services import day_stats_set
    from motcua.monitoring.updater import roll_forward_map

    units = roll_forward_map()
    target = units.get(unit_id, unit_id)
    sources = {s for s, t in units.items() if t == target} | {target}
    start, end = _day_bounds(day)
    rows = Feedback.objects.filter(
        handling_unit_id__in=sources, received_at__gte=start, received_at__lt=end
    ).values_list(*_FIELDS)
    counters = _counters(rows)
    day_stats_set(unit=target, procedure_code=FEEDBACK_CODE, day=day, values=counters)
    return counters


def compute_feedback_rows() -> dict[UnitDay, dict[str, int]]:
    """`fb_*` counters of every (aggregate unit, local reception day), in bulk."""
    from motcua.feedback.models import Feedback
    from motcua.monitoring.updater import roll_forward_map

    units = roll_forward_map()
    grouped: dict[UnitDay, list[tuple[Any, ...]]] = {}
    for row in Feedback.objects.values_list(*_FIELDS).iterator(chunk_size=2000):
        unit_id = units.get(row[0], row[0])
        grouped.setdefault((unit_id, timezone.localtime(row[1]).date()), []).append(row)
    return {key: _counters(rows) for key, rows in grouped.items()}


def feedback_rows_rebuild() -> int:
    """Write the `fb_*` columns of every feedback unit-day (after `updater.rebuild`
    recreated the dossier rows). Returns the number of unit-days with feedback."""
    computed = compute_feedback_rows()
    existing = {
        (row.unit_id, row.day): row
        for row in UnitDayStats.objects.filter(procedure_code=FEEDBACK_CODE)
    }
    to_update, to_create = [], []
    for (unit_id, day), counters in computed.items():
        row = existing.get((unit_id, day))
        if row is None:
            to_create.append(
                UnitDayStats(unit_id=unit_id, procedure_code=FEEDBACK_CODE, day=day, **counters)
            )
        else:
            for name, value in counters.items():
                setattr(row, name, value)
            to_update.append(row)
    UnitDayStats.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        UnitDayStats.objects.bulk_update(to_update, list(FB_FIELDS), batch_size=1000)
    return len(computed)


def feedback_sweep(slot: dt.datetime | None = None) -> int:
    """Scheduler hook (deadline sweep): re-judge the unit-days of feedback items still
    open and received this month or last (those whose months are still being judged;
    an open item becomes late when a deadline passes). Returns the unit-days refreshed."""
    from motcua.feedback.models import Feedback

    today = timezone.localdate()
    since = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start, _end = _day_bounds(since)
    unit_days = {
        (unit_id, timezone.localtime(received).date())
        for unit_id, received in Feedback.objects.filter(received_at__gte=start)
        .exclude(status__in=CLOSED)
        .values_list("handling_unit_id", "received_at")
        if unit_id is not None
    }
    for unit_id, day in unit_days:
        with transaction.atomic():
            unit_day_feedback_refresh(unit_id=unit_id, day=day)
    return len(unit_days)


def dossier_dissatisfaction(dossier_ids: Iterable[int]) -> dict[int, tuple[bool, bool]]:
    """dossier id → (rated "Chưa hài lòng", feedback about it) for the dossiers that
    have either (law.md §8.5; a refused feedback item does not count)."""
    from motcua.feedback.constants import FeedbackStatus, RatingLevel
    from motcua.feedback.models import Feedback, SatisfactionRating

    ids = list(dossier_ids)
    if not ids:
        return {}
    rated = set(
        SatisfactionRating.objects.filter(
            dossier_id__in=ids, level=RatingLevel.UNSATISFIED
        ).values_list("dossier_id", flat=True)
    )
    reported = set(
        Feedback.objects.filter(dossier_id__in=ids)
        .exclude(status=FeedbackStatus.REFUSED)
        .values_list("dossier_id", flat=True)
    )
    return {pk: (pk in rated, pk in reported) for pk in rated | reported}


# --- live receivers (connected in apps.py) ------------------------------------------


def _refresh(unit_days: Iterable[UnitDay], dossier_ids: Iterable[int | None]) -> None:
    """Refresh in a savepoint: a failure must not break the feedback flow; it is
    logged and `motcua monitoring_rebuild` repairs the aggregates."""
    from motcua.monitoring.updater import dossier_contribution_refresh

    try:
        with transaction.atomic():
            for unit_id, day in set(unit_days):
                unit_day_feedback_refresh(unit_id=unit_id, day=day)
            for pk in {pk for pk in dossier_ids if pk is not None}:
                dossier_contribution_refresh(dossier_id=pk)
    except Exception:  # pragma: no cover - defensive
        logger.exception("monitoring: could not refresh feedback aggregates")


def _unit_day(unit_id: int | None, received_at: dt.datetime | None) -> list[UnitDay]:
    if unit_id is None or received_at is None:
        return []
    return [(unit_id, timezone.localtime(received_at).date())]


def on_feedback_pre_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Remember where the item counted before the save (a transfer moves it)."""
    if raw or instance.pk is None:
        return
    instance._monitoring_before = (
        type(instance)
        .objects.filter(pk=instance.pk)
        .values_list("handling_unit_id", "received_at", "dossier_id")
        .first()
    )


def on_feedback_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_monitoring_before", None) or (None, None, None)
    unit_days = _unit_day(instance.handling_unit_id, instance.received_at)
    unit_days += _unit_day(before[0], before[1])
    _refresh(unit_days, [instance.dossier_id, before[2]])


def on_feedback_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _refresh(_unit_day(instance.handling_unit_id, instance.received_at), [instance.dossier_id])


def on_rating_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    _refresh([], [instance.dossier_id])
