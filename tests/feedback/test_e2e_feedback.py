"""Browser test (issue 8): a citizen reports harassment about a dossier; the
supervisor handles it, approves and publishes the answer; the citizen rates it."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.testing.personas import PASSWORD, build_personas, make_officer
from motcua.feedback.models import Feedback
from motcua.org.constants import Role
from tests.feedback.factories import make_dossier

pytestmark = pytest.mark.e2e

ANSWER = "Đã xác minh, cán bộ thụ lý bị kiểm điểm; hồ sơ của ông được giải quyết đúng hạn."


def _login(tab, identifier: str) -> None:
    tab.goto("/tai-khoan/dang-nhap/")
    tab.get_by_label("Tên đăng nhập", exact=False).first.fill(identifier)
    tab.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    tab.get_by_role("button", name="Đăng nhập").last.click()
    tab.wait_for_url(lambda url: "/dang-nhap/" not in url)


def _logout(tab) -> None:
    tab.get_by_role("button", name="Đăng xuất").click()
    tab.get_by_role("link", name="Đăng nhập").first.wait_for()


def _second_factor(tab, officer) -> None:
    device = TOTPDevice.objects.get(user=officer)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    tab.locator(
        "input[name='otp_token'], input[name='token'], input[autocomplete='one-time-code']"
    ).first.fill(code)
    tab.locator("form button[type='submit']").last.click()
    tab.wait_for_url("**/quan-tri/**")


def test_harassment_report_is_handled_published_and_rated(page, transactional_db):
    personas = build_personas()
    specialist = make_officer("chuyenvien.x", personas.unit_x, Role.SPECIALIST)
    dossier = make_dossier(
        applicant=personas.citizen_a,
        unit=personas.unit_x,
        assignee=specialist,
        receptionist=personas.receptionist_x,
    )

    # 1. The citizen reports harassment about their dossier.
    _login(page, personas.citizen_a.personal_id)
    page.goto(f"/phan-anh-kien-nghi/gui/?ho_so={dossier.pk}")
    page.get_by_label("Về hành vi, thái độ của cán bộ", exact=False).check()
    assert page.get_by_label("Hồ sơ liên quan").input_value() == str(dossier.pk)
    page.get_by_label("Tiêu đề").fill("Cán bộ gây phiền hà khi giải quyết hồ sơ")
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill(
        "Cán bộ thụ lý yêu cầu tôi đến lại nhiều lần và gợi ý phải 'bồi dưỡng' mới giải quyết."
    )
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url(re.compile(r"/phan-anh-kien-nghi/PA-"))
    fb = Feedback.objects.get()
    assert fb.code in page.content()
    assert fb.handling_unit == personas.province  # above the officer's unit
    _logout(page)

    # 2. The provincial supervisor handles it, approves and publishes the answer.
    supervisor = personas.supervisor
    _login(page, supervisor.username)
    _second_factor(page, supervisor)
    page.goto("/quan-tri/phan-anh/")
    page.get_by_role("link", name=fb.code).click()
    page.get_by_role("button", name="Tiếp nhận, phân loại").click()
    page.get_by_label("Nội dung trả lời người gửi").fill(ANSWER)
    page.get_by_role("button", name="Trình dự thảo trả lời").click()
    page.get_by_role("button", name="Duyệt trả lời").click()
    page.get_by_role("button", name="Công khai trả lời").click()
    page.get_by_text("Đã trả lời, công khai").first.wait_for()
    _logout(page)

    # 3. The citizen reads the answer and rates it.
    _login(page, personas.citizen_a.personal_id)
    page.goto("/phan-anh-kien-nghi/cua-toi/")
    page.get_by_role("link", name=fb.code).click()
    page.get_by_text(ANSWER).first.wait_for()  # wait for the navigation, not just the click
    page.get_by_role("radio", name="Hài lòng với trả lời", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_text("Cảm ơn bạn đã đánh giá").first.wait_for()
    fb.refresh_from_db()
    assert fb.verdict == "satisfied"
