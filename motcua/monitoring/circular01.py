"""Evaluation of TTHC settlement under Circular 01/2018/TT-VPCP Art. 13–15 (law.md
§1.15, rule R27). Pure, no ORM.

Nine indicators, 0/1/2 points each. Indicators 1, 2, 3, 4, 7 are scored per dossier
(indicators.c01_points; summed into UnitCounts.c01_* counters); 5, 6, 8, 9 per unit.
Art. 15: the score of an indicator is the mean of its per-dossier points, rounded to one
decimal; indicators without data are excluded from totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.monitoring.indicators import UnitCounts

DOSSIER_INDICATORS = (1, 2, 3, 4, 7)
UNIT_INDICATORS = (5, 6, 8, 9)

LEVEL_PROVINCE = "province"  # provincial PAS centre / department units
LEVEL_DISTRICT = "district"
LEVEL_COMMUNE = "commune"
# Art. 13(5): share of procedures the unit itself receives, appraises and approves
SELF_SETTLED_TARGET = {LEVEL_PROVINCE: 0.20, LEVEL_DISTRICT: 0.50, LEVEL_COMMUNE: 1.00}


def indicator_5(level: str, self_settled_share: float, all_at_one_stop: bool) -> int:
    """Reception, processing and return organised at the One-stop Unit."""
    if self_settled_share >= SELF_SETTLED_TARGET[level]:
        return 2
    return 1 if all_at_one_stop else 0


def indicator_6(posted: bool, electronic: bool, accurate: bool = True) -> int:
    """Publicity of procedures: both forms 2, one form 1, inaccurate/incomplete 0."""
    if not accurate:
        return 0
    return int(posted) + int(electronic)


def indicator_8(total: int, on_time: int, prolonged: int) -> int:
    """Handling of feedback: none or 100 % on time and none prolonged 2; ≥ 90 % on
    time (and none prolonged) 1; otherwise 0."""
    if prolonged > 0:
        return 0
    if total == 0 or on_time >= total:
        return 2
    return 1 if on_time * 10 >= total * 9 else 0


def indicator_9(level34_share: float, online_share: float, late_online: int) -> int:
    """Online services: ≥ 20 % eligible procedures at level 3–4, ≥ 30 % online
    dossiers, none late/unresolved → 2; some level 3–4, ≥ 15 % online, none late → 1."""
    if late_online > 0:
        return 0
    if level34_share >= 0.20 and online_share >= 0.30:
        return 2
    return 1 if level34_share > 0 and online_share >= 0.15 else 0


@dataclass(frozen=True)
class UnitFacts:
    """Unit-level inputs for indicators 5, 6, 8, 9 (None: no data, excluded)."""

    indicator_5: int | None = None
    indicator_6: int | None = None
    indicator_8: int | None = None
    indicator_9: int | None = None


@dataclass(frozen=True)
class C01Result:
    scores: dict[int, float | None]  # per indicator, mean rounded to 1 decimal
    total: float
    max: float  # 2 × number of indicators with data
    band_key: str
    band_label: str | Promise


def _mean(points: int, count: int) -> float | None:
    return round(points / count + 1e-12, 1) if count else None


def dossier_means(counts: UnitCounts) -> dict[int, float | None]:
    return {
        n: _mean(getattr(counts, f"c01_{n}_points"), getattr(counts, f"c01_{n}_count"))
        for n in DOSSIER_INDICATORS
    }


UNIT_BANDS: tuple[tuple[float, str, str | Promise], ...] = (
    (15, "excellent", _("Xuất sắc")),
    (12, "good", _("Tốt")),
    (9, "fair", _("Khá")),
    (6, "average", _("Trung bình")),
)
OFFICER_BANDS: tuple[tuple[float, str, str | Promise], ...] = (
    (5, "complete", _("Hoàn thành 100% nhiệm vụ")),
    (3.5, "partial", _("Hoàn thành từ 70% đến dưới 100% nhiệm vụ")),
)


def unit_band(total: float) -> tuple[str, str | Promise]:
    """Art. 15(3)(b): ≥15 xuất sắc; 12–<15 tốt; 9–<12 khá; 6–<9 trung bình; <6 yếu."""
    for floor, key, label in UNIT_BANDS:
        if total >= floor - 1e-9:
            return key, label
    return "weak", _("Yếu")


def officer_band(total: float) -> tuple[str, str | Promise]:
    """Art. 15(3)(a) on indicators 1, 2, 3, 4, 7: ≥5 → 100 % task completion;
    3.5–<5 → 70–<100 %; <3.5 → below 70 %."""
    for floor, key, label in OFFICER_BANDS:
        if total >= floor - 1e-9:
            return key, label
    return "below", _("Hoàn thành dưới 70% nhiệm vụ")


def evaluate_unit(counts: UnitCounts, unit: UnitFacts) -> C01Result:
    scores: dict[int, float | None] = dict(dossier_means(counts))
    for n in UNIT_INDICATORS:
        value = getattr(unit, f"indicator_{n}")
        scores[n] = None if value is None else float(value)
    scores = dict(sorted(scores.items()))
    present = [v for v in scores.values() if v is not None]
    total = round(sum(present), 1)
    key, label = unit_band(total)
    return C01Result(scores, total, 2.0 * len(present), key, label)


def evaluate_officer(counts: UnitCounts) -> C01Result:
    """`counts` summed over the dossiers the officer handled."""
    scores = dossier_means(counts)
    present = [v for v in scores.values() if v is not None]
    total = round(sum(present), 1)
    key, label = officer_band(total)
    return C01Result(scores, total, 2.0 * len(present), key, label)
