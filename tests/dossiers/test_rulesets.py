"""Rule sets versioned by date (docs/law.md §0.2, R1): the pure
registry and selector, and the same dossier story told under each set."""

import datetime as dt
from dataclasses import dataclass

import pytest

from motcua.core.testing.fixtures import (
    TZ,
    assign_dossier,
    receive_dossier,
    submit_online_dossier,
)
from motcua.dossiers import rulesets, services
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import NATIONAL_STATUS, DossierStatus
from motcua.dossiers.errors import (
    ClosureNotDue,
    IllegalTransition,
    NotPermitted,
    SupplementRefused,
)
from motcua.dossiers.supplement_items import SupplementItem

S = DossierStatus
H = dt.timedelta(hours=1)


# --- the pure registry ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "name"),
    [
        (dt.date(2019, 1, 6), "nd61-2018"),
        # The last minute of 30/6/2025 in Viet Nam is still Decree 61.
        (dt.datetime(2025, 6, 30, 23, 59, tzinfo=TZ), "nd61-2018"),
        # 30/6/2025 17:30 UTC is 01/7/2025 00:30 in Viet Nam: Decree 118 (Art. 41).
        (dt.datetime(2025, 6, 30, 17, 30, tzinfo=dt.UTC), "nd118-2025"),
        (dt.date(2025, 9, 14), "nd118-2025"),
        (dt.date(2025, 9, 15), "nd118-2025-tt03"),  # Circular 03/2025 forms
        (dt.date(2026, 8, 4), "nd118-2025-tt03"),
        (dt.date(2026, 8, 5), "nd309-2026"),  # Decree 309/2026
        (dt.date(2017, 1, 1), "nd61-2018"),  # nothing older: the first set
    ],
)
def test_the_set_in_force_is_selected_by_the_local_date(moment, name):
    assert rulesets.ruleset_at(moment).name == name


def test_registry_names_and_periods():
    assert set(rulesets.REGISTRY) == {"nd61-2018", "nd118-2025", "nd118-2025-tt03", "nd309-2026"}
    assert rulesets.effective_to(rulesets.ND61) == dt.date(2025, 6, 30)
    assert rulesets.effective_to(rulesets.ND118) == dt.date(2025, 9, 14)
    assert rulesets.effective_to(rulesets.ND309) is None
    with pytest.raises(rulesets.UnknownRuleSet):
        rulesets.get("nd999")


def test_a_stored_set_wins_over_dates():
    received = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
    assert rulesets.ruleset_for("nd61-2018", received, None).name == "nd61-2018"
    assert rulesets.ruleset_for("", received, None).name == "nd118-2025-tt03"
    assert rulesets.ruleset_for("", None, received).name == "nd118-2025-tt03"


@dataclass(frozen=True)
class Expect:
    code_prefix: str
    supplement_max: int | None
    close_days: int | None
    stop: bool
    apology_title: str
    control_number: str
    register_number: str
    has_stop_form: bool


TABLE = {
    # Circular 01/2018 Art. 9, 19; Decree 61/2018 Art. 19(4), 26.
    "nd61-2018": Expect(
        "receiving",
        None,
        None,
        False,
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "05",
        "06",
        False,
    ),
    # Decree 118/2025 Art. 19(5)-(6), 21, 28 with the Circular 01 layouts.
    "nd118-2025": Expect(
        "competent",
        1,
        15,
        True,
        "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "05",
        "06",
        False,
    ),
    # Circular 03/2025 Appendix I: Forms 01–07.
    "nd118-2025-tt03": Expect(
        "competent",
        1,
        15,
        True,
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "06",
        "07",
        True,
    ),
    "nd309-2026": Expect(
        "competent",
        1,
        15,
        True,
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "06",
        "07",
        True,
    ),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_set_states_its_rules(name):
    rules, want = rulesets.get(name), TABLE[name]
    assert rules.code_prefix == want.code_prefix
    assert rules.supplement_max_requests == want.supplement_max
    assert rules.supplement_close_days == want.close_days
    assert rules.supplement_notice_working_days == 3
    assert rules.applicant_stop is want.stop
    assert rules.allows("stop_by_applicant", S.IN_PROCESS) is want.stop
    assert rules.allows("close_unsupplemented", S.SUPPLEMENT_REQUESTED) is want.stop
    # A received dossier is withdrawn under Decree 61, stopped under Decree 118 (Art. 21);
    # a submission not received yet can be withdrawn under both.
    assert rules.allows("withdraw", S.IN_PROCESS) is not want.stop
    assert rules.allows("withdraw", S.SUBMITTED)
    assert rules.form(rulesets.KEY_APOLOGY).title == want.apology_title
    assert rules.form(rulesets.KEY_CONTROL).number == want.control_number
    assert rules.form(rulesets.KEY_REGISTER).number == want.register_number
    assert rules.has_form(rulesets.KEY_STOP) is want.has_stop_form
    if want.stop:
        assert (rules.online_alert_hours, rules.online_reception_working_hours) == (2, 8)
        assert rules.correction_working_days == 3
        assert rules.boundary_free_in_province
    assert rules.apology_max == 1


def test_new_states_are_terminal_and_synced():
    # Art. 19(5) closure: "Dừng xử lý" (8); Art. 21 stop at the applicant's request (7).
    assert NATIONAL_STATUS[S.CLOSED_UNSUPPLEMENTED] == 8
    assert NATIONAL_STATUS[S.STOPPED] == 7
    assert {S.CLOSED_UNSUPPLEMENTED, S.STOPPED} <= wf.TERMINAL
    assert wf.BY_ACTION["stop_by_applicant"].sources == frozenset(rulesets.RECEIVED_STATES)
    off = rulesets.ND61.disabled_in(S.IN_PROCESS)
    assert "stop_by_applicant" not in {
        t.action for t in wf.actions_for(S.IN_PROCESS, {"applicant"}, off)
    }


# --- the same story under each set ---------------------------------------------------------

# Mondays 08:00 with no holiday in the week after: one under each set.
MONDAYS = {
    "nd61-2018": dt.datetime(2025, 3, 3, 8, 0, tzinfo=TZ),
    "nd118-2025-tt03": dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ),
}


def _items(d, reason="Thiếu"):
    """A supplement request citing the first published component (law.md R12b)."""
    component = d.procedure_version.components.order_by("order").first()
    return [SupplementItem(reason=reason, component_id=component.pk)]


def _ask_supplement(d, staff, at):
    from motcua.dossiers.services.notice import supplement_notice_delivered

    d = services.dossier_request_supplement(
        dossier=d, actor=staff.specialist_x, expected_version=d.version, items=_items(d), now=at
    )
    # The SMS reaches the applicant at once: the pause (and the Art. 19(5) closing
    # time) count from the delivery (law.md R12c).
    supplement_notice_delivered(dossier=d, channel="sms", now=at)
    return d


def _in_process(personas, staff, version, monday):
    d = submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x, now=monday
    )
    d = receive_dossier(d, receptionist=personas.receptionist_x, now=monday)
    return assign_dossier(d, leader=personas.leader_x, assignee=staff.specialist_x, now=monday + H)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MONDAYS))
def test_reception_freezes_the_set_and_prefixes_the_code(personas, version, name):
    monday = MONDAYS[name]
    d = submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x, now=monday
    )
    assert d.rule_set == ""  # not received yet: follows the set in force
    d = receive_dossier(d, receptionist=personas.receptionist_x, now=monday + H)
    d.refresh_from_db()
    assert d.rule_set == name
    assert d.rules.name == name
    assert d.events.get(action="receive").payload["rule_set"] == name
    # Competent = receiving here (unit X): the prefix is unit X under both sets.
    assert d.code.startswith(f"{personas.unit_x.code}-{monday:%y%m%d}-")


@pytest.mark.django_db
def test_code_prefix_is_the_competent_authority_from_decree_118(personas, version):
    """Art. 28(a): prefix = competent authority; Decree 61 Art. 26: the receiving unit."""
    from motcua.dossiers.codes import code_unit

    x, y = personas.unit_x, personas.unit_y
    assert code_unit(rulesets.ND61, receiving=x, competent=y) == x
    assert code_unit(rulesets.ND118_TT03, receiving=x, competent=y) == y
    d = submit_online_dossier(
        version=version,
        applicant=personas.citizen_a,
        unit=x,
        now=MONDAYS["nd118-2025-tt03"],
    )
    type(d).objects.filter(pk=d.pk).update(competent_unit=y)
    d = receive_dossier(d, receptionist=personas.receptionist_x, now=MONDAYS["nd118-2025-tt03"])
    assert d.code.startswith(f"{y.code}-260302-")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MONDAYS))
def test_second_supplement_request(personas, staff, version, name):
    monday = MONDAYS[name]
    d = _in_process(personas, staff, version, monday)
    d = _ask_supplement(d, staff, monday + 2 * H)
    assert not d.warnings  # within 3 working days
    d = services.dossier_supplement_provided(
        dossier=d, actor=personas.citizen_a, expected_version=d.version, now=monday + 3 * H
    )
    # Decree 118/2025: restart from zero at the complete supplement (Art. 19(5)):
    # 5 working days from Mon 11:00 = Mon 09/3/2026 11:00 (no holiday that week).
    if name == "nd61-2018":
        # A second request is the leader's, with the reason they approve it (R12b).
        for actor, approval in ((staff.specialist_x, "Cần"), (personas.leader_x, "")):
            with pytest.raises(SupplementRefused, match="lãnh đạo"):
                services.dossier_request_supplement(
                    dossier=d,
                    actor=actor,
                    expected_version=d.version,
                    items=_items(d, "Lần hai"),
                    approval_reason=approval,
                    now=monday + 4 * H,
                )
        d = services.dossier_request_supplement(
            dossier=d,
            actor=personas.leader_x,
            expected_version=d.version,
            items=_items(d, "Lần hai"),
            approval_reason="Bản chính cấp lại sau khi nộp, cần đối chiếu.",
            now=monday + 4 * H,
        )
        assert d.supplement_count == 2
        assert any("766" in w for w in d.warnings)
        event = d.events.filter(action="request_supplement").last()
        assert event.payload["approved_by_leader"].startswith("Bản chính")
    else:
        assert d.due_at == dt.datetime(2026, 3, 9, 11, 0, tzinfo=TZ)
        with pytest.raises(SupplementRefused):
            services.dossier_request_supplement(
                dossier=d,
                actor=staff.specialist_x,
                expected_version=d.version,
                reason="Lần hai",
                now=monday + 4 * H,
            )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MONDAYS))
def test_the_applicant_stops_or_withdraws(personas, staff, version, name):
    monday = MONDAYS[name]
    d = _in_process(personas, staff, version, monday)

    def end(service, who=personas.citizen_a, reason="x"):
        return service(
            dossier=d, actor=who, expected_version=d.version, reason=reason, now=monday + 2 * H
        )

    if name == "nd61-2018":
        with pytest.raises(IllegalTransition, match="61/2018"):
            end(services.dossier_stop_by_applicant)
        assert end(services.dossier_withdraw).status == S.WITHDRAWN
        return
    with pytest.raises(IllegalTransition, match="118/2025"):
        end(services.dossier_withdraw)
    with pytest.raises(NotPermitted):
        end(services.dossier_stop_by_applicant, who=personas.citizen_b)
    d = end(services.dossier_stop_by_applicant, reason="Không cần nữa")
    assert d.status == S.STOPPED and d.completed_at == monday + 2 * H
    e = d.events.last()
    assert e.action == "stop_by_applicant" and e.payload["form"] == "stop"
    assert "Điều 21" in e.payload["basis"]
    from motcua.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="dossier.stop_by_applicant").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "close_at"),
    [
        # Notice Mon 02/3/2026 10:00. 15 working days (default, the longer time for the
        # applicant): Mon 02/3 10:00 + 15 working days = Mon 23/3/2026 10:00.
        ("working_days", dt.datetime(2026, 3, 23, 10, 0, tzinfo=TZ)),
        # 15 calendar days: Tue 17/3/2026 10:00.
        ("days", dt.datetime(2026, 3, 17, 10, 0, tzinfo=TZ)),
    ],
)
def test_unsupplemented_dossier_is_closed_by_the_sweep(
    personas, staff, version, settings, kind, close_at
):
    settings.MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND = kind
    monday = MONDAYS["nd118-2025-tt03"]
    d = _in_process(personas, staff, version, monday)
    d = _ask_supplement(d, staff, monday + 2 * H)
    assert services.supplement_close_at(d) == close_at
    with pytest.raises(ClosureNotDue):
        services.dossier_close_unsupplemented(
            dossier=d, expected_version=d.version, now=close_at - H
        )
    assert services.close_expired_supplements(now=close_at - H) == 0
    assert services.close_expired_supplements(now=close_at) == 1
    d.refresh_from_db()
    assert d.status == S.CLOSED_UNSUPPLEMENTED
    assert d.pauses.get().ended_at == close_at
    e = d.events.last()
    assert e.actor is None and e.actor_role == "system"
    assert "Điều 19 khoản 5" in e.reason
    assert services.close_expired_supplements(now=close_at + H) == 0  # idempotent


@pytest.mark.django_db
def test_old_dossiers_are_never_closed_by_the_sweep(personas, staff, version):
    monday = MONDAYS["nd61-2018"]
    d = _in_process(personas, staff, version, monday)
    d = _ask_supplement(d, staff, monday + 2 * H)
    assert services.supplement_close_at(d) is None
    assert services.close_expired_supplements(now=monday + dt.timedelta(days=400)) == 0
    d.refresh_from_db()
    assert d.status == S.SUPPLEMENT_REQUESTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "shown"),
    [("nd61-2018", "Nghị định 61/2018/NĐ-CP"), ("nd118-2025-tt03", "Thông tư 03/2025/TT-VPCP")],
)
def test_officer_page_shows_the_rule_set_and_the_closing_time(
    personas, staff, version, client_for, name, shown
):
    from django.urls import reverse

    monday = MONDAYS[name]
    d = _in_process(personas, staff, version, monday)
    d = _ask_supplement(d, staff, monday + 2 * H)
    body = (
        client_for(personas.leader_x).get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    )
    assert "Bộ quy định áp dụng" in body and shown in body and name in body
    assert ("Hạn bổ sung hồ sơ" in body) is (name != "nd61-2018")


# --- forms of each set (law.md §1.12) -------------------------------------------------


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


FORM_TEXT = {
    # Circular 01/2018: Form 04 gives a new appointment; the control sheet is Form 05.
    "nd61-2018": ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "xin hẹn lại", "Mẫu số 05"),
    # Circular 03/2025: Form 04 asks for an extension; the control sheet is Form 06.
    "nd118-2025-tt03": (
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "đề nghị gia hạn",
        "Mẫu số 06",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MONDAYS))
def test_forms_follow_the_set_of_the_reception(personas, staff, version, client_for, name):
    from django.urls import reverse

    from motcua.dossiers import forms_pdf

    monday = MONDAYS[name]
    title, wording, control = FORM_TEXT[name]
    d = _in_process(personas, staff, version, monday)
    d = services.dossier_extend_with_apology(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        new_due_at=monday + dt.timedelta(days=14),
        reason="Cần xác minh",
        reason_kind="objective",
        now=monday + 2 * H,
    )
    apology = _pdf_text(forms_pdf.form_pdf(d, "04"))
    assert title in apology and wording in apology and "Mẫu số 04" in apology
    assert control in _pdf_text(forms_pdf.form_pdf(d, "05"))
    page = client_for(personas.leader_x).get(reverse("dossiers:detail", args=[d.pk]))
    assert control.replace(" số", "") + " — Phiếu kiểm soát" in page.content.decode()


@pytest.mark.django_db
def test_stop_notice_is_circular_03_form_05(personas, staff, version, client_for):
    from django.urls import reverse

    from motcua.dossiers import forms_pdf

    monday = MONDAYS["nd118-2025-tt03"]
    d = _in_process(personas, staff, version, monday)
    assert "stop" not in forms_pdf.available_forms(d)
    d = services.dossier_stop_by_applicant(
        dossier=d,
        actor=personas.citizen_a,
        expected_version=d.version,
        reason="Đã chuyển nơi cư trú",
        now=monday + 2 * H,
    )
    assert "stop" in forms_pdf.available_forms(d)
    text = _pdf_text(forms_pdf.form_pdf(d, "stop"))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Mẫu số 05" in text
    assert d.code in text and "Đã chuyển nơi cư trú" in text and "Điều 21" in text
    # The applicant downloads it and sees it among their papers on the portal.
    citizen = client_for(personas.citizen_a)
    pdf = citizen.get(reverse("dossiers:form_pdf", kwargs={"pk": d.pk, "number": "stop"}))
    assert pdf.status_code == 200
    body = citizen.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert "Thông báo dừng giải quyết hồ sơ" in body and "(Mẫu 05)" in body
    paper = citizen.get(reverse("my_dossiers:paper", args=[d.pk, "stop"])).content.decode()
    assert "Thông tư 03/2025/TT-VPCP" in paper and "Đã chuyển nơi cư trú" in paper


@pytest.mark.django_db
def test_no_stop_notice_before_circular_03(personas, staff, version):
    from motcua.dossiers import forms_pdf

    monday = dt.datetime(2025, 8, 4, 8, 0, tzinfo=TZ)  # Decree 118, before Circular 03
    d = _in_process(personas, staff, version, monday)
    assert d.rule_set == "nd118-2025"
    d = services.dossier_stop_by_applicant(
        dossier=d,
        actor=personas.citizen_a,
        expected_version=d.version,
        reason="x",
        now=monday + H * 2,
    )
    assert d.status == S.STOPPED
    assert "stop" not in forms_pdf.available_forms(d)
    apology_title = rulesets.get("nd118-2025").form("04").title
    assert apology_title == "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"


# --- online reception (Decree 118/2025 Art. 17(2), law.md R11a) ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MONDAYS))
def test_online_dossier_alerts_reception_with_8_working_hours(
    personas, version, client_for, django_capture_on_commit_callbacks, name
):
    from django.urls import reverse

    from motcua.notifications.models import Notification

    monday = MONDAYS[name]
    # Submitted Mon 11:00; 8 working hours on the test calendar (08:00-12:00, 13:00-17:00):
    # 1 h Mon morning, 4 h Mon afternoon, 3 h Tue morning -> Tue 11:00.
    with django_capture_on_commit_callbacks(execute=True):
        d = submit_online_dossier(
            version=version, applicant=personas.citizen_a, unit=personas.unit_x, now=monday + 3 * H
        )
    alerts = Notification.objects.filter(event="dossier_waiting_reception", dossier_id=d.pk)
    due = services.reception_due_at(d)
    page = client_for(personas.receptionist_x).get(reverse("dossiers:detail", args=[d.pk]))
    if name == "nd61-2018":  # no such limit before Decree 118
        assert due is None and not alerts.exists()
        assert "Hạn tiếp nhận" not in page.content.decode()
        return
    assert due == monday + dt.timedelta(days=1, hours=3)
    assert alerts.filter(recipient=personas.receptionist_x).exists()
    assert "Hạn tiếp nhận" in page.content.decode()
    assert "Điều 17 khoản 2" in page.content.decode()


@pytest.mark.django_db
def test_applicant_is_told_of_stop_and_closure(
    personas, staff, version, django_capture_on_commit_callbacks
):
    from motcua.notifications.models import Notification

    monday = MONDAYS["nd118-2025-tt03"]
    d = _in_process(personas, staff, version, monday)
    d = _ask_supplement(d, staff, monday + 2 * H)
    close_at = services.supplement_close_at(d)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_expired_supplements(now=close_at)
    assert Notification.objects.filter(
        recipient=personas.citizen_a, event="dossier_closed_unsupplemented", dossier_id=d.pk
    ).exists()
    other = _in_process(personas, staff, version, monday)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_stop_by_applicant(
            dossier=other, actor=personas.citizen_a, expected_version=other.version, reason="x"
        )
    assert Notification.objects.filter(event="dossier_stopped", dossier_id=other.pk).exists()


@pytest.mark.django_db
def test_late_or_second_answer_to_an_online_dossier_is_warned(personas, version):
    monday = MONDAYS["nd118-2025-tt03"]
    d = submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x, now=monday + 3 * H
    )

    def send_back(d, reason, at):
        return services.dossier_return_for_completion_at_reception(
            dossier=d,
            actor=personas.receptionist_x,
            expected_version=d.version,
            reason=reason,
            now=at,
        )

    # Due Tue 03/3 11:00 (8 working hours); answered Tue 10:00: in time.
    d = send_back(d, "Thiếu giấy chứng sinh", monday + dt.timedelta(days=1, hours=2))
    assert not d.warnings
    d = services.dossier_resubmit(
        dossier=d, actor=personas.citizen_a, expected_version=d.version, now=monday + 27 * H
    )
    # Resubmitted Tue 11:00 -> due Wed 11:00; a second request on Thu is late and a
    # second round (Art. 17(2)(a)): both warned, still recorded.
    d = send_back(d, "Ảnh chụp mờ", monday + dt.timedelta(days=3, hours=1))
    assert any("08 giờ làm việc" in w for w in d.warnings)
    assert any("một lần" in w for w in d.warnings)
    assert d.events.last().payload["warnings"] == d.warnings


@pytest.mark.django_db
def test_citizen_sees_the_supplement_deadline(personas, staff, version, client_for):
    from django.urls import reverse

    monday = MONDAYS["nd118-2025-tt03"]
    d = _ask_supplement(_in_process(personas, staff, version, monday), staff, monday + 2 * H)
    body = client_for(personas.citizen_a).get(reverse("my_dossiers:detail", args=[d.pk]))
    text = body.content.decode()
    assert "Hạn bổ sung: 10:00 23/03/2026." in text and "Điều 19 khoản 5" in text
