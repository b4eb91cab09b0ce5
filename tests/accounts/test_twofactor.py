import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.models import AuditEntry
from motcua.core.testing.personas import make_officer
from motcua.org.constants import Role
from tests.accounts.conftest import post_login, totp_now

pytestmark = pytest.mark.django_db

VERIFY = "/tai-khoan/xac-thuc-2-lop/"
ENROL = "/tai-khoan/xac-thuc-2-lop/dang-ky/"


@pytest.fixture
def new_officer(personas):
    return make_officer("moi.x", personas.unit_x, Role.RECEPTIONIST, with_totp=False)


def test_password_alone_does_not_open_the_back_office(personas, client):
    post_login(client, "tiepnhan.x")
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"] == VERIFY


def test_officer_without_device_is_sent_to_enrolment(new_officer, client):
    response = post_login(client, "moi.x")
    assert response["Location"] == ENROL
    assert client.get("/quan-tri/")["Location"] == VERIFY
    assert client.get(VERIFY)["Location"] == ENROL


def test_enrolment_with_a_real_totp_code(new_officer, client):
    post_login(client, "moi.x")
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=new_officer, confirmed=False)
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert secret[:4] + " " + secret[4:8] in html  # secret for manual entry
    assert "<script" not in html.split("</head>")[1]  # no inline script in the body

    response = client.post(ENROL, {"token": totp_now(device)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mã dự phòng" in html
    device.refresh_from_db()
    assert device.confirmed
    tokens = list(
        StaticToken.objects.filter(device__user=new_officer).values_list("token", flat=True)
    )
    assert len(tokens) == 10
    assert all(t in html for t in tokens)
    assert client.get("/quan-tri/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.totp_enrolled", actor=new_officer).exists()


def test_enrolment_refuses_a_wrong_code(new_officer, client):
    post_login(client, "moi.x")
    client.get(ENROL)
    response = client.post(ENROL, {"token": "000000"})
    assert response.status_code == 400
    assert "Mã xác thực không đúng" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=new_officer, confirmed=True).exists()
    assert client.get("/quan-tri/").status_code == 302


def test_officer_with_a_device_cannot_enrol_a_new_one_before_verifying(personas, client):
    post_login(client, "tiepnhan.x")
    assert client.get(ENROL)["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=personas.receptionist_x).count() == 1


def test_verification_with_the_current_code(personas, client):
    post_login(client, "tiepnhan.x")
    device = TOTPDevice.objects.get(user=personas.receptionist_x)
    response = client.post(VERIFY, {"token": totp_now(device)})
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/trang-chu/"
    assert client.get("/quan-tri/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.otp_verified").exists()


def test_wrong_code_is_refused_and_further_tries_are_throttled(personas, client):
    post_login(client, "tiepnhan.x")
    device = TOTPDevice.objects.get(user=personas.receptionist_x)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"token": wrong})
    assert response.status_code == 400
    assert "Mã xác thực không đúng" in response.content.decode()
    assert client.get("/quan-tri/").status_code == 302
    # django-otp throttling: right after a failure even the right code must wait.
    response = client.post(VERIFY, {"token": totp_now(device)})
    assert response.status_code == 400
    assert "Vui lòng chờ" in response.content.decode()
    assert client.get("/quan-tri/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.otp_failed").exists()


def test_backup_code_works_once(new_officer, client):
    post_login(client, "moi.x")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=new_officer)
    client.post(ENROL, {"token": totp_now(device)})
    code = StaticToken.objects.filter(device__user=new_officer).first().token
    client.post("/tai-khoan/dang-xuat/")

    post_login(client, "moi.x")
    assert client.post(VERIFY, {"token": code.upper()})["Location"] == "/tai-khoan/trang-chu/"
    assert client.get("/quan-tri/").status_code == 200
    client.post("/tai-khoan/dang-xuat/")
    post_login(client, "moi.x")
    assert client.post(VERIFY, {"token": code}).status_code == 400


def test_verified_officer_can_reset_and_must_enrol_again(personas, client_for):
    client = client_for(personas.receptionist_x)
    response = client.post("/tai-khoan/xac-thuc-2-lop/dat-lai/")
    assert response["Location"] == ENROL
    assert not TOTPDevice.objects.filter(user=personas.receptionist_x, confirmed=True).exists()
    assert client.get("/quan-tri/").status_code == 302


def test_unverified_officer_cannot_reset_the_device(personas, client):
    post_login(client, "tiepnhan.x")
    client.post("/tai-khoan/xac-thuc-2-lop/dat-lai/")
    assert TOTPDevice.objects.filter(user=personas.receptionist_x, confirmed=True).exists()


def test_regenerating_backup_codes_replaces_the_old_ones(personas, client_for):
    client = client_for(personas.receptionist_x)
    first = client.post("/tai-khoan/xac-thuc-2-lop/ma-du-phong/")
    assert first.status_code == 200
    assert StaticToken.objects.filter(device__user=personas.receptionist_x).count() == 10
    old = set(StaticToken.objects.values_list("token", flat=True))
    client.post("/tai-khoan/xac-thuc-2-lop/ma-du-phong/")
    assert StaticDevice.objects.filter(user=personas.receptionist_x).count() == 1
    assert not old & set(StaticToken.objects.values_list("token", flat=True))


@override_settings(MOTCUA_STAFF_2FA_REQUIRED=False)
def test_when_2fa_is_waived_staff_go_straight_in(personas, client):
    response = post_login(client, "tiepnhan.x")
    assert response["Location"] == "/tai-khoan/trang-chu/"
    assert client.get("/tai-khoan/trang-chu/")["Location"] == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200


def test_citizens_never_see_the_second_factor(personas, client):
    post_login(client, "001090000001")
    assert client.get(VERIFY)["Location"] == "/tai-khoan/trang-chu/"


# --- the waiver exists only in dev/demo settings ----------------------------------


def _import_fresh(module: str):
    """Execute a settings module again under the current environment, then put the
    originally imported module back."""
    original = sys.modules.pop(module, None)
    try:
        return importlib.import_module(module)
    finally:
        sys.modules.pop(module, None)
        if original is not None:
            sys.modules[module] = original


def test_production_settings_refuse_the_2fa_waiver(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "p" * 50)
    monkeypatch.setenv("MOTCUA_STAFF_2FA_REQUIRED", "0")
    with pytest.raises(ImproperlyConfigured, match="two-factor"):
        _import_fresh("motcua.config.settings.production")


def test_production_settings_require_2fa(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "p" * 50)
    # Production also refuses the sandbox secrets of the national systems and the gateway.
    monkeypatch.setenv("MOTCUA_VNEID_CLIENT_SECRET", "real-" + "v" * 30)
    monkeypatch.setenv("MOTCUA_DVCQG_TOKEN", "real-" + "t" * 30)
    monkeypatch.setenv("MOTCUA_PAYGATE_SECRET", "real-" + "g" * 30)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "dichvucong.example.gov.vn")
    monkeypatch.setenv("MOTCUA_SITE_URL", "https://dichvucong.example.gov.vn")
    monkeypatch.setenv("MOTCUA_PUBLIC_BASE_URL", "https://dichvucong.example.gov.vn")
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.delenv("MOTCUA_STAFF_2FA_REQUIRED", raising=False)
    monkeypatch.delenv("MOTCUA_DEMO", raising=False)
    assert _import_fresh("motcua.config.settings.production").MOTCUA_STAFF_2FA_REQUIRED is True


def test_only_dev_settings_waive_2fa_by_default(monkeypatch):
    monkeypatch.delenv("MOTCUA_STAFF_2FA_REQUIRED", raising=False)
    assert _import_fresh("motcua.config.settings.dev").MOTCUA_STAFF_2FA_REQUIRED is False
    assert _import_fresh("motcua.config.settings.test").MOTCUA_STAFF_2FA_REQUIRED is True
    assert _import_fresh("motcua.config.settings.base").MOTCUA_STAFF_2FA_REQUIRED is True


def test_production_settings_refuse_sandbox_secrets(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "p" * 50)
    monkeypatch.delenv("MOTCUA_VNEID_CLIENT_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_VNEID_CLIENT_SECRET"):
        _import_fresh("motcua.config.settings.production")
