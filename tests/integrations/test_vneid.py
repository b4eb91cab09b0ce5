"""VNeID login through the local OpenID Connect provider (motcua.sandbox_idp, built on
Authlib): authorization code + PKCE S256, state and nonce, RS256 ID-token signature,
account linking by personal id, and the dossier flag TaiKhoanDuocXacThucVoiVNeID."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from motcua.accounts.models import ExternalAccount, User
from motcua.integrations import relay
from motcua.integrations.models import DossierIdentityFlag, OutboxMessage, Service
from motcua.integrations.vneid import SESSION_KEY
from motcua.sandbox_idp.models import AuthorizationCode
from motcua.sandbox_idp.seed import DEMO_PASSWORD, seed

pytestmark = pytest.mark.django_db
PROVIDERS = ["motcua.integrations.vneid.VneidProvider"]


@pytest.fixture(autouse=True)
def provider(settings):
    settings.MOTCUA_IDENTITY_PROVIDERS = PROVIDERS
    seed()


def start(client: Client) -> tuple[str, dict[str, str]]:
    resp = client.get("/tai-khoan/dang-nhap/ngoai/vneid/")
    assert resp.status_code == 302
    url = resp["Location"]
    return url, {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def login_at_provider(client: Client, url: str, personal_id="001090000001", password=None):
    parts = urlsplit(url)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200 and "VNeID" in page.content.decode()
    resp = client.post(
        f"{parts.path}?{parts.query}",
        {"personal_id": personal_id, "password": password or DEMO_PASSWORD},
    )
    assert resp.status_code == 302, resp.content
    return resp["Location"]


def test_login_button_and_authorization_request_use_pkce_state_and_nonce():
    client = Client()
    assert "Đăng nhập bằng VNeID" in client.get("/tai-khoan/dang-nhap/").content.decode()
    url, q = start(client)
    assert urlsplit(url).path == "/sandbox/vneid/authorize"
    assert q["response_type"] == "code" and q["code_challenge_method"] == "S256"
    assert q["state"] and q["nonce"] and len(q["code_challenge"]) == 43
    assert client.session[SESSION_KEY]["nonce"] == q["nonce"]


def test_full_login_creates_a_linked_citizen_account():
    client = Client()
    url, _ = start(client)
    callback = login_at_provider(client, url)
    assert urlsplit(callback).path == "/tai-khoan/dang-nhap/ngoai/vneid/ve/"
    resp = client.get(callback)
    assert resp.status_code == 302
    user = User.objects.get(personal_id="001090000001")
    assert user.full_name == "Nguyễn Văn An"
    assert ExternalAccount.objects.filter(user=user, provider="vneid").exists()
    assert int(client.session["_auth_user_id"]) == user.pk


def test_existing_account_is_linked_by_personal_id(personas):
    citizen = personas.citizen_a  # username = personal id in the personas
    from motcua.sandbox_idp.models import SandboxCitizen

    sc = SandboxCitizen.objects.filter(personal_id=citizen.personal_id).first() or (
        SandboxCitizen(personal_id=citizen.personal_id)
    )
    sc.full_name, sc.level = citizen.full_name, 2
    sc.set_password(DEMO_PASSWORD)
    sc.save()
    client = Client()
    url, _ = start(client)
    client.get(login_at_provider(client, url, personal_id=citizen.personal_id))
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert ExternalAccount.objects.get(provider="vneid").user == citizen


def test_tampered_state_is_refused():
    client = Client()
    url, q = start(client)
    callback = login_at_provider(client, url)
    forged = callback.replace(q["state"], "forged-state")
    resp = client.get(forged, follow=True)
    assert "_auth_user_id" not in client.session
    assert "không hợp lệ" in resp.content.decode()


def test_code_without_the_pkce_verifier_is_useless(client):
    """The provider checks the verifier: a stolen code cannot be redeemed without it."""
    c = Client()
    url, q = start(c)
    callback = login_at_provider(c, url)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    basic = base64.b64encode(b"motcua:motcua-sandbox-secret").decode()
    resp = Client().post(
        "/sandbox/vneid/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": q["redirect_uri"],
            "code_verifier": "x" * 50,
        },
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert resp.status_code == 400
    assert json.loads(resp.content)["error"] == "invalid_grant"


def test_id_token_with_a_foreign_signature_is_rejected(monkeypatch):
    """Sign the ID token with a key that is not in the provider's JWKS."""
    from joserfc.jwk import RSAKey

    from motcua.sandbox_idp import server

    foreign = RSAKey.generate_key(2048, parameters={"kid": "evil"}, private=True)
    monkeypatch.setattr(server.OpenIDCode, "resolve_client_private_key", lambda self, c: foreign)
    monkeypatch.setattr(
        server.OpenIDCode, "get_encode_header", lambda self, c: {"alg": "RS256", "kid": "evil"}
    )
    client = Client()
    url, _ = start(client)
    resp = client.get(login_at_provider(client, url), follow=True)
    assert "_auth_user_id" not in client.session
    assert "Chữ ký" in resp.content.decode()


def test_replayed_nonce_is_rejected(monkeypatch):
    """The RP compares the ID token's nonce with the one it stored in the session."""
    client = Client()
    url, _ = start(client)
    callback = login_at_provider(client, url)
    AuthorizationCode.objects.update(nonce="another-nonce")
    resp = client.get(callback, follow=True)
    assert "_auth_user_id" not in client.session
    assert "nonce" in resp.content.decode()


def test_dossier_of_a_vneid_user_is_flagged_for_the_national_portal(
    make_dossier, receive_and_assign, django_capture_on_commit_callbacks
):
    client = Client()
    url, _ = start(client)
    client.get(login_at_provider(client, url))
    user = User.objects.get(personal_id="001090000001")
    with django_capture_on_commit_callbacks(execute=True):
        d = make_dossier(user)
    assert DossierIdentityFlag.objects.get(dossier=d).vneid_authenticated
    receive_and_assign(d)
    relay.relay()
    msg = OutboxMessage.objects.filter(dossier=d, service=Service.DOSSIER).last()
    assert msg.payload["data"][0]["TaiKhoanDuocXacThucVoiVNeID"] == 1


def test_password_only_account_is_not_flagged(
    personas, make_dossier, receive_and_assign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        d = make_dossier(personas.citizen_b)
    assert not DossierIdentityFlag.objects.get(dossier=d).vneid_authenticated
    receive_and_assign(d)
    relay.relay()
    msg = OutboxMessage.objects.filter(dossier=d, service=Service.DOSSIER).last()
    assert msg.payload["data"][0]["TaiKhoanDuocXacThucVoiVNeID"] == 0


def test_discovery_and_jwks_are_published():
    meta = json.loads(Client().get("/sandbox/vneid/.well-known/openid-configuration").content)
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    keys = json.loads(Client().get("/sandbox/vneid/jwks.json").content)["keys"]
    assert keys and keys[0]["kty"] == "RSA" and "d" not in keys[0]  # public part only


def test_flag_is_written_with_the_dossier_and_monitoring_refreshes_once(
    personas, make_dossier, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue 23: the flag goes in with the dossier (no post_save), so the transition
    follow-up refreshes the monitoring contribution once, flag included (it used to
    write the flag there and refresh twice)."""
    from motcua.monitoring import updater

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        d = make_dossier(personas.citizen_b)
    flag = DossierIdentityFlag.objects.get(dossier=d)  # before any follow-up ran
    assert not flag.vneid_authenticated and flag.personal_id == personas.citizen_b.personal_id
    refreshed: list[int] = []
    original = updater.dossier_contribution_refresh

    def counting(**kwargs):
        refreshed.append(kwargs["dossier_id"])
        return original(**kwargs)

    monkeypatch.setattr(updater, "dossier_contribution_refresh", counting)
    for callback in callbacks:
        callback()
    assert refreshed == [d.pk]
    assert DossierIdentityFlag.objects.filter(dossier=d).count() == 1
