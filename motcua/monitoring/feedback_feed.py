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
_FIELDS = ("handling_unit_id", "received_at", "kind", "handled_late", "verdict", "reopen_count")
UnitDay = tuple[int, dt.date]


def _classification(kind: str) -> str:
    from motcua.feedback.constants import FeedbackKind

    if kind == FeedbackKind.REGULATION:
        return FEEDBACK_REGULATION
    if kind == FeedbackKind.BEHAVIOUR:
        return FEEDBACK_STAFF
    return FEEDBACK_OTHER


def facts_of_feedback(
    *,
    received_at: dt.datetime,
    kind: str,
    handled_late: bool | None,
    verdict: str,
    reopen_count: int,
) -> FeedbackFacts:
    """5.2: late only once the handling was judged late (`handled_late`, law.md
    §7.2); 5.3: the sender's "dislike" or a re-opening (re-raised about the result)
    counts against."""
    return FeedbackFacts(
        received_at=timezone.localtime(received_at),
        classification=_classification(kind),
        handled_on_time=handled_late is not True,
        rated_unsatisfied=verdict == "unsatisfied",
        re_raised=reopen_count > 0,
    )


def _counters(rows: Iterable[tuple[Any, ...]]) -> dict[str, int]:
    out = dict.fromkeys(FB_FIELDS, 0)
    for _unit, received_at, kind, late, verdict, reopens in rows:
        facts = facts_of_feedback(
            received_at=received_at,
            kind=kind,
            handled_late=late,
            verdict=verdict or "",
            reopen_count=reopens or 0,
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
