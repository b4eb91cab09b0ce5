"""Issue 20 finding 5: a bearer-token client writes without CSRF (a browser never sends
its token by itself); a browser session still needs the CSRF token; a request carrying
both a logged-in session and a token is refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.api.services import api_client_create
from motcua.dossiers.models import Dossier
from tests.dossiers.conftest import submitted, version  # noqa: F401

pytestmark = pytest.mark.django_db


def _token(personas) -> str:
    _, token = api_client_create(
        name="Cổng DVCQG",
        scopes=["dossiers:read", "dossiers:write"],
        units=[personas.unit_x],
        acting_user=personas.receptionist_x,
    )
    return token


def _receive(client: Client, d, **extra):
    return client.post(
        f"/api/v1/dossiers/{d.pk}/actions/receive",
        {"expected_version": d.version},
        content_type="application/json",
        **extra,
    )


def test_token_writes_without_csrf(personas, submitted):  # noqa: F811
    machine = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {_token(personas)}")
    r = _receive(machine, submitted)
    assert r.status_code == 200, r.content
    assert Dossier.objects.get(pk=submitted.pk).status == "received"


def test_session_writes_still_need_csrf(personas, submitted, client_for):  # noqa: F811
    browser = client_for(personas.receptionist_x)
    browser.handler.enforce_csrf_checks = True
    r = _receive(browser, submitted)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert Dossier.objects.get(pk=submitted.pk).status == "submitted"
    browser.get(reverse("dossiers:detail", args=[submitted.pk]))  # a page with forms
    csrf = browser.cookies["csrftoken"].value
    assert _receive(browser, submitted, HTTP_X_CSRFTOKEN=csrf).status_code == 200


def test_session_and_token_together_are_refused(personas, submitted, client_for):  # noqa: F811
    both = client_for(personas.receptionist_x)
    r = _receive(both, submitted, HTTP_AUTHORIZATION=f"Bearer {_token(personas)}")
    assert r.status_code == 400 and r.json()["code"] == "ambiguous_credentials"
    assert Dossier.objects.get(pk=submitted.pk).status == "submitted"
