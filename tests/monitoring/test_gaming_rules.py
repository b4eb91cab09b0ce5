"""Gaming detectors (law.md R28b), pure: each fires on a planted case and not on the
clean variant of the same data."""

from __future__ import annotations

import datetime as dt

from motcua.monitoring import gaming as g

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def d(pk: int, **kw) -> g.DossierRow:  # type: ignore[no-untyped-def]
    base = dict(
        id=pk,
        code=f"D{pk}",
        unit_id=1,
        unit_code="U1",
        assignee="Nguyễn Văn An",
        applicant_id=100 + pk,
        procedure="P1",
        received_at=T0,
        due_at=T0 + dt.timedelta(days=10),
        original_due_at=T0 + dt.timedelta(days=10),
        completed_at=T0 + dt.timedelta(days=5),
        returned_at=None,
        status="resolved",
    )
    base.update(kw)
    return g.DossierRow(**base)  # type: ignore[arg-type]


def test_refuse_loop_fires_on_late_refusal_and_quick_resubmission() -> None:
    first = d(1, applicant_id=7, status="refused", completed_at=T0 + dt.timedelta(days=9))
    again = d(2, applicant_id=7, received_at=T0 + dt.timedelta(days=11))
    refusal = g.EventRow(1, 10, T0 + dt.timedelta(days=9), "refuse_after_appraisal")
    found = g.detect_refuse_loops([first, again], [refusal])
    assert [s.key for s in found] == ["refuse_loop:1:2"]
    assert found[0].dossier_codes == ["D1", "D2"]
    assert found[0].evidence["clock_used"] == 0.9


def test_refuse_loop_clean_cases() -> None:
    first = d(1, applicant_id=7, status="refused")
    # early refusal (20 % of the clock): the normal outcome of appraisal
    early = g.EventRow(1, 10, T0 + dt.timedelta(days=2), "refuse_after_appraisal")
    again = d(2, applicant_id=7, received_at=T0 + dt.timedelta(days=3))
    assert g.detect_refuse_loops([first, again], [early]) == []
    # late refusal but the new filing comes weeks later, or from someone else
    late = g.EventRow(1, 10, T0 + dt.timedelta(days=9), "refuse_after_appraisal")
    later = d(2, applicant_id=7, received_at=T0 + dt.timedelta(days=40))
    other = d(3, applicant_id=8, received_at=T0 + dt.timedelta(days=10))
    assert g.detect_refuse_loops([first, later, other], [late]) == []


def test_pause_only_supplement() -> None:
    row = d(1)
    pause = g.PauseRow(1, "supplement", T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=4), 0)
    found = g.detect_pause_only_supplements([row], [pause])
    assert len(found) == 1 and found[0].evidence["paused_days"] == 3.0
    answered = g.PauseRow(1, "supplement", pause.started_at, pause.ended_at, 1)
    still_open = g.PauseRow(1, "supplement", pause.started_at, None, 0)
    financial = g.PauseRow(1, "financial", pause.started_at, pause.ended_at, 0)
    assert g.detect_pause_only_supplements([row], [answered, still_open, financial]) == []


def test_deadline_burst() -> None:
    due = T0 + dt.timedelta(days=10)
    rows = [
        d(
            i,
            due_at=due + dt.timedelta(minutes=10 * i),
            completed_at=due + dt.timedelta(minutes=10 * i - 2),
        )
        for i in range(1, 4)
    ]
    found = g.detect_deadline_bursts(rows)
    assert len(found) == 1 and found[0].dossier_codes == ["D1", "D2", "D3"]
    # two at the deadline is not a burst; three spread over days are not either
    assert g.detect_deadline_bursts(rows[:2]) == []
    spread = [
        d(i, due_at=due + dt.timedelta(days=i), completed_at=due + dt.timedelta(days=i, minutes=-2))
        for i in range(1, 4)
    ]
    assert g.detect_deadline_bursts(spread) == []
    # completed well before the deadline
    early = [d(i, due_at=due, completed_at=due - dt.timedelta(hours=2)) for i in range(1, 5)]
    assert g.detect_deadline_bursts(early) == []


def test_signed_after_return() -> None:
    due = T0 + dt.timedelta(days=10)
    returned = d(
        1, completed_at=due - dt.timedelta(days=1), returned_at=due - dt.timedelta(hours=20)
    )
    sig = g.SignatureRow("D1", due + dt.timedelta(days=2), "Lãnh đạo")
    found = g.detect_signed_after_return([returned], [sig])
    assert len(found) == 1 and found[0].officer == "Lãnh đạo"
    on_time = g.SignatureRow("D1", due - dt.timedelta(days=1, minutes=-5))
    assert g.detect_signed_after_return([returned], [on_time]) == []
    # not returned yet, recorded on time, signed after the appointment
    pending = d(2, completed_at=due - dt.timedelta(hours=1))
    assert (
        len(
            g.detect_signed_after_return(
                [pending], [g.SignatureRow("D2", due + dt.timedelta(hours=3))]
            )
        )
        == 1
    )
    # a late dossier signed late is lateness, not gaming
    late = d(3, completed_at=due + dt.timedelta(days=1))
    assert (
        g.detect_signed_after_return([late], [g.SignatureRow("D3", due + dt.timedelta(days=1))])
        == []
    )


def test_backdated_event() -> None:
    row = d(1)
    at = T0 + dt.timedelta(days=3)
    ev = g.EventRow(1, 50, at - dt.timedelta(days=1), "issue_result")
    audit = g.AuditRow(1, "issue_result", at)
    found = g.detect_backdated_events([row], [ev], [audit])
    assert len(found) == 1 and found[0].evidence["minutes"] == 1440.0
    honest = g.EventRow(1, 50, at - dt.timedelta(seconds=1), "issue_result")
    assert g.detect_backdated_events([row], [honest], [audit]) == []
    # history with no audit entry (imported, generated) is not judged
    assert g.detect_backdated_events([row], [ev], []) == []


def test_precision_counts_planted_keys() -> None:
    a = g.Signal(g.PAUSE_ONLY, "pause_only_supplement:1:x", 1, "U1", [1], ["D1"], "", "r")
    b = g.Signal(g.PAUSE_ONLY, "pause_only_supplement:2:x", 1, "U1", [2], ["D2"], "", "r")
    out = g.precision([a, b], ["pause_only_supplement:1:x"])
    assert out[g.PAUSE_ONLY] == {
        "found": 2,
        "true": 1,
        "planted": 1,
        "precision": 0.5,
        "recall": 1.0,
    }
    assert out[g.REFUSE_LOOP]["precision"] is None
