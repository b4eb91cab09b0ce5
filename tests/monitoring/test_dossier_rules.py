"""Per-dossier rules of indicator 2.1 and the counting rules of aggregate()."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.monitoring.indicators import (
    CHANNEL_ONLINE,
    FEEDBACK_REGULATION,
    FeedbackFacts,
    ProcedureFacts,
    ScoringPolicy,
    aggregate,
    on_time_766,
    on_time_d61,
    score,
)
from motcua.monitoring.periods import Period, period_for
from tests.monitoring.factories import at, dossier

MARCH = period_for("month", dt.date(2026, 3, 15))
END = at(31, 23)


def test_finished_before_or_at_due_is_on_time_after_is_late():
    assert on_time_766(dossier(finished_at=at(9)), END)
    assert on_time_766(dossier(finished_at=at(10, 17)), END)  # exactly at the due moment
    assert not on_time_766(dossier(finished_at=at(11)), END)


def test_processed_wins_over_returned():
    d = dossier(finished_at=at(9), returned_at=at(12))
    assert on_time_766(d, END)


def test_refusal_or_withdrawal_ends_processing():
    assert on_time_766(dossier(closed_at=at(5)), END)
    assert not on_time_766(dossier(closed_at=at(12)), END)


def test_more_than_one_supplement_request_counts_late_under_766_only():
    d = dossier(finished_at=at(5), supplement_count=2)
    assert not on_time_766(d, END)
    assert on_time_d61(d, END)
    assert on_time_766(dossier(finished_at=at(5), supplement_count=1), END)


def test_supplement_time_is_subtracted_under_766():
    # finished 2 days after the due date, but 3 days were spent waiting for the citizen
    d = dossier(finished_at=at(12, 17), supplement_count=1, supplement_paused_seconds=3 * 86400)
    assert on_time_766(d, END)
    assert not on_time_d61(d, END)  # Decree 61: the due date itself must have moved
    # 1 second short of enough pause → still late
    late = dossier(
        finished_at=at(12, 17), supplement_count=1, supplement_paused_seconds=2 * 86400 - 1
    )
    assert not on_time_766(late, END)


def test_awaiting_supplement_ends_at_the_request():
    assert on_time_766(dossier(supplement_count=1, supplement_pending_since=at(8)), END)
    assert not on_time_766(dossier(supplement_count=1, supplement_pending_since=at(11)), END)


def test_in_progress_dossiers_are_judged_at_period_end():
    overdue = dossier(due_at=at(20))
    not_yet_due = dossier(due_at=dt.datetime(2026, 4, 5, 17, tzinfo=at(1).tzinfo))
    counts = aggregate([overdue, not_yet_due], MARCH)
    assert counts.received == 2
    assert counts.on_time_766 == 1
    # judged earlier (as_of) the overdue one is still within time
    assert aggregate([overdue, not_yet_due], MARCH, as_of=at(15)).on_time_766 == 2


def test_missing_due_date_uses_legal_duration():
    d = dossier(due_at=None, legal_duration=dt.timedelta(days=5), finished_at=at(7, 9))
    assert on_time_766(d, END)
    assert not on_time_766(
        dossier(due_at=None, legal_duration=dt.timedelta(days=5), finished_at=at(7, 10)), END
    )


def test_dossiers_outside_the_period_are_not_counted():
    inside = dossier(received_at=at(31, 16))
    before = dossier(received_at=dt.datetime(2026, 2, 28, 16, tzinfo=at(1).tzinfo))
    assert aggregate([inside, before], MARCH).received == 1


def test_online_counts_require_e_result_only_for_paper_results():
    counts = aggregate(
        [
            dossier(channel=CHANNEL_ONLINE, paper_result=True, e_result=False),
            dossier(channel=CHANNEL_ONLINE, paper_result=True, e_result=True),
            dossier(channel=CHANNEL_ONLINE, paper_result=False),
            dossier(),
        ],
        MARCH,
    )
    assert counts.channel_online == 3
    assert counts.channel_online_qualified == 2
    assert counts.received == 4


def test_zero_fee_dossiers_leave_the_online_payment_denominator():
    counts = aggregate(
        [
            dossier(fee_bearing=True, paid_online=True),
            dossier(fee_bearing=True),
            dossier(fee_bearing=True, fee_all_zero=True),
            dossier(fee_bearing=False, paid_online=True),
        ],
        MARCH,
    )
    ind = score(counts).indicators["3.6"]
    assert (ind.numerator, ind.denominator) == (1, 2)


def test_satisfaction_counts_a_late_and_unhappy_dossier_once():
    counts = aggregate(
        [
            dossier(finished_at=at(12), rated_unsatisfied=True),  # late and unhappy
            dossier(finished_at=at(12)),  # late
            dossier(finished_at=at(5), complaint=True),  # unhappy
            dossier(finished_at=at(5)),
        ],
        MARCH,
    )
    assert counts.late_or_unsatisfied_766 == 3
    assert score(counts, ScoringPolicy(satisfaction_54="distinct")).indicators[
        "5.4"
    ].ratio == pytest.approx(0.25)
    assert score(counts, ScoringPolicy(satisfaction_54="sum_of_ratios")).indicators[
        "5.4"
    ].ratio == pytest.approx(0.0)


def test_procedure_sets_count_each_procedure_once():
    procedures = [
        ProcedureFacts("A", online_service=True, fee_bearing=True, citizen_facing=True),
        ProcedureFacts("B", online_service=True, fee_bearing=True, citizen_facing=True),
    ]
    dossiers = [
        dossier(procedure_code="A", channel=CHANNEL_ONLINE, synced=True, fee_data_synced=True),
        dossier(procedure_code="A", channel=CHANNEL_ONLINE, population_data=True),
        dossier(procedure_code="C", channel=CHANNEL_ONLINE),  # not an online service
    ]
    card = score(aggregate(dossiers, MARCH, procedures=procedures))
    assert (card.indicators["3.2"].numerator, card.indicators["3.2"].denominator) == (1, 2)
    assert (card.indicators["3.5"].numerator, card.indicators["3.5"].denominator) == (1, 2)
    assert (card.indicators["4.5a"].numerator, card.indicators["4.5a"].denominator) == (1, 2)


def test_announcements_count_in_the_period_of_their_decision_and_any_late_makes_late():
    procedures = [
        ProcedureFacts("A", announced_on=dt.date(2026, 3, 3)),
        ProcedureFacts("A", announced_on=dt.date(2026, 3, 20), announced_late=True),
        ProcedureFacts("B", announced_on=dt.date(2026, 3, 4)),
        ProcedureFacts("C", announced_on=dt.date(2026, 4, 4), announced_late=True),
    ]
    ind = score(aggregate([], MARCH, procedures=procedures)).indicators["1.1"]
    assert (ind.numerator, ind.denominator) == (1, 2)
    assert ind.score == pytest.approx(3)


def test_feedback_indicators():
    fb = [
        FeedbackFacts(at(3), classification=FEEDBACK_REGULATION),
        FeedbackFacts(at(4), handled_on_time=False),
        FeedbackFacts(at(5), rated_unsatisfied=True),
        FeedbackFacts(at(6), re_raised=True),
    ]
    card = score(aggregate([], MARCH, feedback=fb))
    assert card.indicators["5.1"].ratio == pytest.approx(0.25)
    assert card.indicators["5.2"].score == pytest.approx(6 * 3 / 4)
    assert card.indicators["5.3"].score == pytest.approx(6 * 1 / 4)


def test_period_helpers():
    assert period_for("week", dt.date(2026, 11, 27)) == Period(
        dt.date(2026, 11, 23), dt.date(2026, 11, 29), "week"
    )
    assert period_for("quarter", dt.date(2026, 11, 27)).start == dt.date(2026, 10, 1)
    assert period_for("month", dt.date(2024, 2, 10)).end == dt.date(2024, 2, 29)
    assert period_for("year", dt.date(2026, 5, 1)).end == dt.date(2026, 12, 31)
    assert period_for("half", dt.date(2026, 8, 1)).start == dt.date(2026, 7, 1)
