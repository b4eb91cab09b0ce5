"""Worklist colours attribute lateness by the law (issue 19 deliverable 4): they use the
due date after pauses and extensions, and the time the dossier waits for the citizen
(supplement, financial obligation) is never shown as the officer's lateness."""

import datetime as dt

from motcua.dossiers import selectors, services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier

from .conftest import MONDAY, TZ

S = DossierStatus
H = dt.timedelta(hours=1)
FIRST_DUE = dt.datetime(2026, 3, 9, 8, 0, tzinfo=TZ)  # in_process: 5 working days


def _seen(user, d, now):
    """(colour flag of the dossier's row, listed in the overdue tab) at `now`."""
    (row,) = selectors.with_time([Dossier.objects.get(pk=d.pk)], now=now)
    overdue = selectors.worklist(user, "overdue", now=now).filter(pk=d.pk).exists()
    return row.time.flag, overdue


def test_waiting_for_the_citizen_is_never_the_officers_lateness(personas, staff, in_process):
    assert in_process.due_at == FIRST_DUE
    assert _seen(personas.leader_x, in_process, FIRST_DUE + 2 * H) == ("overdue", True)
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu giấy chứng sinh bản chính",
        now=MONDAY + 2 * H,
    )
    later = dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)
    # A notice that never reached the applicant leaves the clock running (law.md R12c).
    assert _seen(personas.leader_x, d, later) == ("overdue", True)
    services.supplement_notice_delivered(dossier=d, channel="sms", now=MONDAY + 2 * H)
    # Waiting for the supplement past the first appointment: paused, not late.
    assert _seen(personas.leader_x, d, later) == ("paused", False)
    d = services.dossier_supplement_provided(
        dossier=d, actor=personas.citizen_a, expected_version=d.version, now=later
    )
    # Due date after the pause (Decree 61 Art. 19(4) / rule set: recounted from here).
    assert d.due_at > later
    assert _seen(personas.leader_x, d, later + 2 * H) == ("within", False)
    after_due = d.due_at + H
    assert _seen(personas.leader_x, d, after_due) == ("overdue", True)


def test_financial_obligation_pauses_the_colour(personas, staff, in_process):
    d = services.dossier_request_payment(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Chờ nộp lệ phí trước bạ",
        now=MONDAY + 2 * H,
    )
    assert d.status == S.PAYMENT_REQUESTED
    assert _seen(personas.leader_x, d, FIRST_DUE + 30 * H) == ("paused", False)


def test_extension_moves_the_colour_to_the_new_appointment(personas, in_process):
    new_due = dt.datetime(2026, 3, 12, 17, 0, tzinfo=TZ)
    d = services.dossier_extend_with_apology(
        dossier=in_process,
        actor=personas.leader_x,
        expected_version=in_process.version,
        new_due_at=new_due,
        reason="Chờ kết quả xác minh",
        reason_kind="objective",
        now=MONDAY + 2 * H,
    )
    past_first = FIRST_DUE + 26 * H  # Tuesday 10:00, after the first appointment
    flag, overdue = _seen(personas.leader_x, d, past_first)
    assert flag in {"within", "due_soon"} and not overdue
    assert _seen(personas.leader_x, d, new_due + 26 * H) == ("overdue", True)
