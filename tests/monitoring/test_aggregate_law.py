"""The aggregate law: scores from per-day (and per-unit) counters equal the brute-force
recomputation over all facts — score(Σ aggregate(day_i)) == score(aggregate(all)).
Checked on the pure functions and through the database (UnitDayStats + scores_for)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.monitoring.indicators import (
    CHANNEL_IN_PERSON,
    CHANNEL_ONLINE,
    CHANNEL_POSTAL,
    EMPTY,
    FEEDBACK_OTHER,
    FEEDBACK_REGULATION,
    FEEDBACK_STAFF,
    DossierFacts,
    FeedbackFacts,
    ProcedureFacts,
    ScoringPolicy,
    aggregate,
    aggregate_by_procedure,
    score,
)
from motcua.monitoring.models import UnitDayStats
from motcua.monitoring.periods import Period
from motcua.monitoring.selectors import scores_for, scores_for_units
from tests.monitoring.factories import TZ, insert_parts

START = dt.date(2026, 3, 1)
PERIOD = Period(START, dt.date(2026, 3, 10))
AS_OF = dt.datetime(2026, 3, 10, 23, 59, tzinfo=TZ)
CODES = ["A", "B", "C", "D"]

moments = st.integers(min_value=0, max_value=14 * 24).map(
    lambda h: dt.datetime(2026, 2, 27, 0, tzinfo=TZ) + dt.timedelta(hours=h)
)
maybe = st.none() | moments


@st.composite
def dossiers(draw) -> DossierFacts:
    received = draw(moments)
    return DossierFacts(
        procedure_code=draw(st.sampled_from(CODES)),
        received_at=received,
        channel=draw(st.sampled_from([CHANNEL_IN_PERSON, CHANNEL_ONLINE, CHANNEL_POSTAL])),
        due_at=draw(maybe),
        legal_duration=draw(st.none() | st.just(dt.timedelta(days=3))),
        finished_at=draw(maybe),
        returned_at=draw(maybe),
        closed_at=draw(maybe),
        supplement_count=draw(st.integers(0, 3)),
        supplement_pending_since=draw(maybe),
        supplement_paused_seconds=draw(st.integers(0, 4 * 86400)),
        synced=draw(st.booleans()),
        paper_result=draw(st.booleans()),
        e_result=draw(st.booleans()),
        fee_bearing=draw(st.booleans()),
        fee_all_zero=draw(st.booleans()),
        fee_data_synced=draw(st.booleans()),
        paid_online=draw(st.booleans()),
        digitised_components=draw(st.booleans()),
        digitised_result=draw(st.booleans()),
        reused_data=draw(st.booleans()),
        warehouse_linked=draw(st.booleans()),
        population_data=draw(st.booleans()),
        certified_copy=draw(st.booleans()),
        certified_copy_electronic=draw(st.booleans()),
        rated_unsatisfied=draw(st.booleans()),
        complaint=draw(st.booleans()),
        bodies_timing=draw(st.none() | st.tuples(st.sampled_from(["early", "on_time", "late"]))),
        contacts_to_complete=draw(st.none() | st.integers(0, 3)),
        bodies_contacted=draw(st.none() | st.integers(0, 3)),
        misconduct_verified=draw(st.booleans()),
    )


dates = st.none() | st.integers(0, 12).map(lambda d: dt.date(2026, 2, 27) + dt.timedelta(days=d))


@st.composite
def procedures(draw) -> ProcedureFacts:
    b = st.booleans()
    return ProcedureFacts(
        code=draw(st.sampled_from(CODES)),
        in_competence=draw(b),
        online_partial=draw(b),
        online_full=draw(b),
        online_service=draw(b),
        fee_bearing=draw(b),
        citizen_facing=draw(b),
        published=draw(b),
        content_complete=draw(b),
        announced_on=draw(dates),
        announced_late=draw(b),
        publish_due_on=draw(dates),
        published_late=draw(b),
    )


feedbacks = st.builds(
    FeedbackFacts,
    received_at=moments,
    classification=st.sampled_from([FEEDBACK_REGULATION, FEEDBACK_STAFF, FEEDBACK_OTHER]),
    handled_on_time=st.booleans(),
    rated_unsatisfied=st.booleans(),
    re_raised=st.booleans(),
)
policies = st.builds(
    ScoringPolicy,
    supplement_rule=st.sampled_from(["subtract_766", "recount_d61"]),
    digitisation_42=st.sampled_from(["proportional", "threshold_80"]),
    payment_35_cap=st.booleans(),
    online_33=st.sampled_from(["plain", "qualified_times_sync"]),
    satisfaction_54=st.sampled_from(["distinct", "sum_of_ratios"]),
)
history = st.tuples(
    st.lists(dossiers(), max_size=25),
    st.lists(procedures(), max_size=6),
    st.lists(feedbacks, max_size=6),
)


def _by_day(ds, ps, fs):
    # what each day's rows hold: judged as the rows are (at AS_OF, before the month's
    # end), not at each day's end as a one-day period's scores would be (law.md §4.4)
    return [
        sum(
            aggregate_by_procedure(
                ds, Period(day, day), procedures=ps, feedback=fs, as_of=AS_OF
            ).values(),
            EMPTY,
        )
        for day in PERIOD.days()
    ]


@settings(max_examples=150, deadline=None)
@given(history, policies)
def test_sum_of_daily_counts_scores_like_the_whole_period(hist, policy):
    ds, ps, fs = hist
    whole = aggregate(ds, PERIOD, procedures=ps, feedback=fs, as_of=AS_OF)
    daily = sum(_by_day(ds, ps, fs), EMPTY)
    assert daily == whole
    assert score(daily, policy) == score(whole, policy)


@settings(max_examples=100, deadline=None)
@given(history, history, policies)
def test_sum_over_units_scores_like_the_merged_unit(hist_a, hist_b, policy):
    a = aggregate(hist_a[0], PERIOD, procedures=hist_a[1], feedback=hist_a[2], as_of=AS_OF)
    b = aggregate(hist_b[0], PERIOD, procedures=hist_b[1], feedback=hist_b[2], as_of=AS_OF)
    merged = aggregate(
        hist_a[0] + hist_b[0],
        PERIOD,
        procedures=hist_a[1] + hist_b[1],
        feedback=hist_a[2] + hist_b[2],
        as_of=AS_OF,
    )
    assert a + b == merged
    assert score(a + b, policy) == score(merged, policy)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(hist_parent=history, hist_child=history, policy=policies)
def test_database_rows_score_like_brute_force(personas, hist_parent, hist_child, policy):
    """Rows written per unit/procedure/day, summed by scores_for over the subtree,
    give the brute-force scorecard of all facts of the subtree."""
    UnitDayStats.objects.all().delete()
    parent, child = personas.province, personas.unit_x
    for unit, (ds, ps, fs) in ((parent, hist_parent), (child, hist_child)):
        for day in PERIOD.days():
            parts = aggregate_by_procedure(
                ds, Period(day, day), procedures=ps, feedback=fs, as_of=AS_OF
            )
            insert_parts(unit, day, parts)
    brute_all = aggregate(
        hist_parent[0] + hist_child[0],
        PERIOD,
        procedures=hist_parent[1] + hist_child[1],
        feedback=hist_parent[2] + hist_child[2],
        as_of=AS_OF,
    )
    brute_child = aggregate(
        hist_child[0], PERIOD, procedures=hist_child[1], feedback=hist_child[2], as_of=AS_OF
    )
    result = scores_for(parent, PERIOD.start, PERIOD.end, policy=policy)
    assert result.counts == brute_all
    assert result.card == score(brute_all, policy)
    alone = scores_for(child, PERIOD.start, PERIOD.end, policy=policy)
    assert alone.card == score(brute_child, policy)
    many = scores_for_units([parent, child], PERIOD.start, PERIOD.end, policy=policy)
    assert many[parent.pk].card == result.card
    assert many[child.pk].card == alone.card
