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
or by the `deadline-sweep` hook after a week, quarter, half, nine months or year
closes), with the unit, procedure and stored judgement of the dossier's contribution,
so that the read is one grouped query. A recomputation is explicit and audited
(`motcua monitoring_period_judge --replace`); a rebuild drops the kept judgements (the
next read judges again, identically, under the rebuilt units). A running period's
judgement (at the computation time) is kept for RUNNING_TTL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
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


def _cached(header: PeriodJudgement, condition: Q) -> Iterator[Judged]:
    for values in PeriodDossierJudgement.objects.filter(condition, period=header).values_list(
        "dossier_id",
        "unit_id",
        "procedure_code",
        "unsatisfied",
        "stored_766",
        "stored_d61",
        "on_time_766",
        "on_time_d61",
    ):
        yield Judged(*values)


# A running period's kept judgement (judged at its computation time) is reused this
# long, as the live rows' flips are re-judged by the 15-minute deadline sweep.
RUNNING_TTL = dt.timedelta(minutes=15)


def period_judgement_compute(
    date_from: dt.date, date_to: dt.date, *, now: dt.datetime | None = None, replace: bool = False
) -> PeriodJudgement | None:
    """Judge the candidates of a period province-wide at min(now, end of the period)
    and keep them; returns the header (None for a period without candidates, e.g. a
    month). `replace` recomputes an existing one (for a closed period the caller
    audits it; a running period's is refreshed)."""
    now = now or timezone.now()
    if not needs_correction(date_from, date_to, now):
        return None
    existing = PeriodJudgement.objects.filter(start=date_from, end=date_to).first()
    if existing is not None and not replace:
        return existing
    judged = _judge(Q(), date_from, date_to, now)
    try:
        with transaction.atomic():
            if existing is not None:
                PeriodJudgement.objects.filter(pk=existing.pk).delete()
            header = PeriodJudgement.objects.create(
                start=date_from,
                end=date_to,
                judged_at=min(now, period_end_instant(date_to)),
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
                        unit_id=j.unit_id,
                        procedure_code=j.procedure_code,
                        stored_766=j.stored_766,
                        stored_d61=j.stored_d61,
                        unsatisfied=j.unsatisfied,
                    )
                    for j in judged
                ],
                batch_size=2000,
            )
    except IntegrityError:  # computed concurrently by another request or the job
        return PeriodJudgement.objects.get(start=date_from, end=date_to)
    if len(judged) > 5000 and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the planner's estimates for the reads
            cursor.execute(f"ANALYZE {PeriodDossierJudgement._meta.db_table}")
    return header


def _header(date_from: dt.date, date_to: dt.date, now: dt.datetime) -> PeriodJudgement | None:
    """The kept judgement of P, computed when missing, when a closed period was last
    judged while it ran, or when a running period's is older than RUNNING_TTL."""
    header = PeriodJudgement.objects.filter(start=date_from, end=date_to).first()
    end = period_end_instant(date_to)
    if header is not None:
        if end < now and header.judged_at >= end:
            return header  # final
        if end >= now and now - RUNNING_TTL <= header.computed_at <= now:
            return header
    return period_judgement_compute(date_from, date_to, now=now, replace=header is not None)


def judged_for(
    condition: Q, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> Iterable[Judged]:
    """The candidates of P in the units of `condition`, from the kept judgement
    (computed on first use; a running period's refreshed every RUNNING_TTL)."""
    now = now or timezone.now()
    if not needs_correction(date_from, date_to, now):
        return []
    header = _header(date_from, date_to, now)
    return [] if header is None else _cached(header, condition)


def _flag(field: str) -> Case:
    return Case(When(**{field: True}, then=Value(1)), default=Value(0), output_field=IntegerField())


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
    now = now or timezone.now()
    if not needs_correction(date_from, date_to, now):
        return []
    header = _header(date_from, date_to, now)
    if header is None:
        return []
    # (judged) − (stored as computed), summed in the database per (unit,) procedure;
    # 5.4's late_or_unsatisfied = unsatisfied or not on time (no change when unsatisfied)
    keys = ["unit_id"] if by_unit else []
    keys.append("procedure_code")
    sums = {}
    for reading in ("766", "d61"):
        judged, stored = _flag(f"on_time_{reading}"), _flag(f"stored_{reading}")
        # names unlike the model's fields (an annotation would shadow on_time_766)
        sums[f"delta_on_time_{reading}"] = Sum(judged - stored)
        sums[f"delta_late_or_unsatisfied_{reading}"] = Sum(
            Case(
                When(unsatisfied=True, then=Value(0)),
                default=stored - judged,
                output_field=IntegerField(),
            )
        )
    rows = (
        PeriodDossierJudgement.objects.filter(condition, period=header)
        .exclude(on_time_766=F("stored_766"), on_time_d61=F("stored_d61"))
        .values(*keys)
        .order_by()
        .annotate(**sums)
        .values_list(*keys, *(f"delta_{name}" for name in JUDGED_FIELDS))
    )
    index = [columns.index(name) for name in JUDGED_FIELDS]
    out = []
    for row in rows:
        vector = [0] * len(columns)
        for i, value in zip(index, row[len(keys) :], strict=True):
            vector[i] = int(value or 0)
        if any(vector):
            out.append((*row[: len(keys)], *vector))
    return out
