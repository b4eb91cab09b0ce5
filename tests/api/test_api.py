"""API shell: health, JSON errors in Vietnamese, local docs, session and token auth."""

from __future__ import annotations

import io
import re
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.api.models import ApiClient, hash_token
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _create_client(name: str = "cong-dvc", scopes: str = "dossiers:read") -> tuple[ApiClient, str]:
    out = io.StringIO()
    call_command("api_client_create", name, "--scopes", scopes, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    return ApiClient.objects.get(name=name), token


def test_health_is_public(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": None}
    deep = client.get("/api/v1/health", {"deep": "true"})
    assert deep.json() == {"status": "ok", "database": "ok"}


def test_validation_error_is_problem_json_in_vietnamese(client):
    response = client.get("/api/v1/health", {"deep": "không-phải-boolean"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["type"] == "urn:motcua:problem:validation_error"
    assert body["title"] == "Dữ liệu không hợp lệ"
    assert body["status"] == 422
    assert body["instance"] == "/api/v1/health"
    assert "không hợp lệ" in body["detail"]
    assert body["errors"] == [
        {
            "loc": "query.deep",
            "type": "bool_parsing",
            "msg": "Phải là giá trị đúng/sai (true/false).",
        }
    ]


def test_me_requires_authentication_with_json_error(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["title"] == "Chưa xác thực"
    assert "Chưa xác thực" in response.json()["detail"]


def test_unknown_api_url_is_json_404(client):
    for url in ("/api/v1/khong-co", "/api/v2/", "/api/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["code"] == "not_found"
        assert response.json()["instance"] == url


def test_unexpected_error_is_json_500_not_html(personas, monkeypatch):
    import motcua.api.v1 as v1

    def boom(token):
        raise RuntimeError("bug")

    monkeypatch.setattr(v1, "api_client_authenticate", boom)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer mc_x")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json() == {
        "type": "urn:motcua:problem:server_error",
        "title": "Lỗi hệ thống",
        "status": 500,
        "detail": "Lỗi hệ thống. Sự cố đã được ghi lại; vui lòng thử lại sau.",
        "instance": "/api/v1/me",
        "code": "server_error",
    }
    assert "Traceback" not in response.content.decode() and "bug" not in response.json()["detail"]


def test_me_for_logged_in_officer(personas, client_for):
    response = client_for(personas.leader_x).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "user"
    assert body["username"] == "lanhdao.x"
    assert body["roles"] == ["leader"]
    assert body["units"] == [personas.unit_x.code]


def test_me_for_citizen_has_no_roles(personas, client_for):
    body = client_for(personas.citizen_a).get("/api/v1/me").json()
    assert (body["kind"], body["username"], body["roles"]) == ("user", "001090000001", [])


def test_officer_without_second_factor_is_not_authenticated(personas):
    client = Client()
    client.force_login(personas.leader_x)  # password only, no TOTP step
    assert client.get("/api/v1/me").status_code == 401


def test_api_client_token_is_shown_once_and_only_hash_stored(personas):
    api_client, token = _create_client(scopes="dossiers:read,reports:read")
    assert token.startswith("mc_") and len(token) > 40
    assert api_client.token_hash == hash_token(token)
    assert token not in str(ApiClient.objects.filter(pk=api_client.pk).values().get())
    assert api_client.scopes == ["dossiers:read", "reports:read"]
    entry = AuditEntry.objects.get(action="api.client_create")
    assert entry.object_id == str(api_client.pk)
    assert "token_hash" not in entry.after and api_client.token_hash not in str(entry.after)


def test_me_with_bearer_token(personas):
    _, token = _create_client()
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["kind"] == "client"
    assert response.json()["client_name"] == "cong-dvc"
    assert response.json()["scopes"] == ["dossiers:read"]
    assert ApiClient.objects.get().last_used_at is not None


def test_wrong_or_revoked_token_is_refused(personas):
    api_client, token = _create_client()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer mc_wrong").status_code == 401
    ApiClient.objects.filter(pk=api_client.pk).update(is_active=False)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_authorization_header_is_judged_alone_not_with_the_session(personas, client_for):
    """A browser session riding along never rescues a wrong token; a request carrying
    both a logged-in session and a token is refused (issue 20: one mechanism per
    request); without the session the token acts as its client."""
    api_client, token = _create_client()
    browser = client_for(personas.citizen_a)
    assert browser.get("/api/v1/me").json()["kind"] == "user"
    for header in ("Bearer mc_wrong", "Basic eDp5", f"Bearer {token}"):
        refused = browser.get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert refused.status_code == 400
        assert refused.json()["code"] == "ambiguous_credentials"
    machine = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    as_client = machine.get("/api/v1/me")
    assert (as_client.status_code, as_client.json()["kind"]) == (200, "client")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer mc_wrong").status_code == 401
    ApiClient.objects.filter(pk=api_client.pk).update(is_active=False)
    assert machine.get("/api/v1/me").status_code == 401


def test_api_client_create_rejects_unknown_scope_and_duplicate_name():
    with pytest.raises(CommandError, match="Phạm vi không hợp lệ"):
        call_command("api_client_create", "x", "--scopes", "everything", stdout=io.StringIO())
    _create_client("dup")
    with pytest.raises(CommandError, match="Đã có ứng dụng"):
        call_command("api_client_create", "dup", stdout=io.StringIO())


def test_require_scope(personas, rf):
    from motcua.api.v1 import ApiError, require_scope

    api_client, _ = _create_client(scopes="dossiers:read")
    request = rf.get("/")
    request.auth = api_client
    require_scope(request, "dossiers:read")
    with pytest.raises(ApiError) as exc:
        require_scope(request, "dossiers:write")
    assert exc.value.status_code == 403 and exc.value.code == "missing_scope"
    request.auth = personas.admin  # session users: governed by roles, not scopes
    require_scope(request, "dossiers:write")


def test_docs_page_loads_nothing_from_other_hosts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    assert any("swagger-ui-bundle.js" in u for u in urls)
    external = [u for u in urls if urlparse(u).scheme in ("http", "https") or u.startswith("//")]
    assert external == []
    assert "cdn." not in html
    # The OpenAPI schema it loads is served locally too.
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/me" in schema.json()["paths"]


def test_docs_static_files_are_served_locally():
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js")
    assert finders.find("ninja/swagger-ui.css")
