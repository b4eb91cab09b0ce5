"""A citizen and an officer log in through the real UI in headless Chromium."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.testing.personas import PASSWORD, build_personas


def _login(page, identifier: str) -> None:
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(identifier)
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()


def test_citizen_logs_in_with_personal_id_on_a_phone(mobile_page, transactional_db):
    personas = build_personas()
    _login(mobile_page, personas.citizen_a.personal_id)
    mobile_page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    assert "/quan-tri/" not in mobile_page.url
    assert personas.citizen_a.full_name in mobile_page.content()


def test_officer_logs_in_with_totp_and_reaches_back_office(page, transactional_db):
    personas = build_personas()
    officer = personas.receptionist_x
    _login(page, officer.username)
    device = TOTPDevice.objects.get(user=officer)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.locator(
        "input[name='otp_token'], input[name='token'], input[autocomplete='one-time-code']"
    ).first.fill(code)
    page.locator("form button[type='submit']").last.click()
    page.wait_for_url("**/quan-tri/**")
    assert "Tiếp nhận hồ sơ" in page.content()
