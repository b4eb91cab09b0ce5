"""Back-office pages: queue with deadline colours, the answer workflow through the UI,
staff entry from a hotline call, the report; and the citizen's own pages."""

import pytest
from django.urls import reverse

from motcua.feedback import services
from motcua.feedback.constants import FeedbackChannel, FeedbackKind, FeedbackStatus
from motcua.feedback.models import Feedback


def _regulation(personas):
    return services.feedback_submit(
        kind=FeedbackKind.REGULATION,
        title="Đề nghị công khai mẫu tờ khai",
        content="Đề nghị đăng mẫu tờ khai đăng ký khai sinh lên Cổng để tải về.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_a,
        unit=personas.unit_x,
    ).feedback


def test_queue_shows_deadline_badge_and_links(personas, staff, client_for):
    fb = _regulation(personas)
    page = client_for(staff.specialist_x).get(reverse("feedback:queue")).content.decode()
    assert fb.code in page and "badge level-green" in page and "Trong hạn" in page


def test_answer_workflow_through_the_pages(personas, staff, client_for):
    fb = _regulation(personas)
    specialist, leader = client_for(staff.specialist_x), client_for(personas.leader_x)

    def act(client, action, data=None):
        return client.post(reverse("feedback:act", args=[fb.pk, action]), data or {})

    act(specialist, "accept", {"accept-kind": "regulation"})
    act(
        specialist,
        "submit_answer",
        {"submit_answer-answer": "Sở X sẽ đăng mẫu tờ khai.", "submit_answer-is_public": "on"},
    )
    detail = specialist.get(reverse("feedback:detail", args=[fb.pk])).content.decode()
    assert "Duyệt trả lời" not in detail  # only the leader approves
    response = act(specialist, "approve")
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.AWAITING_APPROVAL
    assert response.status_code == 302
    detail = leader.get(reverse("feedback:detail", args=[fb.pk])).content.decode()
    assert "Duyệt trả lời" in detail
    act(leader, "approve")
    act(leader, "publish")
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.PUBLISHED
    public = client_for(personas.citizen_b).get(reverse("feedback_public:index")).content.decode()
    assert "Sở X sẽ đăng mẫu tờ khai." in public
    assert personas.citizen_a.full_name not in public


def test_officer_enters_a_hotline_call_and_gets_code_and_pin(personas, staff, dossier, client_for):
    client = client_for(personas.receptionist_x)
    response = client.post(
        reverse("feedback:enter"),
        {
            "channel": "hotline",
            "kind": "behaviour",
            "title": "Gọi đường dây nóng phản ánh cán bộ",
            "content": "Người dân phản ánh cán bộ thụ lý hẹn lại nhiều lần không lý do.",
            "dossier_code": dossier.code,
            "subject_username": staff.specialist_x.username,
            "sender_name": "Phạm Thị D",
            "sender_phone": "0905111222",
        },
    )
    assert response.status_code == 200
    fb = Feedback.objects.get()
    assert fb.channel == "hotline" and fb.entered_by == personas.receptionist_x
    assert response.context["pin"] in response.content.decode()
    # The receptionist acted on the dossier: the complaint is now out of their sight.
    assert client.get(reverse("feedback:detail", args=[fb.pk])).status_code == 404


def test_report_by_unit_type_and_timeliness(personas, staff, client_for):
    _regulation(personas)
    page = client_for(personas.supervisor).get(reverse("feedback:report")).content.decode()
    assert personas.unit_x.name in page
    assert client_for(staff.specialist_x).get(reverse("feedback:report")).status_code == 403


def test_citizen_sees_own_feedback_and_dossiers_to_rate(personas, client_for):
    fb = _regulation(personas)
    page = client_for(personas.citizen_a).get(reverse("feedback_public:mine")).content.decode()
    assert fb.code in page
    other = client_for(personas.citizen_b)
    assert other.get(reverse("feedback_public:detail", args=[fb.code])).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["feedback:queue", "feedback:enter", "feedback:report", "feedback:ratings", "feedback:invite"],
)
def test_back_office_pages_need_an_officer(personas, client_for, name):
    assert client_for(personas.citizen_a).get(reverse(name)).status_code == 403
