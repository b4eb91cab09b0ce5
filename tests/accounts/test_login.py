import json
import re

import pytest
from django.test import Client

from motcua.core.models import AuditEntry
from motcua.core.testing.personas import PASSWORD
from tests.accounts.conftest import LOGIN_URL, post_login

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_with_one_identifier_field(client):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="identifier"' in html
    assert "Số định danh cá nhân, số điện thoại, mã số thuế hoặc tên đăng nhập" in html
    assert 'name="password"' in html


@pytest.mark.parametrize(
    ("persona", "identifier"),
    [
        ("citizen_a", "001090000001"),  # 12-digit personal identification number
        ("citizen_a", "0905000001"),  # phone number
        ("citizen_a", "0905 000 001"),  # spaces are ignored
        ("business", "4000000001"),  # tax code
    ],
)
def test_citizen_and_business_log_in_with_each_identifier(personas, client, persona, identifier):
    response = post_login(client, identifier)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/trang-chu/"
    assert client.session["_auth_user_id"] == str(getattr(personas, persona).pk)
    assert client.get("/tai-khoan/trang-chu/")["Location"] == "/tai-khoan/cua-toi/"


def test_staff_log_in_with_username_then_second_factor(personas, client):
    response = post_login(client, "tiepnhan.x")
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/xac-thuc-2-lop/"
    assert client.session["_auth_user_id"] == str(personas.receptionist_x.pk)


def test_wrong_password_gives_clear_message_and_no_session(personas, client):
    response = post_login(client, "001090000001", "sai-mat-khau")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Thông tin đăng nhập không đúng" in html
    assert "_auth_user_id" not in client.session


def test_unknown_identifier_gives_the_same_message(personas, client):
    response = post_login(client, "009999999999", "whatever-123")
    assert response.status_code == 400
    assert "Thông tin đăng nhập không đúng" in response.content.decode()


def test_empty_form_names_the_missing_fields(client):
    response = client.post(LOGIN_URL, {"identifier": "", "password": ""})
    html = response.content.decode()
    assert "Vui lòng nhập số định danh" in html
    assert "Vui lòng nhập mật khẩu" in html


def test_next_is_preserved_for_same_site_paths(personas, client):
    response = post_login(client, "001090000001", next="/tai-khoan/ho-so/")
    assert response["Location"] == "/tai-khoan/ho-so/"


def test_login_page_carries_next_into_the_form(client):
    html = client.get(LOGIN_URL + "?next=/tai-khoan/ho-so/").content.decode()
    assert 'value="/tai-khoan/ho-so/"' in html


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/\\evil.example",
        "\\\\evil.example",
        "https:///evil.example",
        "javascript:alert(1)",
    ],
)
def test_open_redirect_through_next_is_refused(personas, client, evil):
    response = post_login(client, "001090000001", next=evil)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/trang-chu/"
    html = Client().get(LOGIN_URL, {"next": evil}).content.decode()
    hidden_next = re.search(r'<input[^>]*id="id_next"[^>]*>', html)
    assert hidden_next is not None
    assert "evil" not in hidden_next.group(0)


def test_staff_next_survives_the_second_factor(personas, client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.conftest import totp_now

    post_login(client, "tiepnhan.x", next="/tai-khoan/ho-so/")
    device = TOTPDevice.objects.get(user=personas.receptionist_x)
    response = client.post("/tai-khoan/xac-thuc-2-lop/", {"token": totp_now(device)})
    assert response["Location"] == "/tai-khoan/ho-so/"


def test_successful_and_failed_logins_are_audited_without_password(personas, client):
    post_login(client, "001090000001", "Sai-mat-khau-99")
    post_login(client, "001090000001")
    failed = AuditEntry.objects.get(action="accounts.login_failed")
    ok = AuditEntry.objects.get(action="accounts.login")
    assert failed.object_id == str(personas.citizen_a.pk)
    assert failed.actor_id is None
    assert ok.actor_id == personas.citizen_a.pk
    dumped = json.dumps([failed.after, ok.after, failed.before, ok.before])
    assert "Sai-mat-khau-99" not in dumped
    assert PASSWORD not in dumped
    assert "001090000001" not in dumped  # identifier is masked


def test_logout_is_post_only_and_audited(personas, client_for):
    client = client_for(personas.citizen_a)
    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    response = client.post("/tai-khoan/dang-xuat/")
    assert response["Location"] == "/"
    assert AuditEntry.objects.filter(action="accounts.logout").exists()
    assert client.get("/tai-khoan/cua-toi/").status_code == 302


def test_inactive_account_cannot_log_in(personas, client):
    personas.citizen_b.is_active = False
    personas.citizen_b.save()
    response = post_login(client, "001090000002")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_failed_post_does_not_echo_an_unsafe_next(personas, client):
    response = post_login(client, "001090000001", "sai", next="https://evil.example/")
    hidden_next = re.search(r'<input[^>]*id="id_next"[^>]*>', response.content.decode())
    assert "evil" not in hidden_next.group(0)
