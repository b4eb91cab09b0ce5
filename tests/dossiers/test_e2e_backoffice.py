"""Back-office dossier screens driven in headless Chromium: counter reception to
return of the result, online dossier with a supplement, and the one-time apology
(Decree 61/2018 Art. 17–20; Form 04 at most once, Art. 19(9))."""

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.testing.fixtures import receive_dossier
from motcua.core.testing.personas import PASSWORD
from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.e2e


def login_officer(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(user.username)
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    otp = page.locator(
        "input[name='otp_token'], input[name='token'], input[autocomplete='one-time-code']"
    ).first
    otp.wait_for()
    device = TOTPDevice.objects.get(user=user)
    # Officers log in several times within one 30 s window in this test; the replay
    # guard would refuse the same code twice, so forget the last used step.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    otp.fill(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.locator("form button[type='submit']").last.click()
    page.wait_for_url("**/quan-tri/**")


def open_dossier(page, d) -> None:
    page.goto(f"/quan-tri/ho-so/{d.pk}/")
    page.locator("h1", has_text=d.code or "").first.wait_for()


def act(page, action: str, label: str, fields: dict[str, str] | None = None) -> None:
    """Fill and submit the action's form on the dossier page, wait for the result."""
    form = page.locator(f"form[action$='/thao-tac/{action}/']")
    for name, value in (fields or {}).items():
        field = form.locator(f"[name='{action}-{name}']")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.locator("button[type='submit']").click()
    page.get_by_text(f"Đã thực hiện: {label}.").wait_for()


def refreshed(d) -> Dossier:
    return Dossier.objects.get(pk=d.pk)


def test_counter_dossier_from_reception_to_return(
    page, transactional_db, personas, staff, version, e_signing
):
    citizen = personas.citizen_a
    login_officer(page, personas.receptionist_x)
    page.goto("/quan-tri/ho-so/tiep-nhan/")
    page.locator("input[name='personal_id']").fill(citizen.personal_id)
    page.get_by_role("button", name="Tìm công dân").click()
    page.get_by_text(citizen.full_name).first.wait_for()
    page.locator("select[name='version']").select_option(value=str(version.pk))
    page.get_by_role("button", name="Chọn").click()
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn (Mẫu 01)").click()
    page.wait_for_url("**/mau-01/")
    d = Dossier.objects.get(applicant=citizen)
    assert d.status == DossierStatus.RECEIVED
    assert d.submitted_on_behalf_by == personas.receptionist_x
    assert d.code in page.content()

    # Form 01 as PDF from the dossier page.
    open_dossier(page, d)
    with page.expect_download() as download:
        page.get_by_role("link", name="Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả").click()
    assert download.value.suggested_filename == f"mau-01-{d.code}.pdf"

    login_officer(page, personas.leader_x)
    open_dossier(page, d)
    act(page, "assign", "Phân công xử lý", {"assignee": staff.specialist_x.full_name})
    assert refreshed(d).assignee == staff.specialist_x

    login_officer(page, staff.specialist_x)
    open_dossier(page, d)
    act(page, "submit_for_approval", "Trình lãnh đạo phê duyệt", {"reason": "Đủ điều kiện"})

    login_officer(page, personas.leader_x)
    open_dossier(page, d)
    # Only the allowed actions are offered: no issuing for the leader.
    assert page.locator("form[action$='/thao-tac/issue_result/']").count() == 0
    act(page, "approve", "Phê duyệt")

    login_officer(page, staff.clerk_x)
    open_dossier(page, d)
    act(page, "issue_result", "Ban hành kết quả", {"result_number": "123/GKS"})
    assert refreshed(d).status == DossierStatus.RESOLVED

    login_officer(page, personas.receptionist_x)
    open_dossier(page, d)
    act(page, "return_result", "Trả kết quả", {"collected_by": citizen.full_name})
    final = refreshed(d)
    assert final.status == DossierStatus.RESULT_RETURNED
    assert final.returned_at is not None
    # Only one action is left at the counter: asking, for the citizen, for a correction
    # of the result (Decree 118/2025 Art. 23(1)).
    assert page.locator("form.dossier-action").count() == 1
    assert page.locator("form[action$='/thao-tac/request_correction/']").count() == 1


def test_online_dossier_with_a_supplement(
    page, transactional_db, personas, staff, version, e_signing
):
    citizen = personas.citizen_a
    d = services.dossier_submit_online(
        applicant=citizen,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
        components=[
            services.ComponentInput(component=c, files=[{"name": f"{c.code}.pdf"}])
            for c in version.components.all()
        ],
    )
    login_officer(page, personas.receptionist_x)
    page.goto(f"/quan-tri/ho-so/{d.pk}/")
    page.locator("form[action$='/thao-tac/receive/'] button[type='submit']").click()
    page.wait_for_url("**/mau-01/")
    d = refreshed(d)
    assert d.status == DossierStatus.RECEIVED and d.code

    login_officer(page, personas.leader_x)
    open_dossier(page, d)
    act(page, "assign", "Phân công xử lý", {"assignee": staff.specialist_x.full_name})

    login_officer(page, staff.specialist_x)
    open_dossier(page, d)
    reasons = "Giấy chứng sinh là bản chụp, cần bản chính"
    # The published component is ticked, with its reason (law.md R12b).
    birth = version.components.get(code="GCS")
    page.locator(f"[name='request_supplement-item_{birth.pk}']").check()
    act(page, "request_supplement", "Yêu cầu bổ sung hồ sơ", {f"why_{birth.pk}": reasons})
    assert refreshed(d).status == DossierStatus.SUPPLEMENT_REQUESTED
    assert page.get_by_role("link", name="Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ").count()

    # The citizen supplies the documents on the portal (service call here).
    current = refreshed(d)
    services.dossier_supplement_provided(
        dossier=current, actor=citizen, expected_version=current.version
    )

    open_dossier(page, d)
    act(page, "submit_for_approval", "Trình lãnh đạo phê duyệt")
    login_officer(page, personas.leader_x)
    open_dossier(page, d)
    act(page, "approve", "Phê duyệt")
    login_officer(page, staff.clerk_x)
    open_dossier(page, d)
    act(page, "issue_result", "Ban hành kết quả", {"result_number": "45/GKS"})
    final = refreshed(d)
    assert final.status == DossierStatus.RESOLVED
    assert final.supplement_count == 1
    assert final.result_number == "45/GKS"


def test_apology_once_then_refused(page, transactional_db, personas, version):
    submitted = services.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={},
        components=[],
    )
    d = receive_dossier(submitted, receptionist=personas.receptionist_x)
    new_due = timezone.localtime(d.due_at) + dt.timedelta(days=7)
    login_officer(page, personas.leader_x)
    open_dossier(page, d)
    act(
        page,
        "extend_with_apology",
        "Xin lỗi và hẹn lại ngày trả kết quả",
        {
            "new_due_at": f"{new_due:%Y-%m-%dT%H:%M}",
            "reason": "Chờ kết quả xác minh của cơ quan khác",
            "reason_kind": "Khách quan",
        },
    )
    after = refreshed(d)
    assert after.extended_at is not None
    assert timezone.localtime(after.due_at).date() == new_due.date()
    assert f"{new_due:%d/%m/%Y}" in page.locator("dl.props").inner_text()
    assert "Mẫu 04" in page.content()

    # The form is no longer offered; a forged second request is refused in Vietnamese.
    assert page.locator("form[action$='/thao-tac/extend_with_apology/']").count() == 0
    token = page.locator("input[name='csrfmiddlewaretoken']").first.input_value()
    later = new_due + dt.timedelta(days=7)
    response = page.request.post(
        f"/quan-tri/ho-so/{d.pk}/thao-tac/extend_with_apology/",
        form={
            "csrfmiddlewaretoken": token,
            "extend_with_apology-expected_version": str(after.version),
            "extend_with_apology-new_due_at": f"{later:%Y-%m-%dT%H:%M}",
            "extend_with_apology-reason": "Lần hai",
            "extend_with_apology-reason_kind": "objective",
        },
    )
    assert response.status == 400
    assert "không thể gia hạn lần nữa" in response.text()
    assert timezone.localtime(refreshed(d).due_at).date() == new_due.date()
