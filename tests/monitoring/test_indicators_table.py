"""Table tests: each Decision 766 indicator at and around its thresholds, the
denominator-zero rules, and group/total sums (law.md §4.3–4.5)."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.monitoring.indicators import (
    EMPTY,
    GROUPS,
    INDICATORS,
    ScoringPolicy,
    UnitCounts,
    score,
)
from tests.monitoring.factories import codes

N = 10_000  # 7999/10000 = 79.99 %

PORTAL = ScoringPolicy.national_portal()
VPCP = ScoringPolicy.vpcp_document()


def _s(ind: str, counts: UnitCounts, policy: ScoringPolicy = PORTAL) -> float:
    return score(counts, policy).indicators[ind].score


# --- builders: (numerator, denominator) -> counts ----------------------------------


def c11(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_announced=codes(den), cat_announced_late=codes(den - num))


def c12(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_publish_due=codes(den), cat_published_late=codes(den - num))


def c13(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_published=codes(den), cat_content_complete=codes(num))


def c31(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_in_competence=codes(den), cat_online_partial=codes(num))


def c32(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_online_service=codes(den), proc_with_online_dossier=codes(num))


def c35(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_fee_bearing=codes(den), proc_fee_synced=codes(num))


def c35b(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_fee_bearing=codes(den), proc_paid_online=codes(num))


def c45a(num: int, den: int) -> UnitCounts:
    return UnitCounts(cat_citizen_facing=codes(den), proc_population_data=codes(num))


def dossier_counts(field: str):
    def build(num: int, den: int) -> UnitCounts:
        values: dict[str, Any] = {"received": den, field: num}
        return UnitCounts(**values)

    return build


def c36(num: int, den: int) -> UnitCounts:
    return UnitCounts(fee_obligation=den, paid_online=num)


def c41(num: int, den: int) -> UnitCounts:
    return UnitCounts(paper_result=den, e_result=num)


def c42b(num: int, den: int) -> UnitCounts:
    return UnitCounts(certified_copy=den, certified_copy_electronic=num)


def c52(num: int, den: int) -> UnitCounts:
    return UnitCounts(fb_received=den, fb_on_time=num)


def c53(num: int, den: int) -> UnitCounts:
    return UnitCounts(fb_received=den, fb_satisfied=num)


def c54(num: int, den: int) -> UnitCounts:
    return UnitCounts(
        received=den, on_time_766=den, late_or_unsatisfied_766=den - num, unsatisfied=den - num
    )


def c21(num: int, den: int) -> UnitCounts:
    return UnitCounts(received=den, on_time_766=num)


def proportional(mx: float):
    return lambda r: mx * r


def target(mx: float, t: float):
    return lambda r: min(mx, mx * r / t)


def capped(mx: float, factor: float):
    return lambda r: min(mx, factor * r)


# indicator, builder, expected score as a function of the ratio
CASES = [
    ("1.1", c11, proportional(6)),
    ("1.2", c12, proportional(4)),
    ("1.3", c13, proportional(2)),
    ("1.4", dossier_counts("synced"), proportional(6)),
    ("2.1", c21, proportional(20)),
    ("3.1", c31, target(2, 0.80)),
    ("3.2", c32, proportional(4)),
    ("3.3", dossier_counts("channel_online"), target(6, 0.50)),
    ("3.5", c35, capped(2, 2.5)),
    ("3.5b", c35b, capped(2, 2.5)),
    ("3.6", c36, proportional(6)),
    ("4.1", c41, proportional(6)),
    ("4.2", dossier_counts("digitised"), proportional(4)),
    ("4.2b", c42b, proportional(2)),
    ("4.3", dossier_counts("reused_data"), target(2, 0.80)),
    ("4.4", dossier_counts("warehouse_linked"), proportional(4)),
    ("4.5a", c45a, proportional(2)),
    ("4.5b", dossier_counts("population_data"), proportional(2)),
    ("5.2", c52, proportional(6)),
    ("5.3", c53, proportional(6)),
    ("5.4", c54, target(6, 0.90)),
]
# numerators around 50 %, 80 % and 90 % of N, plus the ends
NUMERATORS = [0, 4999, 5000, 5001, 7999, 8000, 8001, 8999, 9000, 9001, N]


@pytest.mark.parametrize(("ind", "build", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("num", NUMERATORS)
def test_indicator_score_around_thresholds(ind, build, expected, num):
    result = score(build(num, N), PORTAL).indicators[ind]
    assert result.numerator == num
    assert result.denominator == N
    assert result.ratio == pytest.approx(num / N)
    assert result.score == pytest.approx(expected(num / N))
    assert 0 <= result.score <= result.max


def test_threshold_indicators_reach_full_points_exactly_at_target():
    assert _s("3.1", c31(7999, N)) == pytest.approx(1.99975)
    assert _s("3.1", c31(8000, N)) == 2
    assert _s("3.1", c31(8001, N)) == 2
    assert _s("3.3", dossier_counts("channel_online")(4999, N)) == pytest.approx(5.9988)
    assert _s("3.3", dossier_counts("channel_online")(5000, N)) == 6
    assert _s("5.4", c54(8999, N)) == pytest.approx(6 * 0.8999 / 0.9)
    assert _s("5.4", c54(9000, N)) == pytest.approx(6)
    assert _s("5.4", c54(9001, N)) == 6
    assert _s("4.3", dossier_counts("reused_data")(8000, N)) == 2


def test_indicator_catalogue_sums_to_100_and_matches_groups():
    assert sum(d.max for d in INDICATORS) == 100
    maxima = {g.key: g.max for g in GROUPS}
    assert maxima == {
        "transparency": 18,
        "progress": 20,
        "online_service": 12,
        "online_payment": 10,
        "satisfaction": 18,
        "digitisation": 22,
    }
    for g in GROUPS:
        assert sum(d.max for d in INDICATORS if d.group == g.key) == g.max


# --- denominator zero -----------------------------------------------------------------


def test_empty_counts_score_zero_except_feedback_indicators():
    card = score(EMPTY)
    for ind in ("1.1", "1.2", "1.3", "1.4", "2.1", "3.1", "3.3", "3.6", "4.1", "4.5b", "5.4"):
        assert card.indicators[ind].ratio is None, ind
        assert card.indicators[ind].score == 0, ind
    # no feedback at all: full points for 5.2 and 5.3 (live National Portal rule)
    assert card.indicators["5.2"].score == 6
    assert card.indicators["5.3"].score == 6
    assert card.groups["satisfaction"].score == 12
    assert card.total == 12
    assert card.has_data is False


def test_display_only_indicators_carry_no_points():
    counts = UnitCounts(
        received=4, completed=2, completed_seconds=3 * 86400, fb_received=4, fb_regulation=1
    )
    card = score(counts)
    assert card.indicators["2.2"].ratio == pytest.approx(1.5)  # average days
    assert card.indicators["2.2"].score == 0
    assert card.indicators["5.1"].ratio == pytest.approx(0.25)
    assert card.indicators["5.1"].max == 0


# --- groups and total ------------------------------------------------------------------


def test_group_and_total_sums():
    counts = (
        c11(1, 2)  # 3
        + c12(1, 1)  # 4
        + c13(1, 2)  # 1
        + UnitCounts(received=10, synced=5, on_time_766=8, channel_online=5)  # 1.4: 3, 2.1: 16
        + c31(4, 5)  # 2
        + c32(1, 4)  # 1
        + c36(1, 2)  # 3
    )
    card = score(counts, PORTAL)
    assert card.groups["transparency"].score == pytest.approx(3 + 4 + 1 + 3)
    assert card.groups["progress"].score == pytest.approx(16)
    # 3.3: 5/10 online → 6 points
    assert card.groups["online_service"].score == pytest.approx(2 + 1 + 6)
    assert card.groups["online_payment"].score == pytest.approx(3)
    assert card.total == pytest.approx(sum(g.score for g in card.groups.values()))
    # ratios > 1 cannot happen for sets: numerators are intersected with denominators
    stray = UnitCounts(cat_in_competence=codes(2), cat_online_full=codes(5, "Q"))
    assert score(stray).indicators["3.1"].numerator == 0


def test_perfect_unit_scores_100():
    n = 10
    counts = UnitCounts(
        received=n,
        synced=n,
        on_time_766=n,
        channel_online=n,
        fee_obligation=n,
        paid_online=n,
        paper_result=n,
        e_result=n,
        digitised=n,
        reused_data=n,
        warehouse_linked=n,
        population_data=n,
        certified_copy=n,
        certified_copy_electronic=n,
        fb_received=n,
        fb_on_time=n,
        fb_satisfied=n,
        cat_announced=codes(3),
        cat_publish_due=codes(3),
        cat_published=codes(3),
        cat_content_complete=codes(3),
        cat_in_competence=codes(3),
        cat_online_full=codes(3),
        cat_online_service=codes(3),
        proc_with_online_dossier=codes(3),
        cat_fee_bearing=codes(3),
        proc_fee_synced=codes(3),
        proc_paid_online=codes(3),
        cat_citizen_facing=codes(3),
        proc_population_data=codes(3),
    )
    card = score(counts)
    assert card.total == pytest.approx(100)
    assert all(g.score == pytest.approx(g.max) for g in card.groups.values())


# --- policy switches -----------------------------------------------------------------


def test_policy_42_proportional_versus_threshold():
    counts = dossier_counts("digitised")(8000, N)
    assert _s("4.2", counts, PORTAL) == pytest.approx(3.2)
    assert _s("4.2", counts, VPCP) == pytest.approx(4)
    assert _s("4.2", dossier_counts("digitised")(7999, N), VPCP) == pytest.approx(3.9995)


def test_policy_35_cap():
    counts = c35(9, 10)
    assert _s("3.5", counts, ScoringPolicy(payment_35_cap=True)) == 2
    assert _s("3.5", counts, ScoringPolicy(payment_35_cap=False)) == pytest.approx(2.25)


def test_policy_33_qualified_times_sync():
    counts = UnitCounts(received=10, synced=5, channel_online=6, channel_online_qualified=4)
    plain = score(counts, PORTAL).indicators["3.3"]
    assert plain.ratio == pytest.approx(0.6) and plain.score == 6
    vpcp = score(counts, VPCP).indicators["3.3"]
    # 4 qualified × 50 % synced = 2 of 10 → 20 % → 6 × 0.2 / 0.5
    assert vpcp.ratio == pytest.approx(0.2)
    assert vpcp.score == pytest.approx(2.4)


def test_policy_supplement_rule_selects_counter():
    counts = UnitCounts(received=10, on_time_766=6, on_time_d61=9)
    assert _s("2.1", counts, ScoringPolicy(supplement_rule="subtract_766")) == pytest.approx(12)
    assert _s("2.1", counts, ScoringPolicy(supplement_rule="recount_d61")) == pytest.approx(18)


def test_policy_54_distinct_versus_sum_of_ratios():
    # 10 dossiers: 2 late, 2 unsatisfied, 1 of them both → 3 distinct bad dossiers
    counts = UnitCounts(received=10, on_time_766=8, unsatisfied=2, late_or_unsatisfied_766=3)
    distinct = score(counts, ScoringPolicy(satisfaction_54="distinct")).indicators["5.4"]
    summed = score(counts, ScoringPolicy(satisfaction_54="sum_of_ratios")).indicators["5.4"]
    assert distinct.ratio == pytest.approx(0.7)
    assert summed.ratio == pytest.approx(0.6)
    assert distinct.score == pytest.approx(6 * 0.7 / 0.9)


def test_policy_from_options_and_presets():
    assert ScoringPolicy.from_options(None) == ScoringPolicy.national_portal()
    assert ScoringPolicy.from_options({"preset": "vpcp_document"}) == VPCP
    custom = ScoringPolicy.from_options({"digitisation_42": "threshold_80", "unknown": 1})
    assert custom.digitisation_42 == "threshold_80"
    assert ScoringPolicy.from_options(custom.as_options()) == custom
    with pytest.raises(ValueError, match="digitisation_42"):
        ScoringPolicy(digitisation_42="nonsense")
