"""Dossier services: the happy paths through the lifecycle and every refusal."""

import datetime as dt
import re

import pytest

from motcua.core.models import AuditEntry
from motcua.dossiers import services
from motcua.dossiers.constants import Channel, DossierStatus, PauseKind, StepStatus
from motcua.dossiers.errors import (
    ConcurrentModification,
    ExtensionRefused,
    IllegalTransition,
    InvalidDossierData,
    NotPermitted,
    ReasonRequired,
    SupplementRefused,
)
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.supplement_items import SupplementItem

from .conftest import MONDAY, TZ

S = DossierStatus
H = dt.timedelta(hours=1)


def snapshot(dossier):
    d = Dossier.objects.get(pk=dossier.pk)
    return (d.status, d.version, d.due_at, d.events.count(), d.steps.count())


def test_counter_happy_path_receive_to_return(personas, staff, version, e_signing):
    d = services.dossier_create_at_counter(
        actor=personas.receptionist_x,
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        components=[
            services.ComponentInput(component=c, digitized=True) for c in version.components.all()
        ],
        now=MONDAY,
    )
    # Directive 04: submitted through the citizen's own account by the receptionist.
    assert d.applicant == personas.citizen_a
    assert d.submitted_on_behalf_by == personas.receptionist_x
    assert d.channel == Channel.IN_PERSON
    assert d.status == S.SUBMITTED and d.code is None

    d = services.dossier_receive(
        dossier=d, actor=personas.receptionist_x, expected_version=1, now=MONDAY
    )
    assert d.status == S.RECEIVED
    assert d.code == "000.00.01.H47-260302-0001"
    # 5 working days from Monday 08:00 → Monday 09/03/2026 08:00.
    assert d.due_at == dt.datetime(2026, 3, 9, 8, 0, tzinfo=TZ)
    assert d.original_due_at == d.due_at
    steps = list(d.steps.order_by("order"))
    assert [s.status for s in steps] == [
        StepStatus.DONE,
        StepStatus.ACTIVE,
        StepStatus.PENDING,
        StepStatus.PENDING,
    ]
    # Reception 0.5 day = 4 working hours (08:00–11:30 + 13:00–13:30), then 3 days.
    assert steps[0].due_at == dt.datetime(2026, 3, 2, 13, 30, tzinfo=TZ)
    assert steps[1].due_at == dt.datetime(2026, 3, 5, 13, 30, tzinfo=TZ)

    d = services.dossier_assign(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        assignee=staff.specialist_x,
        now=MONDAY + H,
    )
    assert d.status == S.IN_PROCESS and d.assignee == staff.specialist_x
    d = services.dossier_submit_for_approval(
        dossier=d, actor=staff.specialist_x, expected_version=d.version, now=MONDAY + 2 * H
    )
    assert d.status == S.AWAITING_APPROVAL
    d = services.dossier_approve(
        dossier=d, actor=personas.leader_x, expected_version=d.version, now=MONDAY + 3 * H
    )
    assert d.status == S.APPROVED
    d = services.dossier_issue_result(
        dossier=d,
        actor=staff.clerk_x,
        expected_version=d.version,
        result_number="12/GKS",
        now=MONDAY + 4 * H,
    )
    assert d.status == S.RESOLVED and d.completed_at == MONDAY + 4 * H
    d = services.dossier_return_result(
        dossier=d,
        actor=personas.receptionist_x,
        expected_version=d.version,
        channel="counter",
        collected_by="Nguyễn Văn A",
        now=MONDAY + 5 * H,
    )
    assert d.status == S.RESULT_RETURNED
    assert d.returned_at == MONDAY + 5 * H
    assert all(s.status == StepStatus.DONE for s in d.steps.all())
    actions = list(d.events.values_list("action", flat=True))
    assert actions == [
        "create_at_counter",
        "receive",
        "assign",
        "submit_for_approval",
        "approve",
        "issue_result",
        "return_result",
    ]
    # Every transition is audited.
    assert (
        AuditEntry.objects.filter(action__startswith="dossier.", object_id=str(d.pk)).count() == 7
    )
    assert d.version == 7


def test_online_supplement_restart_then_result(personas, staff, in_process, e_signing):
    d = in_process
    birth = d.procedure_version.components.get(code="GCS")
    d = services.dossier_request_supplement(
        dossier=d,
        actor=staff.specialist_x,
        expected_version=d.version,
        items=[SupplementItem(reason="Cần bản chính", component_id=birth.pk)],
        now=MONDAY + 2 * H,
    )
    assert d.status == S.SUPPLEMENT_REQUESTED
    assert d.supplement_count == 1
    assert d.warnings == []
    # The clock pauses when the notice reaches the applicant (law.md R12c).
    assert not d.pauses.exists()
    services.supplement_notice_delivered(dossier=d, channel="portal", now=MONDAY + 3 * H)
    pause = d.pauses.get()
    assert pause.kind == PauseKind.SUPPLEMENT and pause.ended_at is None

    provided_at = dt.datetime(2026, 3, 4, 9, 0, tzinfo=TZ)  # Wednesday
    d = services.dossier_supplement_provided(
        dossier=d,
        actor=personas.citizen_a,
        expected_version=d.version,
        components=[services.ComponentInput(name="Giấy chứng sinh (bản chính)")],
        now=provided_at,
    )
    assert d.status == S.IN_PROCESS
    # Decree 61 Art. 19(4): recounted from zero → 5 working days from Wed 09:00.
    assert d.due_at == dt.datetime(2026, 3, 11, 9, 0, tzinfo=TZ)
    assert d.original_due_at == dt.datetime(2026, 3, 9, 8, 0, tzinfo=TZ)
    assert d.components.filter(supplemented=True).count() == 1
    d = services.dossier_submit_for_approval(
        dossier=d, actor=staff.specialist_x, expected_version=d.version, now=provided_at + H
    )
    d = services.dossier_approve(
        dossier=d, actor=personas.leader_x, expected_version=d.version, now=provided_at + 2 * H
    )
    d = services.dossier_issue_result(
        dossier=d,
        actor=staff.clerk_x,
        expected_version=d.version,
        result_number="1/KQ",
        now=provided_at + 3 * H,
    )
    d = services.dossier_return_result(
        dossier=d,
        actor=personas.receptionist_x,
        expected_version=d.version,
        channel="online",
        now=provided_at + 4 * H,
    )
    assert d.status == S.RESULT_RETURNED
    assert d.code == "000.00.01.H47-260302-0001"  # unchanged by the supplement


def test_subtract_policy_adds_waiting_time(personas, staff, in_process, settings):
    settings.MOTCUA_SUPPLEMENT_CLOCK_POLICY = "subtract"
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu tờ khai",
        now=MONDAY + 2 * H,
    )
    # Delivered at once (law.md R12c: the pause starts at the delivery).
    services.supplement_notice_delivered(dossier=d, channel="sms", now=MONDAY + 2 * H)
    d = services.dossier_supplement_provided(
        dossier=d,
        actor=personas.citizen_a,
        expected_version=d.version,
        now=MONDAY + dt.timedelta(days=1, hours=2),  # Tuesday 10:00: 8 working hours later
    )
    assert d.due_at == dt.datetime(2026, 3, 10, 8, 0, tzinfo=TZ)


def test_late_supplement_request_is_warned_and_a_second_refused(personas, staff, in_process):
    # Received Mon 02/03/2026: Decree 118/2025 (+ Circular 03). The second request is
    # refused (Art. 11(2)(c), 19(5)); under Decree 61 it is only warned
    # (tests/dossiers/test_rulesets.py).
    late = dt.datetime(2026, 3, 6, 9, 0, tzinfo=TZ)  # Friday: > 3 working days after Monday
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu tờ khai",
        now=late,
    )
    assert any("03 ngày làm việc" in w and "118/2025" in w for w in d.warnings)
    assert d.events.last().payload["late_notice"] is True
    d = services.dossier_supplement_provided(
        dossier=d, actor=personas.citizen_a, expected_version=d.version, now=late + H
    )
    with pytest.raises(SupplementRefused, match="một lần"):
        services.dossier_request_supplement(
            dossier=d,
            actor=staff.specialist_x,
            expected_version=d.version,
            reason="Thiếu chữ ký",
            now=late + 2 * H,
        )
    d.refresh_from_db()
    assert d.supplement_count == 1


def test_apology_once_at_least_one_working_day_before(personas, in_process):
    d = in_process
    new_due = dt.datetime(2026, 3, 12, 17, 0, tzinfo=TZ)
    d = services.dossier_extend_with_apology(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        new_due_at=new_due,
        reason="Chờ kết quả xác minh",
        reason_kind="objective",
        now=MONDAY + 2 * H,
    )
    assert d.status == S.IN_PROCESS
    assert d.due_at == new_due
    assert d.due_before_extension == dt.datetime(2026, 3, 9, 8, 0, tzinfo=TZ)
    assert d.events.last().payload["form"] == "04"
    before = snapshot(d)
    with pytest.raises(ExtensionRefused, match="một lần"):
        services.dossier_extend_with_apology(
            dossier=d,
            actor=personas.leader_x,
            expected_version=d.version,
            new_due_at=new_due + dt.timedelta(days=3),
            reason="Lần hai",
            reason_kind="subjective",
            now=MONDAY + 3 * H,
        )
    assert snapshot(d) == before


def test_apology_too_late_is_refused(personas, in_process):
    too_late = dt.datetime(2026, 3, 6, 9, 0, tzinfo=TZ)  # < 1 working day before Mon 08:00
    before = snapshot(in_process)
    with pytest.raises(ExtensionRefused, match="01 ngày"):
        services.dossier_extend_with_apology(
            dossier=in_process,
            actor=personas.leader_x,
            expected_version=in_process.version,
            new_due_at=dt.datetime(2026, 3, 13, 17, 0, tzinfo=TZ),
            reason="Chậm",
            reason_kind="subjective",
            now=too_late,
        )
    assert snapshot(in_process) == before


def test_stale_version_is_refused_and_nothing_written(personas, staff, in_process):
    stale = in_process.version - 1
    before = snapshot(in_process)
    with pytest.raises(ConcurrentModification, match="người khác cập nhật"):
        services.dossier_submit_for_approval(
            dossier=in_process, actor=staff.specialist_x, expected_version=stale
        )
    assert snapshot(in_process) == before


def test_illegal_transition_is_refused(personas, received):
    before = snapshot(received)
    with pytest.raises(IllegalTransition, match="trạng thái"):
        services.dossier_approve(
            dossier=received, actor=personas.leader_x, expected_version=received.version
        )
    with pytest.raises(IllegalTransition):
        services.dossier_receive(
            dossier=received, actor=personas.receptionist_x, expected_version=received.version
        )
    assert snapshot(received) == before


def test_officer_of_another_unit_cannot_act(personas, staff, submitted, received):
    before = snapshot(received)
    with pytest.raises(NotPermitted):
        services.dossier_assign(
            dossier=received,
            actor=staff.leader_y,
            expected_version=received.version,
            assignee=staff.specialist_x,
        )
    assert snapshot(received) == before


def test_receptionist_of_another_unit_cannot_receive(personas, staff, version):
    d = services.dossier_submit_online(
        applicant=personas.citizen_a, procedure_version=version, receiving_unit=personas.unit_x
    )
    with pytest.raises(NotPermitted):
        services.dossier_receive(dossier=d, actor=staff.receptionist_y, expected_version=1)
    assert Dossier.objects.get(pk=d.pk).code is None


def test_citizen_b_cannot_act_on_citizen_a_dossier(personas, in_process):
    with pytest.raises(NotPermitted):
        services.dossier_withdraw(
            dossier=in_process,
            actor=personas.citizen_b,
            expected_version=in_process.version,
            reason="Không cần nữa",
        )


def test_only_the_assigned_specialist_may_act(personas, staff, in_process):
    other = staff.specialist_x.__class__.objects.create_user(
        "cv2.x", "x-Password-1", kind="staff", full_name="Chuyên viên 2"
    )
    from motcua.org.models import StaffAssignment

    StaffAssignment.objects.create(
        user=other, unit=personas.unit_x, role="specialist", valid_from=dt.date(2020, 1, 1)
    )
    with pytest.raises(NotPermitted, match="chuyên viên khác"):
        services.dossier_submit_for_approval(
            dossier=in_process, actor=other, expected_version=in_process.version
        )


def test_reason_is_required(personas, staff, in_process, submitted):
    for call in [
        lambda: services.dossier_request_supplement(
            dossier=in_process,
            actor=staff.specialist_x,
            expected_version=in_process.version,
            reason="  ",
        ),
        lambda: services.dossier_refuse_after_appraisal(
            dossier=in_process,
            actor=personas.leader_x,
            expected_version=in_process.version,
            reason="",
        ),
    ]:
        with pytest.raises(ReasonRequired):
            call()


def test_refusals_at_reception(personas, version):
    d = services.dossier_submit_online(
        applicant=personas.citizen_a, procedure_version=version, receiving_unit=personas.unit_x
    )
    d = services.dossier_return_for_completion_at_reception(
        dossier=d,
        actor=personas.receptionist_x,
        expected_version=1,
        reason="Thiếu tờ khai có chữ ký",
    )
    assert d.status == S.RETURNED_FOR_COMPLETION and d.code is None
    assert d.events.last().payload["form"] == "02"
    d = services.dossier_resubmit(dossier=d, actor=personas.citizen_a, expected_version=2)
    assert d.status == S.SUBMITTED
    d = services.dossier_refuse_reception(
        dossier=d,
        actor=personas.receptionist_x,
        expected_version=3,
        reason="Không thuộc thẩm quyền",
    )
    assert d.status == S.REJECTED_AT_RECEPTION
    assert d.events.last().payload["form"] == "03"


def test_refuse_after_appraisal_and_withdraw(personas, staff, in_process, version):
    d = services.dossier_refuse_after_appraisal(
        dossier=in_process,
        actor=personas.leader_x,
        expected_version=in_process.version,
        reason="Không đủ điều kiện",
        now=MONDAY + 2 * H,
    )
    assert d.status == S.REFUSED and d.completed_at is not None
    other = services.dossier_submit_online(
        applicant=personas.citizen_a, procedure_version=version, receiving_unit=personas.unit_x
    )
    other = services.dossier_withdraw(
        dossier=other, actor=personas.citizen_a, expected_version=1, reason="Nộp nhầm"
    )
    assert other.status == S.WITHDRAWN


def test_send_back_reopens_appraisal(personas, staff, in_process):
    d = services.dossier_submit_for_approval(
        dossier=in_process, actor=staff.specialist_x, expected_version=in_process.version
    )
    d = services.dossier_send_back(
        dossier=d, actor=personas.leader_x, expected_version=d.version, reason="Sửa trích yếu"
    )
    assert d.status == S.IN_PROCESS
    active = d.steps.get(status=StepStatus.ACTIVE)
    assert active.role == "specialist"


def test_transfer_only_to_a_competent_unit(personas, staff, received):
    """Issue 18: the transfer list offered every unit; only competent ones are offered
    and accepted."""
    from motcua.catalog.models import Competence
    from motcua.dossiers.forms import TransferForm
    from motcua.dossiers.selectors import transfer_targets
    from motcua.dossiers.workflow import TRANSITIONS

    assert not transfer_targets(received).exists()
    with pytest.raises(InvalidDossierData):
        services.dossier_transfer(
            dossier=received,
            actor=personas.leader_x,
            expected_version=received.version,
            to_unit=personas.unit_y,
            reason="Thuộc thẩm quyền Sở Y",
        )
    Competence.objects.create(
        procedure=received.procedure_version.procedure,
        unit=personas.unit_y,
        valid_from=dt.date(2020, 1, 1),
    )
    assert list(transfer_targets(received)) == [personas.unit_y]
    transition = next(t for t in TRANSITIONS if t.action == "transfer")
    form = TransferForm(transition=transition, dossier=received)
    assert list(form.fields["to_unit"].queryset) == [personas.unit_y]


def test_transfer_keeps_history(personas, staff, received):
    from motcua.catalog.models import Competence

    Competence.objects.create(
        procedure=received.procedure_version.procedure,
        unit=personas.unit_y,
        valid_from=dt.date(2020, 1, 1),
    )
    d = services.dossier_transfer(
        dossier=received,
        actor=personas.leader_x,
        expected_version=received.version,
        to_unit=personas.unit_y,
        reason="Thuộc thẩm quyền Sở Y",
    )
    assert d.competent_unit == personas.unit_y and d.status == S.RECEIVED
    assert d.events.count() == 3
    # Now unit Y's leader may assign; unit X's may not.
    with pytest.raises(NotPermitted):
        services.dossier_assign(
            dossier=d,
            actor=personas.leader_x,
            expected_version=d.version,
            assignee=personas.specialist_y,
        )
    d = services.dossier_assign(
        dossier=d,
        actor=staff.leader_y,
        expected_version=d.version,
        assignee=personas.specialist_y,
    )
    assert d.assignee == personas.specialist_y


def test_assignee_must_be_a_specialist_of_the_competent_unit(personas, received):
    with pytest.raises(InvalidDossierData):
        services.dossier_assign(
            dossier=received,
            actor=personas.leader_x,
            expected_version=received.version,
            assignee=personas.specialist_y,
        )


def test_issue_result_requires_a_number(personas, staff, in_process, e_signing):
    d = services.dossier_submit_for_approval(
        dossier=in_process, actor=staff.specialist_x, expected_version=in_process.version
    )
    d = services.dossier_approve(dossier=d, actor=personas.leader_x, expected_version=d.version)
    with pytest.raises(InvalidDossierData):
        services.dossier_issue_result(
            dossier=d, actor=staff.clerk_x, expected_version=d.version, result_number=""
        )


def test_online_submission_refused_for_offline_procedures(personas, version):
    version.online_mode = "none"
    version.save()
    with pytest.raises(InvalidDossierData):
        services.dossier_submit_online(
            applicant=personas.citizen_a,
            procedure_version=version,
            receiving_unit=personas.unit_x,
        )


def test_counter_requires_a_receptionist_of_the_unit(personas, version):
    with pytest.raises(NotPermitted):
        services.dossier_create_at_counter(
            actor=personas.specialist_y,
            applicant=personas.citizen_a,
            procedure_version=version,
            receiving_unit=personas.unit_x,
        )


def test_events_are_append_only(received):
    event = received.events.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_codes_are_sequential_unique_and_per_unit_day(personas, version):
    codes = []
    for _ in range(30):
        d = services.dossier_submit_online(
            applicant=personas.citizen_a, procedure_version=version, receiving_unit=personas.unit_x
        )
        d = services.dossier_receive(
            dossier=d, actor=personas.receptionist_x, expected_version=1, now=MONDAY
        )
        codes.append(d.code)
    assert len(set(codes)) == 30
    assert codes[0].endswith("-260302-0001") and codes[-1].endswith("-260302-0030")
    assert all(re.fullmatch(r"000\.00\.01\.H47-\d{6}-\d{4}", c) for c in codes)
    d = services.dossier_submit_online(
        applicant=personas.citizen_a, procedure_version=version, receiving_unit=personas.unit_x
    )
    d = services.dossier_receive(
        dossier=d,
        actor=personas.receptionist_x,
        expected_version=1,
        now=MONDAY + dt.timedelta(days=1),
    )
    assert d.code == "000.00.01.H47-260303-0001"


def test_code_format_is_configurable(personas, version, settings):
    settings.MOTCUA_DOSSIER_CODE_FORMAT = "{unit}-{date:%Y%m%d}-{seq:07d}"
    d = services.dossier_submit_online(
        applicant=personas.citizen_a, procedure_version=version, receiving_unit=personas.unit_x
    )
    d = services.dossier_receive(
        dossier=d, actor=personas.receptionist_x, expected_version=1, now=MONDAY
    )
    assert d.code == "000.00.01.H47-20260302-0000001"


def test_event_records_actor_role_and_unit(personas, received):
    event = DossierEvent.objects.filter(dossier=received, action="receive").get()
    assert event.actor == personas.receptionist_x
    assert event.actor_role == "receptionist"
    assert event.unit == personas.unit_x
    assert event.from_status == S.SUBMITTED and event.to_status == S.RECEIVED
    assert event.payload["form"] == "01"
