"""The load forecast's pure rules (monitoring/load.py, rules L1–L5), table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.monitoring import load as L

MON = dt.date(2026, 3, 2)
DAYS = [MON + dt.timedelta(days=k + 2 * (k // 5)) for k in range(10)]  # Mon–Fri × 2
SPEC = "specialist"
LEAD = "leader"


def officer(i: int, *, pace: float = 1.0, away: tuple[int, ...] = (), roles=(SPEC,)):
    return L.Officer(i, f"CB{i}", frozenset(roles), pace, frozenset(DAYS[k] for k in away))


def step(i: int, who: int | None, day: int, *, role=SPEC, reassignable=True, due=None):
    return L.Step(
        id=i,
        dossier_id=100 + i,
        dossier_code=f"HS-{i:03d}",
        version=3,
        name="Thẩm định",
        role=role,
        officer=who,
        due=due or DAYS[day],
        reassignable=reassignable,
    )


def moves(f: L.Forecast) -> list[tuple[int, str, int, int | None]]:
    return [(s.step.id, s.kind, s.from_officer, s.to_officer) for s in f.suggestions]


CASES = [
    pytest.param(
        [officer(1), officer(2)], [step(1, 1, 0), step(2, 1, 5)], [], [], id="within-pace"
    ),
    pytest.param(
        [officer(1, away=(2,)), officer(2), officer(3)],
        [step(1, 1, 2), step(2, 2, 2), step(3, 1, 4)],
        [],
        # Away on the due day of step 1: to the colleague with the most slack (3: no load).
        [(1, L.ABSENT, 1, 3)],
        id="leave-on-due-day",
    ),
    pytest.param(
        [officer(1), officer(2), officer(3)],
        [step(1, 1, 0), step(2, 1, 0), step(3, 1, 0), step(4, 2, 0)],
        [],
        # Three due on day one at a pace of one: two must go; 3 has slack 1, 2 has none.
        [(2, L.OVER, 1, 3), (3, L.OVER, 1, None)],
        id="over-capacity-then-nobody-has-slack",
    ),
    pytest.param(
        [officer(1, pace=3.0), officer(2)],
        [step(1, 1, 0), step(2, 1, 0), step(3, 1, 0)],
        [],
        [],
        id="a-fast-officer-keeps-them",
    ),
    pytest.param(
        [officer(1), officer(2)],
        [step(1, 1, 3), step(2, 1, 3), step(3, 1, 3), step(4, 1, 3)],
        [],
        [],  # four days of capacity up to day 3 (L4 counts the days before)
        id="cumulative-capacity",
    ),
    pytest.param(
        [officer(1, roles=(LEAD,)), officer(2, roles=(LEAD, SPEC))],
        [step(1, 1, 1, role=LEAD, reassignable=False)],
        [L.Delegation(1, 2, DAYS[0], DAYS[2])],
        [],  # the deputy covers the leader's step under the delegation: no suggestion
        id="delegation-covers",
    ),
    pytest.param(
        [officer(1, roles=(LEAD,)), officer(2, roles=(LEAD,))],
        [step(1, 1, 1, role=LEAD, reassignable=False)],
        [],
        [],
        id="leader-present",
    ),
    pytest.param(
        [officer(1, roles=(LEAD,), away=(1,)), officer(2, roles=(LEAD,))],
        [step(1, 1, 1, role=LEAD, reassignable=False)],
        [],
        [(1, L.ABSENT, 1, None)],  # a warning: only a delegation helps
        id="leader-away-without-delegation",
    ),
    pytest.param(
        [officer(1, away=(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), officer(2, away=(3,))],
        [step(1, 1, 3)],
        [],
        [(1, L.ABSENT, 1, None)],  # the only colleague is away that day too
        id="colleague-away-too",
    ),
    pytest.param(
        [officer(1, away=(3,)), officer(2, roles=(LEAD,))],
        [step(1, 1, 3)],
        [],
        [(1, L.ABSENT, 1, None)],  # nobody else holds the specialist role
        id="no-colleague-with-the-role",
    ),
    pytest.param(
        [officer(1), officer(2)],
        [step(1, 1, 0, due=DAYS[0] - dt.timedelta(days=3)), step(2, 1, 0)],
        [],
        [(2, L.OVER, 1, 2)],  # the late step counts on day one (L1)
        id="late-counts-first-day",
    ),
    pytest.param(
        [officer(1), officer(2)],
        [step(1, 1, 0, due=DAYS[-1] + dt.timedelta(days=1))],
        [],
        [],
        id="after-the-horizon",
    ),
]


@pytest.mark.parametrize(("officers", "steps", "delegations", "expected"), CASES)
def test_suggestions(officers, steps, delegations, expected):
    assert moves(L.forecast(DAYS, officers, steps, delegations)) == expected


def test_cells_and_reasons():
    f = L.forecast(
        DAYS,
        [officer(1, away=(2,)), officer(2)],
        [step(1, 1, 2), step(2, None, 0), step(3, 2, 0, due=DAYS[0] - dt.timedelta(days=1))],
    )
    assert f.rows[1][2].away and f.rows[1][2].load == 1 and f.rows[1][2].colour == "red"
    assert f.rows[1][3].colour == "" and f.rows[1][2].capacity == 0
    assert f.rows[None][0].load == 1  # nobody holds it yet
    assert f.rows[2][0].late == 1 and f.rows[2][0].colour == "green"
    assert f.totals[0] == 2 and f.totals[2] == 1
    (s,) = f.suggestions
    assert "CB1 vắng ngày 04/03/2026" in s.reason and "CB2" in s.reason
    assert s.key == "1-1-2" and f.actionable == [s] and f.warnings == []


def test_delegation_moves_the_load_and_marks_the_delegator_away():
    f = L.forecast(
        DAYS,
        [officer(1, roles=(LEAD,)), officer(2, roles=(LEAD,))],
        [step(1, 1, 1, role=LEAD, reassignable=False)],
        [L.Delegation(1, 2, DAYS[1], DAYS[1])],
    )
    assert f.rows[2][1].load == 1 and f.rows[2][1].covered == 1
    assert f.rows[1][1].away and f.rows[1][1].load == 0 and f.holder[1] == 2


def test_colours():
    assert L.Cell(load=2, capacity=2).colour == "green"
    assert L.Cell(load=3, capacity=2).colour == "yellow"
    assert L.Cell(load=4, capacity=2).colour == "red"
    assert L.Cell(away=True).colour == "grey"
    assert set(L.CELL_COLOURS) >= {"", "green", "yellow", "red", "grey"}
