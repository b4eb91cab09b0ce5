"""Circular 01/2018/TT-VPCP Art. 13–15 scoring (law.md §1.15, R27)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.monitoring import circular01 as c01
from motcua.monitoring.indicators import UnitCounts, aggregate, c01_points
from motcua.monitoring.periods import period_for
from tests.monitoring.factories import at, dossier

MARCH = period_for("month", dt.date(2026, 3, 1))


@pytest.mark.parametrize(
    ("finished", "points"),
    [(at(9, 16), 2), (at(10, 8), 1), (at(10, 17), 1), (at(11, 8), 0)],
)
def test_indicator_1_compares_days_with_the_due_date(finished, points):
    assert c01_points(dossier(finished_at=finished))[1] == points


def test_per_dossier_indicators():
    d = dossier(
        finished_at=at(9),
        bodies_timing=("early", "on_time"),
        contacts_to_complete=1,
        bodies_contacted=0,
    )
    assert c01_points(d) == {1: 2, 2: 1, 3: 1, 4: 2, 7: 2}
    assert c01_points(dossier(contacts_to_complete=2))[3] == 0
    assert c01_points(dossier(contacts_to_complete=2, extra_contacts_applicant_fault=True))[3] == 1
    assert c01_points(dossier(bodies_contacted=2))[4] == 0
    assert c01_points(dossier(bodies_timing=("early", "late")))[2] == 0
    # indicator 7: on time → 1; early with a complaint → 1; verified misconduct → 0
    assert c01_points(dossier(finished_at=at(10, 10)))[7] == 1
    assert c01_points(dossier(finished_at=at(9), harassment_complaint=True))[7] == 1
    assert c01_points(dossier(finished_at=at(9), misconduct_verified=True))[7] == 0
    # no data → indicator absent (excluded from totals)
    assert c01_points(dossier()) == {}


def test_unit_indicators():
    assert c01.indicator_5(c01.LEVEL_DISTRICT, 0.5, False) == 2
    assert c01.indicator_5(c01.LEVEL_DISTRICT, 0.49, True) == 1
    assert c01.indicator_5(c01.LEVEL_COMMUNE, 0.99, False) == 0
    assert c01.indicator_5(c01.LEVEL_PROVINCE, 0.2, False) == 2
    assert c01.indicator_6(True, True) == 2
    assert c01.indicator_6(True, False) == 1
    assert c01.indicator_6(True, True, accurate=False) == 0
    assert c01.indicator_8(0, 0, 0) == 2
    assert c01.indicator_8(10, 10, 0) == 2
    assert c01.indicator_8(10, 9, 0) == 1  # exactly 90 %
    assert c01.indicator_8(1000, 899, 0) == 0  # 89.9 %
    assert c01.indicator_8(10, 10, 1) == 0  # prolonged case
    assert c01.indicator_9(0.2, 0.3, 0) == 2
    assert c01.indicator_9(0.19, 0.3, 0) == 1
    assert c01.indicator_9(0.5, 0.15, 0) == 1
    assert c01.indicator_9(0.5, 0.1499, 0) == 0
    assert c01.indicator_9(0.5, 0.5, 1) == 0


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (18, "excellent"),
        (15, "excellent"),
        (14.9, "good"),
        (12, "good"),
        (11.9, "fair"),
        (9, "fair"),
        (8.9, "average"),
        (6, "average"),
        (5.9, "weak"),
    ],
)
def test_unit_bands(total, band):
    assert c01.unit_band(total)[0] == band


@pytest.mark.parametrize(
    ("total", "band"),
    [(10, "complete"), (5, "complete"), (4.9, "partial"), (3.5, "partial"), (3.4, "below")],
)
def test_officer_bands(total, band):
    assert c01.officer_band(total)[0] == band


def test_unit_evaluation_means_rounded_and_missing_indicators_excluded():
    dossiers = [
        dossier(finished_at=at(9), contacts_to_complete=0, bodies_contacted=1),  # 1:2 3:2 4:1 7:2
        dossier(finished_at=at(10, 12), contacts_to_complete=1, bodies_contacted=1),  # 1:1 3:1
        dossier(finished_at=at(12), contacts_to_complete=0, bodies_contacted=1),  # 1:0 3:2
    ]
    counts = aggregate(dossiers, MARCH)
    result = c01.evaluate_unit(counts, c01.UnitFacts(indicator_5=2, indicator_6=2, indicator_8=2))
    assert result.scores[1] == 1.0  # (2+1+0)/3
    assert result.scores[3] == pytest.approx(1.7)  # 5/3 = 1.67 → 1.7
    assert result.scores[4] == 1.0
    assert result.scores[7] == pytest.approx(1.0)  # (2+1+0)/3
    assert result.scores[2] is None and result.scores[9] is None
    assert result.max == 14  # 7 indicators with data
    assert result.total == pytest.approx(1.0 + 1.7 + 1.0 + 1.0 + 6)
    assert result.band_key == "fair"


def test_officer_evaluation():
    counts = UnitCounts(
        c01_1_points=20,
        c01_1_count=10,
        c01_3_points=20,
        c01_3_count=10,
        c01_4_points=10,
        c01_4_count=10,
    )
    result = c01.evaluate_officer(counts)
    assert result.total == 5.0
    assert result.band_key == "complete"
