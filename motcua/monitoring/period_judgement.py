"""Judging open dossiers at the end of the period queried (law.md §4.4, issue 19).

The stored rows (UnitDayStats / UnitMonthStats, DossierContribution) judge every
dossier at the end of its **reception month** (`indicators.judging_instant`), which is
the law for a month. For any other period P (week, quarter, half, nine months, year,
custom) a dossier without a terminal status is judged at the end of P's last day
(Asia/Ho_Chi_Minh), or now while P runs: J_P = min(now, end of P).

Figures of P = Σ stored rows of the dossiers received in P + a correction over the only
dossiers whose judgement can differ: received in a month slice of P whose stored
instant J_m (its month's end, or now for the running month) is not J_P, and not ended
(finished, returned, refused, stopped, withdrawn) by min(J_m, J_P) — an ended
dossier's judgement is final. For each, the correction is (judged at J_P) − (the
stored contribution) on the four judgement-dependent counters (2.1 on time under both
readings and 5.4's "late or unsatisfied"); every other counter (completion, 2.2, sync,
payments, …) does not depend on the instant. A month P (or any P ending on the last day
of its only month) has no such dossier: months read exactly the stored rows.

Closed periods (end of P before now): the judgement at J_P only reads statuses and
supplements reached by J_P, so it never changes; it is computed once, province-wide,
and kept per dossier in `PeriodJudgement`/`PeriodDossierJudgement` (on the first query,
or by the nightly `period-judgements` job after a week, quarter, half, nine months or
year closes). A recomputation is explicit and audited
(`motcua monitoring_period_judge --replace`). The running period is judged live. The
read compares the cached judgement with the *current* contribution, so a later rating
or a rebuild under new units stays consistent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.monitoring.indicators import month_end, on_time_766, on_time_d61
from motcua.monitoring.models import (
    DossierContribution,
    PeriodDossierJudgement,
    PeriodJudgement,
)
from motcua.monitoring.updater import CLOSED, FINISHED, DossierRow, facts_of

# The counters whose value depends on the judging instant (indicators.dossier_counters).
JUDGED_FIELDS = (
    "on_time_766",
    "on_time_d61",
    "late_or_unsatisfied_766",
    "late_or_unsatisfied_d61",
)


def period_end_instant(date_to: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The end of the period's last day (23:59:59.999999 local time)."""
    tz = tz or timezone.get_current_timezone()
    return dt.datetime.combine(date_to, dt.time.max, tzinfo=tz)


def _slices(
    date_from: dt.date, date_to: dt.date, now: dt.datetime, tz: dt.tzinfo
) -> list[tuple[dt.date, dt.date, dt.datetime]]:
    """(first day, last day, threshold) of the month slices of P whose dossiers can be
    judged differently at J_P than in the stored rows; threshold = min(J_m, J_P)."""
    judged_p = min(now, period_end_instant(date_to, tz))
    out = []
    start = date_from
    while start <= date_to:
        end_m = month_end(dt.datetime.combine(start, dt.time.min, tzinfo=tz))
        last = min(date_to, end_m.date())
        judged_m = min(now, end_m)  # the stored rows' instant (now: the running month)
        if judged_m != judged_p:
            out.append((start, last, min(judged_m, judged_p)))
        start = end_m.date() + dt.timedelta(days=1)
    return out


def needs_correction(date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None) -> bool:
    tz = timezone.get_current_timezone()
    return bool(_slices(date_from, date_to, now or timezone.now(), tz))


def _ended_by(moment: dt.datetime) -> Q:
    """The dossier had a terminal status by `moment` (updater.facts_of's end times)."""
    return Q(dossier__status__in=FINISHED | CLOSED, dossier__completed_at__lte=moment) | Q(
        dossier__status="result_returned", dossier__returned_at__lte=moment
    )


def _candidates(condition: Q, slices: list[tuple[dt.date, dt.date, dt.datetime]]) -> Q:
    where = Q(pk__in=[])
    for first, last, threshold in slices:
        where |= Q(day__gte=first, day__lte=last) & ~_ended_by(threshold)
    return condition & where


@dataclass(frozen=True)
class Judged:
    """One candidate dossier: where it is counted now, and its two judgements."""

    dossier_id: int
    unit_id: int
    procedure_code: str
    unsatisfied: bool
    stored_766: bool
    stored_d61: bool
    on_time_766: bool
    on_time_d61: bool


# The dossier fields the judgement reads (updater.facts_of: statuses, due dates,
# supplements); the others are irrelevant to the four judged counters.
_DOSSIER = (
    "pk",
    "status",
    "received_at",
    "due_at",
    "original_due_at",
    "extended_at",
    "due_before_extension",
    "completed_at",
    "returned_at",
    "supplement_count",
)
_STORED = ("unit_id", "procedure_code", "on_time_766", "on_time_d61", "counters__unsatisfied")


def _judge(condition: Q, date_from: dt.date, date_to: dt.date, now: dt.datetime) -> list[Judged]:
    """The candidates of P in the units of `condition` judged at J_P (two queries)."""
    from motcua.dossiers.models import DossierPause

    tz = timezone.get_current_timezone()
    slices = _slices(date_from, date_to, now, tz)
    if not slices:
        return []
    period_end = period_end_instant(date_to, tz)
    fields = [f"dossier__{f}" for f in _DOSSIER]
    rows: dict[int, tuple[DossierRow, tuple[Any, ...]]] = {}
    for values in DossierContribution.objects.filter(_candidates(condition, slices)).values_list(
        *fields, *_STORED
    ):
        stored = values[len(fields) :]
        d = DossierRow(
            **dict(zip(_DOSSIER, values, strict=False)),
            channel="",
            competent_unit_id=stored[0],
            procedure_code=stored[1],
            return_channel="",
            form_answers={},
            result_files=[],
        )
        rows[d.pk] = (d, stored)
    if not rows:
        return []
    for pk, kind, started, ended in (
        DossierPause.objects.filter(dossier_id__in=list(rows), kind="supplement")
        .order_by("started_at", "pk")
        .values_list("dossier_id", "kind", "started_at", "ended_at")
    ):
        rows[pk][0].pauses.append((kind, started, ended))
    out = []
    for d, (unit_id, code, s766, sd61, unsatisfied) in rows.values():
        facts = facts_of(d, tz, now, period_end)
        if facts is None:
            continue
        out.append(
            Judged(
                dossier_id=d.pk,
                unit_id=unit_id,
                procedure_code=code,
                unsatisfied=bool(unsatisfied),
                stored_766=s766,
                stored_d61=sd61,
                on_time_766=on_time_766(facts, now, period_end),
                on_time_d61=on_time_d61(facts, now, period_end),
            )
        )
    return out


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` with every lookup under `prefix` (Q(unit=…) → Q(<prefix>unit=…))."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefixed(child, prefix))
        else:
            lookup, value = child  # type: ignore[misc]
            out.children.append((prefix + lookup, value))
    return out


def _cached(header: PeriodJudgement, condition: Q) -> Iterator[Judged]:
    prefix = "dossier__monitoring_contribution__"
    for values in PeriodDossierJudgement.objects.filter(
        _prefixed(condition, prefix), period=header
    ).values_list("dossier_id", *(prefix + f for f in _STORED), "on_time_766", "on_time_d61"):
        pk, unit_id, code, s766, sd61, unsatisfied, j766, jd61 = values
        yield Judged(pk, unit_id, code, bool(unsatisfied), s766, sd61, j766, jd61)


def period_judgement_compute(
    date_from: dt.date, date_to: dt.date, *, now: dt.datetime | None = None, replace: bool = False
) -> PeriodJudgement | None:
    """Judge the candidates of a closed period province-wide and keep them; returns the
    header (None for a running period or one without candidates). `replace` recomputes
    an existing one (the caller audits it)."""
    now = now or timezone.now()
    if period_end_instant(date_to) >= now or not needs_correction(date_from, date_to, now):
        return None
    existing = PeriodJudgement.objects.filter(start=date_from, end=date_to).first()
    if existing is not None and not replace:
        return existing
    judged = _judge(Q(), date_from, date_to, now)
    try:
        with transaction.atomic():
            if existing is not None:
                existing.delete()
            header = PeriodJudgement.objects.create(
                start=date_from,
                end=date_to,
                judged_at=period_end_instant(date_to),
                computed_at=now,
                dossiers=len(judged),
            )
            PeriodDossierJudgement.objects.bulk_create(
                [
                    PeriodDossierJudgement(
                        period=header,
                        dossier_id=j.dossier_id,
                        on_time_766=j.on_time_766,
                        on_time_d61=j.on_time_d61,
                    )
                    for j in judged
                ],
                batch_size=2000,
            )
    except IntegrityError:  # computed concurrently by another request or the job
        return PeriodJudgement.objects.get(start=date_from, end=date_to)
    return header


def judged_for(
    condition: Q, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> Iterable[Judged]:
    """The candidates of P in the units of `condition`: from the kept judgement of a
    closed period (computed on first use), live for the running one."""
    now = now or timezone.now()
    if not needs_correction(date_from, date_to, now):
        return []
    if period_end_instant(date_to) < now:
        header = PeriodJudgement.objects.filter(start=date_from, end=date_to).first()
        if header is None:
            header = period_judgement_compute(date_from, date_to, now=now)
        return [] if header is None else _cached(header, condition)
    return _judge(condition, date_from, date_to, now)


def correction_rows(
    condition: Q,
    date_from: dt.date,
    date_to: dt.date,
    by_unit: bool,
    columns: tuple[str, ...],
    now: dt.datetime | None = None,
) -> list[tuple[Any, ...]]:
    """Rows shaped like the selectors' grouped rows ((unit id,) procedure code, the
    values of `columns`) holding (judged at J_P) − (stored) of the candidates."""
    index = {name: columns.index(name) for name in JUDGED_FIELDS}
    sums: dict[tuple[Any, ...], list[int]] = {}
    for j in judged_for(condition, date_from, date_to, now):
        if j.on_time_766 == j.stored_766 and j.on_time_d61 == j.stored_d61:
            continue
        key = (j.unit_id, j.procedure_code) if by_unit else (j.procedure_code,)
        vector = sums.setdefault(key, [0] * len(columns))
        vector[index["on_time_766"]] += int(j.on_time_766) - int(j.stored_766)
        vector[index["on_time_d61"]] += int(j.on_time_d61) - int(j.stored_d61)
        if not j.unsatisfied:  # late_or_unsatisfied = unsatisfied or not on time
            vector[index["late_or_unsatisfied_766"]] += int(j.stored_766) - int(j.on_time_766)
            vector[index["late_or_unsatisfied_d61"]] += int(j.stored_d61) - int(j.on_time_d61)
    return [(*key, *vector) for key, vector in sums.items()]
