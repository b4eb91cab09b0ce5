"""Issue 8, done-when #1: an officer who is the subject of a behaviour complaint cannot
list, open, search or count it — in the back office and in the API — and neither can
the ordinary staff of their unit; supervisors in scope can."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from motcua.core.testing.personas import make_officer
from motcua.feedback import selectors, services
from motcua.feedback.constants import FeedbackChannel, FeedbackKind
from motcua.org.constants import Role

pytestmark = pytest.mark.urls("tests.feedback.urls")

TITLE = "Cán bộ gây phiền hà khi giải quyết hồ sơ"


def _complaint(personas, dossier, **kwargs):
    return services.feedback_submit(
        kind=FeedbackKind.BEHAVIOUR,
        title=TITLE,
        content="Cán bộ yêu cầu nộp thêm giấy tờ không có trong quy định và gợi ý 'bồi dưỡng'.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_a,
        dossier=dossier,
        **kwargs,
    ).feedback


def _sees(client_for, user, fb) -> dict[str, bool]:
    """What an officer can learn through each door of the UI and the API."""
    client = client_for(user)
    listing = client.get(reverse("feedback:queue"), {"status": ""})
    searched = client.get(reverse("feedback:queue"), {"status": "", "q": fb.code})
    opened = client.get(reverse("feedback:detail", args=[fb.pk]))
    api_list = client.get("/test-api/feedback/", {"status": ""}).json()
    api_count = client.get("/test-api/feedback/count", {"q": fb.code}).json()
    api_get = client.get(f"/test-api/feedback/{fb.pk}")
    return {
        "list": fb.code in listing.content.decode(),
        "search": searched.context["count"] > 0,
        "open": opened.status_code == 200,
        "count": selectors.feedback_count(user, q=fb.code) > 0,
        "api_list": any(item["code"] == fb.code for item in api_list["items"]),
        "api_count": api_count["count"] > 0,
        "api_open": api_get.status_code == 200,
    }


NOTHING = dict.fromkeys(
    ["list", "search", "open", "count", "api_list", "api_count", "api_open"], False
)
EVERYTHING = dict.fromkeys(NOTHING, True)


def test_subject_and_colleagues_cannot_see_a_behaviour_complaint(
    personas, staff, dossier, client_for
):
    fb = _complaint(personas, dossier, subject_officer=staff.specialist_x)
    # The complaint about an officer of unit X is handled above unit X.
    assert fb.handling_unit == personas.province
    assert fb.subject_unit == personas.unit_x
    assert _sees(client_for, staff.specialist_x, fb) == NOTHING  # the subject
    assert _sees(client_for, staff.clerk_x, fb) == NOTHING  # ordinary colleague
    assert _sees(client_for, personas.receptionist_x, fb) == NOTHING  # acted on the dossier
    assert _sees(client_for, personas.leader_x, fb) == NOTHING  # not in the handling scope
    assert _sees(client_for, staff.specialist_y, fb) == NOTHING  # other unit
    assert _sees(client_for, personas.supervisor, fb) == EVERYTHING


def test_complaint_about_a_dossier_hides_it_from_everyone_who_acted_on_it(
    personas, staff, dossier, client_for
):
    # The citizen cannot name the officer: every officer who touched the dossier is
    # excluded, as are the ordinary staff of the competent unit.
    fb = _complaint(personas, dossier)
    excluded = set(fb.exclusions.values_list("user_id", flat=True))
    assert {staff.specialist_x.pk, personas.receptionist_x.pk} <= excluded
    for officer in (staff.specialist_x, personas.receptionist_x, staff.clerk_x):
        assert not selectors.feedback_visible_to(officer).filter(pk=fb.pk).exists()
    assert selectors.feedback_visible_to(personas.supervisor).filter(pk=fb.pk).exists()


def test_routed_to_the_head_of_the_parent_unit_but_never_to_the_subject(personas, staff, dossier):
    head = make_officer("chutich", personas.province, Role.LEADER, is_head=True)
    fb = _complaint(personas, dossier, subject_officer=staff.specialist_x)
    assert fb.handler == head
    assert selectors.actor_kind(head, fb) == "approver"

    # A complaint about the head of the province itself: nobody above, so no named
    # handler; the head cannot see it, the supervisors can.
    other = make_officer("canbo.tinh", personas.province, Role.SPECIALIST)
    fb2 = services.feedback_submit(
        kind=FeedbackKind.BEHAVIOUR,
        title="Phản ánh lãnh đạo",
        content="Nội dung phản ánh về thái độ của lãnh đạo tỉnh khi tiếp công dân.",
        channel=FeedbackChannel.HOTLINE,
        entered_by=other,
        subject_officer=head,
    ).feedback
    assert fb2.handler is None
    assert not selectors.feedback_visible_to(head).filter(pk=fb2.pk).exists()
    assert not selectors.feedback_visible_to(other).filter(pk=fb2.pk).exists()
    assert selectors.feedback_visible_to(personas.supervisor).filter(pk=fb2.pk).exists()


def test_complaint_about_the_head_of_unit_goes_above_the_unit(personas, staff, dossier, client_for):
    fb = _complaint(personas, dossier, subject_officer=personas.leader_x)
    assert fb.handling_unit == personas.province
    assert _sees(client_for, personas.leader_x, fb) == NOTHING
    assert _sees(client_for, staff.specialist_x, fb) == NOTHING


def test_regulation_feedback_is_visible_to_the_handling_units_staff(personas, staff, client_for):
    fb = services.feedback_submit(
        kind=FeedbackKind.REGULATION,
        title="Thủ tục khai sinh yêu cầu quá nhiều giấy tờ",
        content="Đề nghị bỏ yêu cầu bản sao giấy chứng nhận kết hôn khi đăng ký khai sinh.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_b,
        unit=personas.unit_x,
    ).feedback
    assert _sees(client_for, staff.specialist_x, fb) == EVERYTHING
    assert selectors.actor_kind(staff.specialist_x, fb) == "handler"
    assert selectors.actor_kind(personas.leader_x, fb) == "approver"
    assert _sees(client_for, staff.specialist_y, fb) == NOTHING
    # The administrator (a technical role) does not read citizens' feedback.
    assert not selectors.feedback_visible_to(personas.admin).exists()


def test_reclassifying_as_behaviour_moves_it_out_of_the_subjects_sight(personas, staff, dossier):
    fb = services.feedback_submit(
        kind=FeedbackKind.DOSSIER,
        title="Hồ sơ bị hẹn lại nhiều lần",
        content="Tôi bị yêu cầu đến lại ba lần, cán bộ nói phải 'cảm ơn' mới xong.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_a,
        dossier=dossier,
    ).feedback
    assert fb.handling_unit == personas.unit_x
    assert selectors.feedback_visible_to(staff.clerk_x).filter(pk=fb.pk).exists()
    fb = services.feedback_accept(
        feedback=fb,
        actor=personas.leader_x,
        kind=FeedbackKind.BEHAVIOUR,
        subject_officer=staff.specialist_x,
    )
    assert fb.handling_unit == personas.province
    for officer in (staff.specialist_x, staff.clerk_x, personas.leader_x):
        assert not selectors.feedback_visible_to(officer).filter(pk=fb.pk).exists()


def test_subject_cannot_act_on_it_and_it_cannot_be_sent_back_to_their_unit(
    personas, staff, dossier
):
    fb = _complaint(personas, dossier, subject_officer=staff.specialist_x)
    with pytest.raises(PermissionDenied):
        services.feedback_accept(feedback=fb, actor=staff.specialist_x)
    with pytest.raises(ValidationError):
        services.feedback_transfer(
            feedback=fb, actor=personas.supervisor, unit=personas.unit_x, reason="Chuyển"
        )


def test_reports_do_not_count_what_the_viewer_cannot_see(personas, staff, dossier):
    _complaint(personas, dossier, subject_officer=personas.leader_x)
    today = dt.date.today()
    rows = selectors.feedback_counts_by_unit(
        start=today - dt.timedelta(days=2), end=today + dt.timedelta(days=2), user=personas.leader_x
    )
    assert sum(r.total for r in rows) == 0
    rows = selectors.feedback_counts_by_unit(
        start=today - dt.timedelta(days=2),
        end=today + dt.timedelta(days=2),
        user=personas.supervisor,
    )
    assert sum(r.by_kind.get(FeedbackKind.BEHAVIOUR, 0) for r in rows) == 1


def test_api_refuses_citizens(personas, client_for):
    response = client_for(personas.citizen_a).get("/test-api/feedback/")
    assert response.status_code == 403


def test_opening_a_behaviour_complaint_is_audited(personas, staff, dossier, client_for):
    from motcua.core.models import AuditEntry

    fb = _complaint(personas, dossier, subject_officer=staff.specialist_x)
    client_for(personas.supervisor).get(reverse("feedback:detail", args=[fb.pk]))
    assert AuditEntry.objects.filter(
        action="feedback.view", object_id=str(fb.pk), actor=personas.supervisor
    ).exists()
