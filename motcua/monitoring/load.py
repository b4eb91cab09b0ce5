"""Load forecasting and rebalancing (issue 27 point 4): pure rules, no ORM.

Plain data in — the horizon's working days, the unit's officers with their pace and
days away, delegations, the open process steps with the day each is due — and out the
due-load of every officer on every day, and suggestions to reassign a step before it
is late, each with its reason in words.

These are project rules, not law (docs/monitoring.md "Load forecast and rebalancing");
the law behind them is only the head's duty to assign the processing officer (Decree
61/2018 Art. 19(1), the `assign` transition) and the wish of Directive 04 that no
dossier be late through an officer's fault:

- L1 A step counts on the working day it is due (the local date of its due moment); a
  step already past due counts on the first day, flagged late.
- L2 An officer's pace is the number of steps they completed per working day over the
  last PACE_WINDOW working days, at least MIN_PACE; their capacity is the pace on a day
  they work, 0 on a day away (leave, or not on the unit's staff that day).
- L3 A delegation hands the delegator's steps due while it runs to the delegate (no
  suggestion: the delegate is already covering), and the delegator is away those days.
- L4 A step is at risk when its holder is away on its due day, or when it does not fit
  their capacity: taking the holder's steps earliest due first, a step whose count up to
  its due day exceeds the capacity up to that day.
- L5 A step at risk goes to the colleague of the unit with the step's role who works on
  its due day and has the most slack — min over the days from the due day on of
  (capacity so far − due-load so far), which must be at least one step — ties: the
  lighter total load, then the name. Each suggestion is counted in the colleague's load
  before the next is chosen. Only a specialist's step of a dossier that can still be
  assigned is reassigned (the head's `assign`); any other step at risk, or one nobody
  has slack for, is a warning with its reason.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

HORIZON = 10  # working days
PACE_WINDOW = 20  # working days of history for an officer's pace
MIN_PACE = 1.0  # steps per working day assumed for an officer without history
EPS = 1e-9

ABSENT = "absent"
OVER = "over_capacity"


@dataclass(frozen=True)
class Officer:
    id: int
    name: str
    roles: frozenset[str]
    pace: float = MIN_PACE
    away: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class Delegation:
    delegator: int
    delegate: int
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class Step:
    id: int
    dossier_id: int
    dossier_code: str
    version: int
    name: str
    role: str
    officer: int | None
    due: dt.date
    reassignable: bool = True


@dataclass
class Cell:
    load: int = 0
    capacity: float = 0.0
    away: bool = False
    late: int = 0  # steps already past due, counted on the first day (L1)
    covered: int = 0  # steps taken over through a delegation (L3)

    @property
    def colour(self) -> str:
        """A key of CELL_COLOURS."""
        if self.away:
            return "red" if self.load else "grey"
        if not self.load:
            return ""
        if self.load <= self.capacity + EPS:
            return "green"
        if self.load <= 1.5 * self.capacity + EPS:
            return "yellow"
        return "red"


# One map from a cell's colour to its CSS class (motcua.css level-*).
CELL_COLOURS = {
    "": "",
    "green": "level-green",
    "yellow": "level-yellow",
    "red": "level-red",
    "grey": "level-grey",
}


@dataclass(frozen=True)
class Suggestion:
    step: Step
    kind: str  # ABSENT or OVER
    from_officer: int
    to_officer: int | None  # None: a warning, nobody to give it to
    reason: str

    @property
    def key(self) -> str:
        return f"{self.step.id}-{self.from_officer}-{self.to_officer or 0}"


@dataclass
class Forecast:
    days: list[dt.date]
    rows: dict[int | None, list[Cell]]  # None: steps held by nobody yet
    totals: list[int]
    suggestions: list[Suggestion] = field(default_factory=list)
    holder: dict[int, int | None] = field(default_factory=dict)  # step id -> officer (L3)

    @property
    def actionable(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.to_officer is not None]

    @property
    def warnings(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.to_officer is None]


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _day_index(days: Sequence[dt.date], due: dt.date) -> tuple[int, bool] | None:
    """The horizon day a step counts on and whether it is already late; None after it."""
    if due < days[0]:
        return 0, True
    if due > days[-1]:
        return None
    return max(0, bisect.bisect_right(days, due) - 1), False


def forecast(
    days: Sequence[dt.date],
    officers: Iterable[Officer],
    steps: Iterable[Step],
    delegations: Iterable[Delegation] = (),
) -> Forecast:
    days = list(days)
    n = len(days)
    staff = {o.id: o for o in officers}
    delegs = list(delegations)

    away: dict[int, set[int]] = {
        o.id: {i for i, d in enumerate(days) if d in o.away} for o in staff.values()
    }
    covering: dict[tuple[int, int], int] = {}  # (delegator, day index) -> delegate
    for dg in delegs:
        for i, d in enumerate(days):
            if dg.first <= d <= dg.last and dg.delegate in staff:
                covering[(dg.delegator, i)] = dg.delegate
                away.setdefault(dg.delegator, set()).add(i)

    rows: dict[int | None, list[Cell]] = {}
    for o in staff.values():
        rows[o.id] = [
            Cell(capacity=0.0 if i in away[o.id] else o.pace, away=i in away[o.id])
            for i in range(n)
        ]
    totals = [0] * n
    holder: dict[int, int | None] = {}
    placed: list[tuple[Step, int, int | None]] = []  # step, day index, holder
    for step in sorted(steps, key=lambda s: (s.due, s.dossier_code, s.id)):
        where = _day_index(days, step.due)
        if where is None:
            continue
        i, late = where
        # Held by nobody yet, or by someone outside the unit's staff: the "nobody" row.
        who = step.officer if step.officer in staff else None
        covered = False
        if who is not None and (who, i) in covering:
            who, covered = covering[(who, i)], True
        row = rows.setdefault(who, [Cell() for _ in range(n)])
        row[i].load += 1
        row[i].late += int(late)
        row[i].covered += int(covered)
        totals[i] += 1
        holder[step.id] = who
        placed.append((step, i, who))

    # Working copy of the loads for choosing colleagues (L5).
    load = {o: [c.load for c in rows[o]] for o in staff}
    cap = {o: [c.capacity for c in rows[o]] for o in staff}

    def cumulative(values: list[float] | list[int]) -> list[float]:
        out, acc = [], 0.0
        for v in values:
            acc += v
            out.append(acc)
        return out

    at_risk: list[tuple[Step, int, int, str, str]] = []
    by_holder: dict[int, list[tuple[Step, int]]] = defaultdict(list)
    for step, i, who in placed:
        if who is not None:
            by_holder[who].append((step, i))
    for who in sorted(by_holder):
        officer = staff[who]
        cum_cap = cumulative(cap[who])
        kept = 0
        for step, i in by_holder[who]:  # already in due order
            if i in away[who]:
                at_risk.append(
                    (
                        step,
                        i,
                        who,
                        ABSENT,
                        _("%(officer)s vắng ngày %(day)s, đúng hạn của bước «%(step)s».")
                        % {"officer": officer.name, "day": _fmt(days[i]), "step": step.name},
                    )
                )
            elif kept + 1 > cum_cap[i] + EPS:
                due_count = sum(1 for _s, j in by_holder[who] if j <= i)
                at_risk.append(
                    (
                        step,
                        i,
                        who,
                        OVER,
                        _(
                            "%(officer)s có %(count)s bước đến hạn đến hết ngày %(day)s nhưng "
                            "với nhịp %(pace)s bước mỗi ngày làm việc chỉ kịp khoảng %(cap)s."
                        )
                        % {
                            "officer": officer.name,
                            "count": due_count,
                            "day": _fmt(days[i]),
                            "pace": _num(officer.pace),
                            "cap": _num(cum_cap[i]),
                        },
                    )
                )
            else:
                kept += 1

    suggestions = []
    at_risk.sort(key=lambda r: (r[1], r[0].dossier_code, r[0].id))
    for step, i, who, kind, why in at_risk:
        target, slack = None, 0.0
        if step.reassignable:
            best: tuple[float, int, str, int] | None = None
            for o in staff.values():
                if o.id == who or step.role not in o.roles or i in away[o.id]:
                    continue
                cum_cap, cum_load = cumulative(cap[o.id]), cumulative(load[o.id])
                s = min(cum_cap[k] - cum_load[k] for k in range(i, n))
                if s + EPS < 1:
                    continue
                rank = (-s, sum(load[o.id]), o.name, o.id)
                if best is None or rank < best:
                    best = rank
            if best is not None:
                target, slack = best[3], -best[0]
        if target is not None:
            load[target][i] += 1
            load[who][i] -= 1
            reason = (
                why
                + " "
                + _(
                    "Đề xuất chuyển cho %(to)s (cùng vai trò, làm việc ngày đó, còn dư %(slack)s "
                    "bước trong %(days)s ngày làm việc tới)."
                )
                % {"to": staff[target].name, "slack": _num(slack), "days": n}
            )
        elif not step.reassignable:
            reason = (
                why
                + " "
                + _(
                    "Bước này không phân công lại được tại đây: lãnh đạo lập ủy quyền hoặc "
                    "sắp xếp người thực hiện."
                )
            )
        else:
            reason = (
                why
                + " "
                + _("Không có cán bộ cùng vai trò nào còn dư năng lực: cần sắp xếp lại công việc.")
            )
        suggestions.append(Suggestion(step, kind, who, target, reason))
    return Forecast(days, rows, totals, suggestions, holder)
