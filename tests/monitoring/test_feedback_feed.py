"""Decision 766 group 5 from real feedback (PAKN) and satisfaction ratings
(law.md §4.4 5.1–5.4, §8.5): live post_save refresh of the aggregates, and
`monitoring_rebuild` giving the same rows."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.core.testing.personas import make_officer
from motcua.feedback import services
from motcua.feedback.constants import FeedbackChannel, FeedbackKind
from motcua.monitoring.models import UnitDayStats
from motcua.monitoring.selectors import scores_for
from motcua.monitoring.updater import dossier_contribution_refresh, rebuild, rows_snapshot
from motcua.org.constants import Role
from motcua.workdays.selectors import clear_cache
from tests.feedback.factories import make_dossier

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RECEIVED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # Monday; handling due 23/03
FEB, MARCH = (
    (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    clear_cache()
    yield
    clear_cache()


def _submit(personas, kind=FeedbackKind.REGULATION, unit=None, dossier=None, now=RECEIVED):
    return services.feedback_submit(
        kind=kind,
        title="Đề nghị đơn giản hóa thủ tục",
        content="Đề nghị bỏ yêu cầu nộp bản sao có chứng thực.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_a,
        unit=unit or personas.unit_x,
        dossier=dossier,
        now=now,
    ).feedback


def _answer(personas, fb, at, accepted=None, published=None):
    """Accept (default: an hour after reception), answer and approve at `at`, publish
    (default: at `at`)."""
    for step in ("accept", "submit_answer", "approve", "publish"):
        kwargs = {"answer": "Trả lời"} if step == "submit_answer" else {}
        when = at
        if step == "accept" and fb.accepted_at is None:
            when = accepted or fb.received_at + dt.timedelta(hours=1)
        if step == "publish" and published is not None:
            when = published
        fb = getattr(services, f"feedback_{step}")(
            feedback=fb, actor=personas.leader_x, now=when, **kwargs
        )
    return fb


def _indicator(unit, period, key):
    return scores_for(unit, *period, include_subtree=False).card.indicators[key]


def _assert_rebuild_gives_live_rows():
    live = rows_snapshot()
    rebuild()
    assert rows_snapshot() == live


def test_feedback_timeliness_and_verdicts_drive_5_2_and_5_3(personas):
    # No feedback: the live portal gives 5.2 and 5.3 their full points.
    assert _indicator(personas.unit_x, MARCH, "5.2").score == 6.0
    on_time = _submit(personas)
    late = _submit(personas)
    disliked = _submit(personas)
    five_2 = _indicator(personas.unit_x, MARCH, "5.2")
    # judged at the end of March (the computation runs later): none was even
    # classified within 2 working days, so all three count late until handled
    assert (five_2.numerator, five_2.denominator) == (0, 3)
    _submit(personas, kind=FeedbackKind.BEHAVIOUR)  # routed by the feedback app
    five_1 = scores_for(personas.province, *MARCH).card.indicators["5.1"]
    assert (five_1.numerator, five_1.denominator) == (3, 4)  # regulation / all

    in_time = dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    _answer(personas, on_time, in_time)
    _answer(personas, late, dt.datetime(2026, 3, 30, 9, 0, tzinfo=TZ))  # after 15 working days
    disliked = _answer(personas, disliked, in_time)
    services.feedback_rate(feedback=disliked, verdict="unsatisfied", actor=personas.citizen_a)

    five_2 = _indicator(personas.unit_x, MARCH, "5.2")
    assert (five_2.numerator, five_2.denominator) == (2, 3)
    assert five_2.score == pytest.approx(4.0)  # 6 × 2/3
    five_3 = _indicator(personas.unit_x, MARCH, "5.3")
    assert (five_3.numerator, five_3.denominator) == (1, 3)  # late and disliked count against
    assert five_3.score == pytest.approx(2.0)
    # Attributed to the reception day: nothing in February, nothing at unit Y.
    assert not _indicator(personas.unit_x, FEB, "5.2").has_data
    assert not _indicator(personas.unit_y, MARCH, "5.2").has_data
    _assert_rebuild_gives_live_rows()
    assert _indicator(personas.unit_x, MARCH, "5.3").numerator == 1


def test_a_transfer_moves_the_feedback_to_the_new_unit(personas):
    make_officer("lanhdao.y", personas.unit_y, Role.LEADER, is_head=True)
    fb = _submit(personas)
    services.feedback_transfer(
        feedback=fb,
        actor=personas.leader_x,
        unit=personas.unit_y,
        reason="Thuộc thẩm quyền Sở Y",
        now=RECEIVED + dt.timedelta(hours=2),
    )
    assert not _indicator(personas.unit_x, MARCH, "5.2").has_data
    assert _indicator(personas.unit_y, MARCH, "5.2").denominator == 1
    _assert_rebuild_gives_live_rows()


def test_unsatisfied_rating_or_feedback_about_a_dossier_counts_against_5_4(personas):
    unit = personas.unit_x
    first = make_dossier(applicant=personas.citizen_a, unit=unit)
    second = make_dossier(applicant=personas.citizen_a, unit=unit)
    for d in (first, second):  # what the dossier flow does on reception
        dossier_contribution_refresh(dossier_id=d.pk)
    today = timezone.localdate()
    period = (today, today)
    before = _indicator(unit, period, "5.4")
    assert (before.numerator, before.denominator) == (2, 2)
    assert before.score == 6.0

    services.rating_submit(
        dossier=first,
        stage="reception",
        level="unsatisfied",
        problem="Phải chờ lâu",
        channel="portal",
        rater=personas.citizen_a,
    )
    after_rating = _indicator(unit, period, "5.4")
    assert after_rating.numerator == 1  # (2 − 1 unsatisfied) / 2 = 50 % < 90 %
    assert after_rating.score == pytest.approx(6 * 0.5 / 0.9)

    complaint = _submit(personas, kind=FeedbackKind.DOSSIER, dossier=second, now=timezone.now())
    assert _indicator(unit, period, "5.4").numerator == 0
    _assert_rebuild_gives_live_rows()

    # A refused feedback item does not count (feedback.selectors.dissatisfied_dossier_ids).
    services.feedback_refuse(feedback=complaint, actor=personas.leader_x, reason="Trùng lặp")
    assert _indicator(unit, period, "5.4").numerator == 1
    # A satisfied rating does not count against.
    services.rating_submit(dossier=second, stage="reception", level="satisfied", channel="portal")
    assert _indicator(unit, period, "5.4").numerator == 1
    _assert_rebuild_gives_live_rows()


def test_the_rebuild_command_recomputes_feedback_counters(personas):
    _submit(personas)
    live = rows_snapshot()
    UnitDayStats.objects.all().delete()
    out = io.StringIO()
    call_command("monitoring_rebuild", stdout=out)
    assert "1 ngày có phản ánh" in out.getvalue()
    assert rows_snapshot() == live
    assert _indicator(personas.unit_x, MARCH, "5.2").denominator == 1


@pytest.mark.parametrize(
    ("case", "on_time"),
    [
        ("accepted_late", False),  # classified on the 3rd working day
        ("refused_on_time", True),
        ("refused_late", False),
        ("asked_more_on_time", True),
        ("asked_more_late", False),  # first request on the 6th working day
        ("published_late", False),  # published 3 working days after "awaiting"
        ("supplement_does_not_restart", False),
        ("open_past_deadline", False),  # still in process at the end of March
        ("open_within_deadline", True),  # received 27/3, not yet due on 31/3
    ],
)
def test_every_deadline_of_7_2_counts_for_5_2(personas, case, on_time):
    """law.md §7.2: accept/refuse ≤ 2, ask for more ≤ 5, handle ≤ 15, publish ≤ 2
    working days; open items past a deadline are late at the period's end."""
    day = lambda d, h=9: dt.datetime(2026, 3, d, h, 0, tzinfo=TZ)  # noqa: E731
    leader = personas.leader_x
    received = day(27) if case == "open_within_deadline" else RECEIVED
    fb = _submit(personas, now=received)
    if case == "accepted_late":
        _answer(personas, fb, day(10), accepted=day(5))
    elif case.startswith("refused"):
        when = day(3) if case == "refused_on_time" else day(5)
        services.feedback_refuse(feedback=fb, actor=leader, reason="Không đủ thông tin", now=when)
    elif case.startswith("asked_more") or case == "supplement_does_not_restart":
        when = day(10) if case == "asked_more_late" else day(6)
        fb = services.feedback_request_supplement(
            feedback=fb, actor=leader, request="Bổ sung địa chỉ", now=when
        )
        fb = services.feedback_supplement(
            feedback=fb, text="Địa chỉ: ...", actor=personas.citizen_a, now=day(9)
        )
        # answered 16 working days after submission: late, whatever the supplement
        answered = day(24) if case == "supplement_does_not_restart" else day(12)
        _answer(personas, fb, answered, accepted=day(9, 10))
    elif case == "published_late":
        _answer(personas, fb, day(10), published=day(13, 17))
    elif case == "open_past_deadline":
        services.feedback_accept(feedback=fb, actor=leader, now=day(2, 10))
    elif case == "open_within_deadline":
        services.feedback_accept(feedback=fb, actor=leader, now=day(27, 10))
    five_2 = _indicator(personas.unit_x, MARCH, "5.2")
    assert (five_2.numerator, five_2.denominator) == (int(on_time), 1)
    assert five_2.score == pytest.approx(6.0 * on_time)
    _assert_rebuild_gives_live_rows()
