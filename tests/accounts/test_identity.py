from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from motcua.accounts import identity
from motcua.accounts.constants import AccountKind
from motcua.accounts.models import ExternalAccount, User
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FAKE = "tests.accounts.providers.FakeNationalLogin"
START = "/tai-khoan/dang-nhap/ngoai/thu-nghiem/"
CALLBACK = "/tai-khoan/dang-nhap/ngoai/thu-nghiem/ve/"


def start(client, next_url=None):
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.path == CALLBACK
    return parse_qs(location.query)["state"][0]


def test_no_provider_is_configured_by_default(client):
    assert identity.get_providers() == []
    assert "dang-nhap/ngoai" not in client.get("/tai-khoan/dang-nhap/").content.decode()
    assert client.get(START).status_code == 404


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_login_page_lists_configured_providers(client):
    html = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Đăng nhập bằng Cổng thử nghiệm" in html
    assert f'href="{START}"' in html


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_first_external_login_creates_and_links_a_citizen(db, client):
    state = start(client)
    response = client.get(CALLBACK, {"state": state, "code": "alice"})
    assert response["Location"] == "/tai-khoan/trang-chu/"
    user = User.objects.get(personal_id="049190009999")
    assert user.kind == AccountKind.CITIZEN
    assert not user.has_usable_password()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert ExternalAccount.objects.get(provider="thu-nghiem", subject="sub-alice").user == user
    assert AuditEntry.objects.filter(action="accounts.external_linked").exists()

    # Second time: the same account, no duplicate.
    client.post("/tai-khoan/dang-xuat/")
    state = start(client, next_url="/tai-khoan/ho-so/")
    response = client.get(CALLBACK, {"state": state, "code": "alice"})
    assert response["Location"] == "/tai-khoan/ho-so/"
    assert User.objects.filter(personal_id="049190009999").count() == 1


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_verified_identity_links_the_existing_citizen(personas, client):
    state = start(client)
    client.get(CALLBACK, {"state": state, "code": "citizen-a"})
    assert client.session["_auth_user_id"] == str(personas.citizen_a.pk)


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_unverified_claim_does_not_take_over_an_account(personas, client):
    state = start(client)
    client.get(CALLBACK, {"state": state, "code": "claims-a"})
    assert client.session["_auth_user_id"] != str(personas.citizen_a.pk)
    assert not ExternalAccount.objects.filter(user=personas.citizen_a).exists()


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_callback_with_wrong_state_is_refused(personas, client):
    start(client)
    response = client.get(CALLBACK, {"state": "forged", "code": "alice"}, follow=True)
    assert "_auth_user_id" not in client.session
    assert "không hợp lệ" in response.content.decode()


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_callback_without_start_is_refused(db, client):
    client.get(CALLBACK, {"state": "", "code": "alice"})
    assert "_auth_user_id" not in client.session


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_provider_error_is_shown(db, client):
    state = start(client)
    response = client.get(CALLBACK, {"state": state, "code": "nobody"}, follow=True)
    assert "Không đăng nhập được: mã không hợp lệ" in response.content.decode()


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_external_next_cannot_redirect_off_site(db, client):
    state = start(client, next_url="https://evil.example/")
    response = client.get(CALLBACK, {"state": state, "code": "alice"})
    assert response["Location"] == "/tai-khoan/trang-chu/"


def test_registry_rejects_something_that_is_not_a_provider():
    bad = ["tests.accounts.providers.NotAProvider"]
    with override_settings(MOTCUA_IDENTITY_PROVIDERS=bad), pytest.raises(ImproperlyConfigured):
        identity.get_providers()
    assert identity.get_providers() == []


@override_settings(MOTCUA_IDENTITY_PROVIDERS=[FAKE])
def test_citizen_identity_never_takes_over_a_staff_account(personas, client):
    User.objects.filter(pk=personas.admin.pk).update(personal_id="001090000777")
    state = start(client)
    response = client.get(CALLBACK, {"state": state, "code": "staff"}, follow=True)
    assert "_auth_user_id" not in client.session
    assert "Không thể liên kết" in response.content.decode()
