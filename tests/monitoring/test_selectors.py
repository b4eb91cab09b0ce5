"""scores_for over hand-inserted UnitDayStats rows; policies in force on a date."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.monitoring import selectors
from motcua.monitoring.indicators import CATALOGUE_SETS, INT_FIELDS, ScoringPolicy
from motcua.monitoring.models import LevelConfig, ScoringPolicyConfig, UnitDayStats
from tests.monitoring.factories import insert_counters

pytestmark = pytest.mark.django_db

D1, D2, D3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 4, 1)


def test_model_columns_match_the_counters():
    names = {f.name for f in UnitDayStats._meta.get_fields()} - {
        "id",
        "unit",
        "procedure_code",
        "day",
    }
    assert names == set(INT_FIELDS) | set(CATALOGUE_SETS)


def test_scores_for_sums_rows_of_the_subtree_in_the_period(tree):
    # commune: 10 received, 8 on time; district: 10 received, 10 on time; other day outside
    insert_counters(tree.commune, D1, received=6, on_time_766=5, synced=6)
    insert_counters(tree.commune, D2, received=4, on_time_766=3, synced=4)
    insert_counters(tree.district, D2, received=10, on_time_766=10, synced=0)
    insert_counters(tree.district, D3, received=100, on_time_766=0)  # outside the period
    insert_counters(tree.p.unit_x, D1, received=7, on_time_766=0)  # outside the subtree

    result = selectors.scores_for(tree.district, D1, D2)
    ind = result.card.indicators["2.1"]
    assert (ind.numerator, ind.denominator) == (18, 20)
    assert ind.score == pytest.approx(18)
    assert result.card.indicators["1.4"].ratio == pytest.approx(0.5)

    alone = selectors.scores_for(tree.district, D1, D2, include_subtree=False)
    assert alone.card.indicators["2.1"].denominator == 10

    commune = selectors.scores_for(tree.commune, D1, D2)
    assert commune.card.indicators["2.1"].numerator == 8

    province = selectors.scores_for(tree.p.province, D1, D3)
    assert province.card.indicators["2.1"].denominator == 127


def test_procedure_sets_unite_across_days_and_units(tree):
    # the same procedure offered online in two communes counts once at district level
    for unit in (tree.commune, tree.commune_2):
        insert_counters(unit, D1, code="1.001", cat_in_competence=1, cat_online_full=1)
        insert_counters(unit, D2, code="1.001", cat_in_competence=1, cat_online_full=1)
    insert_counters(tree.commune, D1, code="1.002", cat_in_competence=1)
    result = selectors.scores_for(tree.district, D1, D2)
    ind = result.card.indicators["3.1"]
    assert (ind.numerator, ind.denominator) == (1, 2)
    assert ind.score == pytest.approx(2 * 0.5 / 0.8)


def test_empty_data_is_grey_and_has_no_band(tree):
    result = selectors.scores_for(tree.district, D1, D2)
    assert not result.has_data
    assert result.band.key == "none"
    assert result.colour.key == "none"
    assert result.colour.css_class == "level-grey"
    value, maximum, level = result.metric("group:progress")
    assert value is None and maximum == 20 and level.key == "none"


def test_band_and_colour_follow_the_level_config_in_force(tree):
    # 2.1: 9/10 → 18/20 (90 %); 5.4: 9/10 → 6; 5.2, 5.3: no feedback → 6 + 6
    insert_counters(tree.commune, D1, received=10, on_time_766=9, late_or_unsatisfied_766=1)
    by_default = selectors.scores_for(tree.commune, D1, D1)
    assert by_default.card.total == pytest.approx(36)
    assert by_default.band.key == "weak"
    assert by_default.metric("2.1")[2].key == "green"
    assert by_default.metric("group:online_service")[2].key == "red"  # 0 of 12
    LevelConfig.objects.create(
        effective_from=D2,
        thresholds={
            "bands": {"excellent": 90, "good": 80, "fair": 70, "average": 30},
            "overrides": {"2.1": {"green": 95, "yellow": 90, "orange": 50}},
        },
    )
    configured = selectors.scores_for(tree.commune, D1, D2)  # policy of the last day
    assert configured.band.key == "average"
    assert configured.metric("2.1")[2].key == "yellow"
    assert configured.metric("group:progress")[2].key == "green"  # override is per key
    unchanged = selectors.scores_for(tree.commune, D1, D1)
    assert unchanged.band.key == "weak"
    assert unchanged.metric("2.1")[2].key == "green"


def test_scoring_policy_in_force_on_the_last_day(tree):
    insert_counters(tree.commune, D1, received=10, on_time_766=5, on_time_d61=10)
    assert selectors.scoring_policy_on(D1) == ScoringPolicy()
    ScoringPolicyConfig.objects.create(
        effective_from=D2, options={"supplement_rule": "recount_d61"}
    )
    assert selectors.scoring_policy_on(D1).supplement_rule == "subtract_766"
    assert selectors.scoring_policy_on(D3).supplement_rule == "recount_d61"
    assert selectors.scores_for(tree.commune, D1, D1).card.indicators["2.1"].score == 10
    assert selectors.scores_for(tree.commune, D1, D2).card.indicators["2.1"].score == 20


def test_colours_cover_total_groups_and_indicators(tree):
    insert_counters(tree.commune, D1, received=10, on_time_766=7)
    colours = selectors.scores_for(tree.commune, D1, D1).colours()
    assert colours["group:progress"].key == "yellow"  # 14/20 = 70 %
    assert colours["2.1"].key == "yellow"
    assert colours["2.2"].key == "none"  # display only
    assert colours["group:online_service"].key == "red"
    assert colours["total"].key == "red"


def test_day_stats_apply_increments_and_sets_flags(tree):
    from motcua.monitoring.services import day_stats_apply

    day_stats_apply(unit=tree.commune, procedure_code="A", day=D1, delta={"received": 2})
    day_stats_apply(
        unit=tree.commune,
        procedure_code="A",
        day=D1,
        delta={"received": 1, "on_time_766": 1, "cat_in_competence": 1},
    )
    day_stats_apply(unit=tree.commune, procedure_code="A", day=D1, delta={"received": -1})
    row = UnitDayStats.objects.get()
    assert (row.received, row.on_time_766, row.cat_in_competence) == (2, 1, 1)
    with pytest.raises(ValueError, match="unknown"):
        day_stats_apply(unit=tree.commune, procedure_code="A", day=D1, delta={"bogus": 1})
