"""Administrators manage API clients in the back office (no browser): create with units,
token shown once, edit, revoke, rotate; others are refused. CLI accepts units."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.api.models import ApiClient, hash_token
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/quan-tri/ung-dung-api/"


def _token_in(html: str) -> str:
    match = re.search(r'data-testid="new-token">(mc_[^<]+)<', html)
    assert match, "token not shown"
    return match.group(1)


def test_admin_creates_edits_revokes_and_rotates(personas, client_for):
    admin = client_for(personas.admin)
    page = admin.get(URL)
    assert page.status_code == 200 and "Ứng dụng gọi API" in page.content.decode()
    response = admin.post(
        URL,
        {
            "name": "lgsp-sox",
            "scopes": ["dossiers:read", "monitoring:read"],
            "units": [personas.unit_x.pk],
            "rate_limit": "50",
        },
    )
    assert response.status_code == 200
    token = _token_in(response.content.decode())
    client = ApiClient.objects.get(name="lgsp-sox")
    assert client.token_hash == hash_token(token) and client.rate_limit == 50
    assert list(client.units.values_list("code", flat=True)) == [personas.unit_x.code]
    assert token not in admin.get(URL).content.decode()  # shown once
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").json()
    assert me["units"] == [personas.unit_x.code]

    edit = admin.post(
        f"{URL}{client.pk}/", {"scopes": ["dossiers:read"], "units": [personas.unit_y.pk]}
    )
    assert edit.status_code == 302
    client.refresh_from_db()
    assert client.scopes == ["dossiers:read"] and client.rate_limit is None
    assert list(client.units.values_list("code", flat=True)) == [personas.unit_y.code]

    assert admin.post(f"{URL}{client.pk}/thu-hoi/").status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 401

    rotated = admin.post(f"{URL}{client.pk}/cap-ma-moi/")
    new_token = _token_in(rotated.content.decode())
    assert new_token != token
    assert Client(HTTP_AUTHORIZATION=f"Bearer {new_token}").get("/api/v1/me").status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 401
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "api.client_create",
        "api.client_update",
        "api.client_revoke",
        "api.client_rotate",
    } <= actions
    for entry in AuditEntry.objects.filter(action__startswith="api.client"):
        assert token not in str(entry.after) and new_token not in str(entry.after)


def test_create_form_reports_errors(personas, client_for):
    admin = client_for(personas.admin)
    admin.post(URL, {"name": "dup", "scopes": []})
    again = admin.post(URL, {"name": "dup", "scopes": []})
    assert again.status_code == 200 and "Đã có ứng dụng" in again.content.decode()
    assert ApiClient.objects.filter(name="dup").count() == 1


@pytest.mark.parametrize("persona", ["supervisor", "leader_x", "citizen_a"])
def test_only_administrators(personas, client_for, persona):
    c = client_for(getattr(personas, persona))
    assert c.get(URL).status_code in (403, 302)
    assert c.post(URL, {"name": "x"}).status_code in (403, 302)
    assert not ApiClient.objects.exists()


def test_service_refuses_non_administrator(personas):
    from django.core.exceptions import PermissionDenied

    from motcua.api.services import api_client_create

    with pytest.raises(PermissionDenied):
        api_client_create(name="x", scopes=[], actor=personas.supervisor)


def test_cli_binds_units(personas):
    out = io.StringIO()
    call_command(
        "api_client_create",
        "cli",
        "--scopes",
        "dossiers:read",
        "--units",
        personas.unit_x.code,
        stdout=out,
    )
    assert f"units: {personas.unit_x.code}" in out.getvalue()
    assert list(ApiClient.objects.get(name="cli").units.values_list("code", flat=True)) == [
        personas.unit_x.code
    ]
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("api_client_create", "cli2", "--units", "KHONG-CO", stdout=io.StringIO())
    assert not ApiClient.objects.filter(name="cli2").exists()
