"""Hypothesis: over random dossier histories, the live updater (refreshes in any order,
repeated, with later transitions) gives the same rows as the rebuild, and the scores
read from the aggregates equal a brute-force recomputation over all the dossiers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.models import Dossier, DossierComponent, DossierPause, DossierStep
from motcua.monitoring.indicators import aggregate, score
from motcua.monitoring.models import DossierContribution, PeriodJudgement, UnitDayStats
from motcua.monitoring.periods import Period
from motcua.monitoring.selectors import counts_for, scores_for
from motcua.monitoring.updater import (
    dossier_contribution_refresh,
    facts_of,
    load_rows,
    rebuild,
    rows_snapshot,
)
from tests.dossiers.conftest import TZ, version  # noqa: F401
from tests.monitoring.factories import catalogue_reference

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 1, 12, tzinfo=TZ)
START = dt.datetime(2026, 1, 5, 8, tzinfo=TZ)

spec = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["x", "y"]),
        "received": st.integers(0, 100 * 24),  # hours after START
        "due": st.integers(4, 20 * 24),
        "outcome": st.sampled_from(
            ["open", "resolved", "result_returned", "refused", "withdrawn", "waiting", "never"]
        ),
        "took": st.integers(1, 30 * 24),
        "online": st.booleans(),
        "supplements": st.integers(0, 2),
        "extended": st.booleans(),
        "digitised": st.booleans(),
        "synced": st.booleans(),
        "result_file": st.booleans(),
        "step_late": st.booleans(),
    }
)


def _create(personas, version, s) -> Dossier:  # noqa: F811
    received = START + dt.timedelta(hours=s["received"])
    due = received + dt.timedelta(hours=s["due"])
    end = received + dt.timedelta(hours=s["took"])
    outcome = s["outcome"]
    finished = outcome in ("resolved", "result_returned", "refused", "withdrawn") and end < NOW
    status = (
        outcome
        if finished
        else "supplement_requested"
        if outcome == "waiting"
        else "submitted"
        if outcome == "never"
        else "in_process"
    )
    unit = personas.unit_x if s["unit"] == "x" else personas.unit_y
    d = Dossier.objects.create(
        procedure_version=version,
        applicant=personas.citizen_a,
        channel="2" if s["online"] else "1",
        receiving_unit=unit,
        competent_unit=unit,
        status=status,
        received_at=None if status == "submitted" else received,
        due_at=due + dt.timedelta(days=3) if s["extended"] else due,
        original_due_at=due,
        extended_at=received if s["extended"] else None,
        due_before_extension=due if s["extended"] else None,
        supplement_count=s["supplements"],
        completed_at=end if finished else None,
        returned_at=end + dt.timedelta(hours=1) if status == "result_returned" else None,
        result_files=[{"name": "kq.pdf"}] if s["result_file"] else [],
        form_answers={"_sync": {"synced": s["synced"]}},
    )
    for i in range(s["supplements"]):
        started = received + dt.timedelta(hours=2 + i)
        last_open = status == "supplement_requested" and i == s["supplements"] - 1
        DossierPause.objects.create(
            dossier=d,
            kind="supplement",
            started_at=started,
            ended_at=None if last_open else started + dt.timedelta(hours=20),
        )
    DossierComponent.objects.create(dossier=d, name="Tờ khai", digitized=s["digitised"])
    DossierStep.objects.create(
        dossier=d,
        order=1,
        name="Thẩm định",
        unit=unit,
        role="specialist",
        status="done",
        due_at=received + dt.timedelta(hours=8),
        completed_at=received + dt.timedelta(hours=30 if s["step_late"] else 4),
    )
    return d


def _reset() -> None:
    PeriodJudgement.objects.all().delete()  # kept judgements of closed periods
    UnitDayStats.objects.all().delete()
    DossierContribution.objects.all().delete()
    DossierStep.objects.all().delete()
    DossierPause.objects.all().delete()
    DossierComponent.objects.all().delete()
    Dossier.objects.all().delete()


@given(
    specs=st.lists(spec, min_size=1, max_size=12),
    order=st.randoms(use_true_random=False),
    period=st.sampled_from(
        [
            Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
            Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
            Period(dt.date(2026, 1, 12), dt.date(2026, 3, 15)),
        ]
    ),
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_live_equals_rebuild_equals_brute_force(personas, version, specs, order, period):  # noqa: F811
    _reset()
    dossiers = [_create(personas, version, s) for s in specs]
    ids = [d.pk for d in dossiers]
    # live: every dossier refreshed, in a random order, some twice
    for pk in order.sample(ids, len(ids)) + order.sample(ids, len(ids) // 2):
        dossier_contribution_refresh(dossier_id=pk, as_of=NOW)
    # a later transition: the first open dossier finishes (late)
    open_ = [d for d in dossiers if d.status == "in_process"]
    if open_:
        Dossier.objects.filter(pk=open_[0].pk).update(
            status="resolved", completed_at=NOW - dt.timedelta(hours=1)
        )
        dossier_contribution_refresh(dossier_id=open_[0].pk, as_of=NOW)
    live = rows_snapshot()
    rebuild(as_of=NOW)
    assert rows_snapshot() == live

    # brute force: aggregate over the facts of every dossier of the subtree
    rows = load_rows(sorted(ids), set())
    # judged at the end of the period, or NOW while it runs (law.md §4.4)
    end = dt.datetime.combine(period.end, dt.time.max, tzinfo=TZ)
    facts = [f for f in (facts_of(r, None, NOW, end) for r in rows) if f is not None]
    brute = aggregate(facts, period, as_of=NOW)
    got = counts_for(personas.province, period.start, period.end, as_of=NOW)
    assert got.counters() == brute.counters()
    # the catalogue state of the subtree, from the catalogue (dossiers or not)
    with_catalogue = dataclasses.replace(
        brute, **catalogue_reference(personas.province, period.start, period.end)
    )
    card = scores_for(personas.province, period.start, period.end, as_of=NOW).card
    assert card == score(with_catalogue)
