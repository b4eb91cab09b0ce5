"""Per-unit catalogue facts of Decision 766 (law.md §4.4): which procedures are in a
unit's competence on each day and what the version in force then offers — 1.3 (content
complete, published), 3.1 (offered online / in competence), 3.2 (online services),
3.5/3.5b (fee-bearing), 4.5a (citizen-facing).

They come from the catalogue only, effective-dated (`Competence.valid_from/valid_to`
× the version in force, `catalog.selectors.version_in_force`), never from dossiers: a
procedure in a unit's competence with no dossier in the period is still in 3.1's
denominator. Stored as `UnitCatalogueSpan` rows (unit, procedure, [from, to], flags),
rewritten per procedure on every catalogue save (version, competence) and wholesale by
the rebuild; the selectors add the spans overlapping a period to the day and month rows
(a flag counts when present on any day of the period, as the day-row flags do)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from motcua.monitoring.indicators import CATALOGUE_SETS, INT_FIELDS, STATE_SETS

STATE_FLAGS = STATE_SETS  # the flags a span holds (1.1/1.2: dated, on day rows)
Flags = tuple[int, ...]  # values of STATE_FLAGS, in that order


def version_flags(versions: QuerySet[Any]) -> Iterator[tuple[int, str, int, dict[str, int]]]:
    """(version pk, procedure code, number, `cat_*` state flags) of each version:
    competence, online service level, fees, subjects, and the parts of 1.3."""
    from motcua.catalog.constants import OnlineMode, TimeUnit

    rows = versions.annotate(
        fees=Count("fee_rules", filter=Q(fee_rules__amount__gt=0), distinct=True),
        parts=Count("components", filter=Q(components__quantity__gt=0), distinct=True),
        agencies=Count(
            "procedure__competences",
            filter=Q(procedure__competences__is_competent=True),
            distinct=True,
        ),
    ).values(
        "pk",
        "procedure__code",
        "number",
        "online_mode",
        "full_process_eligible",
        "subjects",
        "fees",
        "result_name",
        "processing_time_value",
        "processing_time_unit",
        "name",
        "steps_description",
        "methods_description",
        "parts",
        "agencies",
    )
    same_day = TimeUnit.SAME_DAY
    for v in rows.order_by("procedure__code", "number"):
        mode = v["online_mode"]
        subjects = v["subjects"] or []
        yield (
            v["pk"],
            v["procedure__code"],
            v["number"],
            {
                "cat_in_competence": 1,
                "cat_online_partial": int(mode == OnlineMode.PARTIAL),
                "cat_online_full": int(mode == OnlineMode.FULL),
                "cat_full_eligible": int(bool(v["full_process_eligible"])),
                "cat_online_service": int(mode != OnlineMode.NONE),
                "cat_fee_bearing": int(v["fees"] > 0),
                "cat_citizen_facing": int("citizen" in subjects),
                "cat_published": 1,
                # 1.3: the parts of Decree 63/2010 Art. 8(2) — (a) name, (b) sequence
                # of steps, (c) method, (d) dossier components and quantity, (đ)
                # deadline, (e) subjects, (g) implementing agency (forms not checked)
                "cat_content_complete": int(
                    bool(v["name"])
                    and bool((v["steps_description"] or "").strip())
                    and bool((v["methods_description"] or "").strip())
                    and v["parts"] > 0
                    and (
                        (v["processing_time_value"] or 0) > 0
                        or v["processing_time_unit"] == same_day
                    )
                    and bool(subjects)
                    and v["agencies"] > 0
                ),
            },
        )


@dataclass(frozen=True)
class Span:
    unit_id: int
    code: str
    start: dt.date
    end: dt.date | None  # None: open
    flags: Flags


Interval = tuple[dt.date, dt.date | None]


def in_force_segments(
    versions: Iterable[tuple[int, int, dt.date, dt.date | None]],
) -> list[tuple[dt.date, dt.date | None, int]]:
    """(start, end, version pk) of the version in force over time, from (pk, number,
    effective_from, effective_to) of a procedure's live versions. On a day, the version
    in force is the one whose range holds it with the latest (effective_from, number) —
    `catalog.selectors.version_in_force`. Adjacent segments of one version merge."""
    items = list(versions)
    bounds = sorted(
        {start for _, _, start, _ in items}
        | {end + dt.timedelta(days=1) for _, _, _, end in items if end is not None}
    )
    out: list[tuple[dt.date, dt.date | None, int]] = []
    for i, day in enumerate(bounds):
        holding = [v for v in items if v[2] <= day and (v[3] is None or v[3] >= day)]
        if not holding:
            continue
        pk = max(holding, key=lambda v: (v[2], v[1]))[0]
        end = bounds[i + 1] - dt.timedelta(days=1) if i + 1 < len(bounds) else None
        if out and out[-1][2] == pk and out[-1][1] == day - dt.timedelta(days=1):
            out[-1] = (out[-1][0], end, pk)
        else:
            out.append((day, end, pk))
    return out


def _intersect(a: Interval, b: Interval) -> Interval | None:
    start = max(a[0], b[0])
    ends = [e for e in (a[1], b[1]) if e is not None]
    end = min(ends) if ends else None
    return None if end is not None and end < start else (start, end)


def catalogue_spans(codes: Iterable[str] | None = None) -> list[Span]:
    """The spans of the procedures `codes` (every procedure when None): each competence
    period of a unit (rolled forward to its successor) × the versions in force in it."""
    from motcua.catalog.models import Competence, ProcedureVersion
    from motcua.catalog.selectors import LIVE_STATUSES
    from motcua.monitoring.updater import roll_forward_map

    versions = ProcedureVersion.objects.filter(
        status__in=LIVE_STATUSES, effective_from__isnull=False
    )
    competences = Competence.objects.filter(is_competent=True)
    if codes is not None:
        wanted = sorted(set(codes))
        versions = versions.filter(procedure__code__in=wanted)
        competences = competences.filter(procedure__code__in=wanted)
    flags_of: dict[int, Flags] = {}
    for pk, _code, _number, flags in version_flags(versions):
        flags_of[pk] = tuple(flags[name] for name in STATE_FLAGS)
    timeline: dict[str, list[tuple[int, int, dt.date, dt.date | None]]] = defaultdict(list)
    for pk, code, number, start, end in versions.values_list(
        "pk", "procedure__code", "number", "effective_from", "effective_to"
    ):
        if start is not None:  # filtered above; a version without it is never in force
            timeline[code].append((pk, number, start, end))
    segments = {code: in_force_segments(items) for code, items in timeline.items()}
    forward = roll_forward_map()
    raw: dict[tuple[int, str], list[tuple[dt.date, dt.date | None, Flags]]] = defaultdict(list)
    for unit_id, code, start, end in competences.values_list(
        "unit_id", "procedure__code", "valid_from", "valid_to"
    ):
        for seg_start, seg_end, pk in segments.get(code, ()):
            both = _intersect((start, end), (seg_start, seg_end))
            if both is not None:
                raw[(forward.get(unit_id, unit_id), code)].append((*both, flags_of[pk]))
    return [span for key, items in sorted(raw.items()) for span in _merged(key, items)]


def _merged(
    key: tuple[int, str], items: list[tuple[dt.date, dt.date | None, Flags]]
) -> Iterator[Span]:
    """Overlapping or adjacent spans with equal flags as one (units rolled forward onto
    one successor, competences recorded in several pieces)."""
    current: list[Any] | None = None
    for start, end, flags in sorted(items, key=lambda i: (i[2], i[0])):
        if (
            current is not None
            and current[2] == flags
            and (current[1] is None or start <= current[1] + dt.timedelta(days=1))
        ):
            if current[1] is not None and (end is None or end > current[1]):
                current[1] = end
            continue
        if current is not None:
            yield Span(key[0], key[1], current[0], current[1], current[2])
        current = [start, end, flags]
    if current is not None:
        yield Span(key[0], key[1], current[0], current[1], current[2])


def catalogue_spans_write(codes: Iterable[str] | None = None) -> int:
    """Replace the stored spans of `codes` (all procedures when None)."""
    from motcua.monitoring.models import UnitCatalogueSpan

    wanted = None if codes is None else sorted({c for c in codes if c})
    spans = catalogue_spans(wanted)
    stale = UnitCatalogueSpan.objects.all()
    if wanted is not None:
        stale = stale.filter(procedure_code__in=wanted)
    stale.delete()
    UnitCatalogueSpan.objects.bulk_create(
        (
            UnitCatalogueSpan(
                unit_id=s.unit_id,
                procedure_code=s.code,
                valid_from=s.start,
                valid_to=s.end,
                **dict(zip(STATE_FLAGS, s.flags, strict=True)),
            )
            for s in spans
        ),
        batch_size=1000,
    )
    return len(spans)


def catalogue_rows(
    condition: Q, date_from: dt.date, date_to: dt.date, by: tuple[str, ...]
) -> Iterator[tuple[Any, ...]]:
    """The spans overlapping [date_from, date_to] of the units `condition` selects, as
    rows shaped like the selectors' grouped sums: (*by, procedure code, *INT_FIELDS as 0,
    *CATALOGUE_SETS — each state flag 1 when a span with it overlaps, 1.1/1.2 as 0)."""
    from motcua.monitoring.models import UnitCatalogueSpan

    grouped = (
        UnitCatalogueSpan.objects.filter(condition, valid_from__lte=date_to)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date_from))
        .values(*by, "procedure_code")
        .order_by()
        .annotate(**{name: Max(name) for name in STATE_FLAGS})
    )
    zeros = (0,) * len(INT_FIELDS)
    for row in grouped:
        yield (
            *(row[name] for name in by),
            row["procedure_code"],
            *zeros,
            *(int(row.get(name) or 0) if name in STATE_FLAGS else 0 for name in CATALOGUE_SETS),
        )


def on_catalogue_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """post_save/post_delete receiver of catalogue versions and competences: rewrite the
    spans of the procedure (in a savepoint; `monitoring_rebuild` repairs a failure)."""
    import logging

    from django.db import transaction

    if raw:
        return
    code = instance.procedure.code
    try:
        with transaction.atomic():
            catalogue_spans_write([code])
    except Exception:  # pragma: no cover - defensive
        logging.getLogger(__name__).exception(
            "monitoring: could not refresh the catalogue spans of %s", code
        )
