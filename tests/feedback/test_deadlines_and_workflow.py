"""§7.2 deadlines on the working-day calendar, their colours, the answer workflow with
leader approval, reminders and the audit trail."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from motcua.core.models import AuditEntry
from motcua.feedback import selectors, services
from motcua.feedback.constants import FeedbackChannel, FeedbackKind, FeedbackStatus
from motcua.feedback.models import FeedbackEvent
from motcua.workdays.models import DayOverride, OverrideKind
from motcua.workdays.selectors import clear_cache

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Friday before Tết Bính Ngọ: 16–20/02/2026 are days off.
FRIDAY_BEFORE_TET = dt.datetime(2026, 2, 13, 16, 0, tzinfo=TZ)


def _regulation(personas, now, unit=None):
    return services.feedback_submit(
        kind=FeedbackKind.REGULATION,
        title="Đề nghị đơn giản hóa thủ tục",
        content="Đề nghị bỏ yêu cầu nộp bản sao có chứng thực khi đã có dữ liệu dân cư.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_a,
        unit=unit or personas.unit_x,
        now=now,
    ).feedback


def test_deadlines_skip_weekends_and_tet(personas):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    info = selectors.feedback_deadlines(fb, now=FRIDAY_BEFORE_TET)
    local = {
        k: getattr(info.deadlines, k).astimezone(TZ) for k in ("refuse", "supplement", "handle")
    }
    # Working days after 13/02: 23–27/02 (Tết week skipped), 02–06/03, 09–13/03.
    assert local["refuse"] == dt.datetime(2026, 2, 24, 16, 0, tzinfo=TZ)
    assert local["supplement"] == dt.datetime(2026, 2, 27, 16, 0, tzinfo=TZ)
    assert local["handle"] == dt.datetime(2026, 3, 13, 16, 0, tzinfo=TZ)
    assert fb.handle_due_at == info.deadlines.handle
    assert info.running == "handle"


def test_a_local_day_off_moves_the_deadline(personas):
    DayOverride.objects.create(
        date=dt.date(2026, 3, 13), unit=personas.unit_x, kind=OverrideKind.DAY_OFF, reason="Lễ hội"
    )
    clear_cache()
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    assert fb.handle_due_at.astimezone(TZ) == dt.datetime(2026, 3, 16, 16, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("now", "level"),
    [
        (dt.datetime(2026, 3, 11, 16, 0, tzinfo=TZ), "green"),  # 2 working days left
        (dt.datetime(2026, 3, 12, 16, 30, tzinfo=TZ), "yellow"),  # < 1 working day left
        (dt.datetime(2026, 3, 13, 16, 1, tzinfo=TZ), "red"),  # overdue
    ],
)
def test_colours_follow_the_working_day_calendar(personas, now, level):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    info = selectors.feedback_deadlines(fb, now=now)
    assert info.status is not None and info.status.level == level


def test_waiting_for_the_sender_pauses_the_clock(personas):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    fb = services.feedback_request_supplement(
        feedback=fb, actor=personas.leader_x, request="Ghi rõ tên thủ tục.", now=FRIDAY_BEFORE_TET
    )
    info = selectors.feedback_deadlines(fb, now=FRIDAY_BEFORE_TET)
    assert info.status is not None and info.status.level == "grey"
    later = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    fb = services.feedback_supplement(feedback=fb, text="Thủ tục đăng ký khai sinh.", now=later)
    assert fb.status == FeedbackStatus.RECEIVED
    assert fb.clock_started_at == later
    assert fb.handle_due_at.astimezone(TZ) == dt.datetime(2026, 3, 23, 9, 0, tzinfo=TZ)


def test_answer_needs_leader_approval_then_publication_within_two_days(personas, staff):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    t = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    fb = services.feedback_accept(feedback=fb, actor=staff.specialist_x, now=t)
    fb = services.feedback_submit_answer(
        feedback=fb,
        actor=staff.specialist_x,
        answer="Kính gửi ông Nguyễn Văn A (0905000001): Sở X tiếp thu và đề xuất sửa đổi.",
        now=t,
    )
    with pytest.raises(Exception):  # the specialist cannot approve their own draft
        services.feedback_approve(feedback=fb, actor=staff.specialist_x, now=t)
    fb = services.feedback_approve(feedback=fb, actor=personas.leader_x, now=t)
    assert fb.status == FeedbackStatus.AWAITING_PUBLICATION
    assert fb.handled_late is False
    assert fb.publish_due_at.astimezone(TZ) == dt.datetime(2026, 3, 4, 9, 0, tzinfo=TZ)
    assert "Nguyễn Văn A" not in fb.public_answer and "0905000001" not in fb.public_answer
    late = dt.datetime(2026, 3, 5, 9, 0, tzinfo=TZ)
    fb = services.feedback_publish(feedback=fb, actor=personas.leader_x, now=late)
    assert fb.status == FeedbackStatus.PUBLISHED and fb.published_late is True
    assert fb in selectors.published_feedback()


def test_late_handling_is_recorded(personas):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    t = dt.datetime(2026, 3, 20, 9, 0, tzinfo=TZ)
    fb = services.feedback_accept(feedback=fb, actor=personas.leader_x, now=t)
    fb = services.feedback_submit_answer(
        feedback=fb, actor=personas.leader_x, answer="Trả lời.", now=t
    )
    fb = services.feedback_approve(feedback=fb, actor=personas.leader_x, now=t)
    assert fb.handled_late is True


def test_transfer_restarts_the_clock_and_refusal_needs_a_reason(personas, staff):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    with pytest.raises(ValidationError):
        services.feedback_refuse(feedback=fb, actor=personas.leader_x, reason=" ")
    t = dt.datetime(2026, 2, 24, 10, 0, tzinfo=TZ)
    fb = services.feedback_transfer(
        feedback=fb,
        actor=personas.leader_x,
        unit=personas.unit_y,
        reason="Thuộc thẩm quyền Sở Y",
        now=t,
    )
    assert fb.handling_unit == personas.unit_y and fb.handler == staff.leader_y
    assert fb.clock_started_at == t and fb.status == FeedbackStatus.RECEIVED
    assert not selectors.feedback_visible_to(personas.leader_x).filter(pk=fb.pk).exists()


def test_citizen_rates_and_reopens(personas):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    t = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    for step in ("accept", "submit_answer", "approve", "publish"):
        kwargs = {"answer": "Trả lời"} if step == "submit_answer" else {}
        fb = getattr(services, f"feedback_{step}")(
            feedback=fb, actor=personas.leader_x, now=t, **kwargs
        )
    fb = services.feedback_rate(feedback=fb, verdict="unsatisfied", actor=personas.citizen_a, now=t)
    assert fb.verdict == "unsatisfied"
    fb = services.feedback_reopen(feedback=fb, reason="Chưa trả lời đúng câu hỏi", now=t)
    assert fb.status == FeedbackStatus.IN_PROCESS and fb.reopen_count == 1
    assert fb.published_at is None


def test_reminders_once_per_deadline_by_mail_to_the_head(
    personas, django_capture_on_commit_callbacks
):
    personas.leader_x.email = "lanhdao.x@example.vn"
    personas.leader_x.save()
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    within = dt.datetime(2026, 3, 11, 16, 0, tzinfo=TZ)
    soon = dt.datetime(2026, 3, 12, 16, 30, tzinfo=TZ)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feedback_send_reminders(within) == 0
        assert services.feedback_send_reminders(soon) == 1
        assert services.feedback_send_reminders(soon) == 0  # idempotent
    assert FeedbackEvent.objects.filter(feedback=fb, action="reminder").count() == 1
    assert [m.to for m in mail.outbox] == [["lanhdao.x@example.vn"]]
    assert fb.code in mail.outbox[0].subject


def test_every_transition_is_audited_without_content(personas):
    fb = _regulation(personas, FRIDAY_BEFORE_TET)
    services.feedback_accept(feedback=fb, actor=personas.leader_x, now=FRIDAY_BEFORE_TET)
    entries = AuditEntry.objects.filter(object_type="feedback.feedback", object_id=str(fb.pk))
    assert list(entries.order_by("sequence").values_list("action", flat=True)) == [
        "feedback.submit",
        "feedback.accept",
    ]
    for entry in entries:
        assert "bản sao" not in str(entry.after) and entry.object_repr == fb.code
