"""The citizen's plain-language timeline (issue 26 point 5, law.md R16b): stage, who
holds the dossier (unit and role, never a name), working days left or late, a paused
clock, what the applicant must do, the next step — for every state but the draft."""

import datetime as dt

import pytest
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import APPLICANT, SYSTEM, DossierStatus
from motcua.dossiers.supplement_items import SupplementItem
from motcua.dossiers.timeline import (
    APPLICANT_HOLDS,
    MAIN_PATH,
    NEXT_STEP,
    STAGE,
    dossier_plain_timeline,
)
from motcua.org.constants import Role

from .conftest import MONDAY

S = DossierStatus
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
STATES = [s for s in wf.STATES if s != S.DRAFT]


def _names(*users):
    return [u.full_name for u in users if u is not None and u.full_name]


def test_the_main_path_follows_the_transition_table():
    """Each state's "next step" is a transition out of it that the holding role may take
    (the applicant's: the applicant; payment: recorded by the system when paid)."""
    for state, (action, role) in MAIN_PATH.items():
        t = wf.transition(action)
        assert state in t.sources, (state, action)
        who = {APPLICANT, SYSTEM} if role == APPLICANT_HOLDS else {role}
        assert who & t.roles, (state, action, role)
        assert action in NEXT_STEP
    assert set(MAIN_PATH) | wf.TERMINAL | {S.DRAFT} == set(wf.STATES)


@pytest.mark.parametrize("state", STATES)
def test_every_state_reads_plainly(state, personas, staff, received):
    d = received
    d.status = state  # in memory: the timeline is a pure reading of the dossier's fields
    if state == S.SUPPLEMENT_REQUESTED:
        # The notice reached the applicant: only then is the clock paused (law.md R12c).
        d.pauses.create(kind="supplement", started_at=MONDAY + H, delivery_channel="sms")
    plain = dossier_plain_timeline(d, now=MONDAY + 2 * D)
    assert plain.stage == str(STAGE[state])
    assert plain.todo
    speech = plain.speech
    assert plain.stage in speech
    for name in _names(personas.receptionist_x, personas.leader_x, staff.specialist_x):
        assert name not in speech
    if state in wf.TERMINAL:
        assert plain.holder is None and plain.next_step == "" and plain.finished
        assert plain.remaining_seconds is None
    else:
        assert plain.holder is not None and plain.next_step
        assert plain.holder.spoken in speech and plain.next_step in speech
    if state in {S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}:
        assert plain.paused and plain.remaining_seconds is None
        assert "tạm dừng" in plain.time_text
        assert plain.holder.role == APPLICANT_HOLDS
    if state in {S.RECEIVED, S.IN_PROCESS, S.IN_CONSULTATION, S.AWAITING_APPROVAL, S.APPROVED}:
        assert plain.remaining_seconds is not None and plain.days_left is not None
        assert plain.holder.unit_name == personas.unit_x.name


def test_received_then_assigned_holder_is_a_role_of_a_unit(personas, staff, received, in_process):
    plain = dossier_plain_timeline(received, now=MONDAY + 2 * H)
    assert plain.holder.role == Role.LEADER
    assert plain.holder.text == f"Lãnh đạo — {personas.unit_x.name}"
    assert plain.stage == "Hồ sơ đã được tiếp nhận, đang chờ phân công người thẩm định"

    plain = dossier_plain_timeline(in_process, now=MONDAY + 2 * H)
    assert plain.stage == "Hồ sơ đang được thẩm định"
    assert plain.holder.role == Role.SPECIALIST
    assert plain.holder.text == f"Chuyên viên thẩm định — {personas.unit_x.name}"
    assert staff.specialist_x.full_name not in plain.speech
    assert plain.todo == "Bạn không cần làm gì lúc này."
    assert plain.next_step == "Chuyên viên thẩm định xong và trình lãnh đạo phê duyệt"


def test_working_days_left_and_late_on_the_unit_calendar(personas, staff, in_process):
    """5 working days from Monday 02/03/2026 08:00: on Wednesday at 08:00 three working
    days are left; after the due moment the lateness is said in working days, with the
    apology the unit owes (R14)."""
    due = in_process.due_at
    assert due is not None
    plain = dossier_plain_timeline(in_process, now=MONDAY + 2 * D)
    assert (plain.days_left, plain.hours_left, plain.late) == (3, 0, False)
    assert plain.time_text.startswith("Còn 3 ngày làm việc đến hạn trả kết quả")
    assert plain.time_text.endswith("(8 giờ ngày 9 tháng 3 năm 2026).")
    assert due == MONDAY + 7 * D

    # The weekend does not count: Friday 08:00 -> Monday 08:00 is one working day, and
    # nothing is used up between Saturday and Sunday.
    friday = dossier_plain_timeline(in_process, now=MONDAY + 4 * D)
    saturday = dossier_plain_timeline(in_process, now=MONDAY + 5 * D)
    sunday = dossier_plain_timeline(in_process, now=MONDAY + 6 * D + 5 * H)
    assert (friday.days_left, friday.hours_left) == (1, 0)
    assert saturday.remaining_seconds == sunday.remaining_seconds > 0

    late = dossier_plain_timeline(in_process, now=due + 2 * D + 2 * H)
    assert late.late and late.days_left == -2 and late.hours_left == -2
    assert late.time_text.startswith("Hồ sơ đã quá hạn 2 ngày 2 giờ làm việc")
    assert "xin lỗi" in late.time_text and "phản ánh" in late.time_text


def test_supplement_pauses_the_clock_and_asks_the_applicant(personas, staff, in_process):
    tk = in_process.procedure_version.components.get(code="TK")
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        items=[SupplementItem(reason="Bản chụp mờ", component_id=tk.pk)],
        now=MONDAY + 2 * H,
    )
    # Not delivered yet: the clock still runs (law.md R12c).
    assert not dossier_plain_timeline(d, now=MONDAY + 3 * D).paused
    services.supplement_notice_delivered(dossier=d, channel="sms", now=MONDAY + 2 * H)
    plain = dossier_plain_timeline(d, now=MONDAY + 3 * D)
    assert plain.stage == "Hồ sơ đang chờ bạn bổ sung giấy tờ"
    assert plain.paused and not plain.late and plain.days_left is None
    assert plain.holder.text == "Bạn (người nộp hồ sơ)"
    assert plain.todo_kind == "supplement"
    assert plain.todo.startswith("Bổ sung giấy tờ theo yêu cầu của cơ quan.")
    close_at = services.supplement_close_at(d)
    assert plain.todo_by == close_at
    if close_at is not None:  # Decree 118/2025 Art. 19(5) sets: the closing day is said
        assert "Hạn bổ sung" in plain.todo


def test_payment_and_result_say_what_to_do(personas, staff, in_process):
    d = services.dossier_request_payment(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Lệ phí trước bạ",
        now=MONDAY + 2 * H,
    )
    plain = dossier_plain_timeline(d, now=MONDAY + D)
    assert plain.todo_kind == "payment" and plain.paused
    assert "thuế, phí" in plain.time_text

    d.status = S.RESOLVED
    plain = dossier_plain_timeline(d, now=MONDAY + D)
    assert plain.todo_kind == "collect" and personas.unit_x.name in plain.todo
    assert plain.holder.role == Role.RECEPTIONIST
    assert plain.holder.text.startswith("Bộ phận một cửa")


def test_submitted_online_names_the_reception_limit(personas, submitted):
    plain = dossier_plain_timeline(submitted, now=MONDAY + H)
    assert plain.holder.role == Role.RECEPTIONIST
    assert plain.holder.unit_name == personas.unit_x.name
    assert plain.next_step.startswith("Bộ phận một cửa kiểm tra giấy tờ")
    assert plain.time_text  # the 8-hour limit (R11a) or the start of the clock


def test_the_citizen_page_shows_the_timeline_and_the_read_aloud_button(
    personas, client_for, staff, in_process
):
    response = client_for(personas.citizen_a).get(
        reverse("my_dossiers:detail", args=[in_process.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="plain-timeline"' in html
    assert "Hồ sơ đang được thẩm định" in html
    assert f"Chuyên viên thẩm định — {personas.unit_x.name}" in html
    assert "data-read-aloud" in html and "Nghe đọc" in html
    assert "js/read_aloud.js" in html
    assert (
        staff.specialist_x.full_name
        not in html.split('id="plain-timeline"')[1].split("</section>")[0]
    )


def test_consultation_names_the_bodies_and_their_deadline(personas, staff, in_process):
    d = services.dossier_start_consultation(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Xin ý kiến về nơi cư trú",
        consulted_units=[personas.unit_y],
        answer_days=2,
        now=MONDAY + 2 * H,
    )
    plain = dossier_plain_timeline(d, now=MONDAY + 3 * H)
    assert plain.stage == "Hồ sơ đang được lấy ý kiến của cơ quan liên quan"
    assert plain.holder.role == Role.SPECIALIST and not plain.paused  # the clock runs (R16a)
    assert plain.notes == [
        f"Đang chờ ý kiến của {personas.unit_y.name}, hạn trả lời 10 giờ ngày 4 tháng 3 năm 2026."
    ]
    assert plain.notes[0] in plain.speech


def test_a_step_at_another_unit_names_that_unit(personas, staff, in_process):
    """The holder's unit is the unit of the active step the holding role plays (a step may
    sit at a fixed unit), not always the competent one."""
    step = in_process.steps.get(status="active", role=Role.SPECIALIST)
    step.unit = personas.unit_y
    step.save(update_fields=["unit"])
    in_process.refresh_from_db()
    plain = dossier_plain_timeline(in_process, now=MONDAY + 2 * H)
    assert plain.holder.text == f"Chuyên viên thẩm định — {personas.unit_y.name}"


def test_an_open_correction_request_is_with_the_competent_unit(personas, staff, in_process):
    """R19a: while the applicant's correction request is open, the competent unit's
    leadership holds it, with the correction's own due moment."""
    d = in_process
    d.status = S.RESULT_RETURNED
    d.correction_requested_at = MONDAY + 3 * D
    d.correction_due_at = MONDAY + 8 * D
    plain = dossier_plain_timeline(d, now=MONDAY + 4 * D)
    assert plain.holder.text == f"Lãnh đạo — {personas.unit_x.name}"
    assert plain.next_step == "Cơ quan đính chính kết quả và trả lại cho bạn"
    assert plain.time_text == "Hạn trả kết quả đã đính chính: 8 giờ ngày 10 tháng 3 năm 2026."
    assert plain.todo == "Bạn không cần làm gì lúc này."


def test_after_an_apology_the_new_appointment_is_counted(personas, staff, in_process):
    d = in_process
    d.extended_at = MONDAY + 3 * D
    plain = dossier_plain_timeline(d, now=MONDAY + 3 * D)
    assert "Cơ quan đã xin lỗi và hẹn lại ngày trả kết quả." in plain.notes
    late = dossier_plain_timeline(d, now=d.due_at + D)
    assert late.late and "đã hẹn lại một lần" in late.time_text


def test_the_tracking_page_shows_the_timeline_after_the_second_factor(
    client, personas, staff, in_process
):
    """The QR on Form 01 leads to the public tracking page: with the right last 4 digits
    it shows the same timeline (units and roles, no name); without them, nothing."""
    url = reverse("tracking:detail", args=[in_process.code])
    assert 'id="plain-timeline"' not in client.get(url).content.decode()
    response = client.post(url, {"factor": personas.citizen_a.personal_id[-4:]})
    assert response.status_code == 200
    html = response.content.decode()
    block = html.split('id="plain-timeline"')[1].split("</section>")[0]
    assert "Hồ sơ đang được thẩm định" in block
    assert f"Chuyên viên thẩm định — {personas.unit_x.name}" in block
    assert staff.specialist_x.full_name not in block
    assert "js/read_aloud.js" in html and "data-read-aloud" in block
