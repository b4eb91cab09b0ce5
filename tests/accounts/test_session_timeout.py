"""Idle and absolute session timeout (ASVS V3.3.1–V3.3.2). Time is controlled by
moving the timestamps stored in the session backwards."""

from __future__ import annotations

import time

from django.test import override_settings
from django.urls import reverse

from motcua.accounts.session_timeout import ACTIVITY_KEY, LOGIN_AT_KEY
from motcua.core.models import AuditEntry

LOGIN = "/tai-khoan/dang-nhap/"


def _age(client, *, idle_minutes: float = 0, login_hours: float = 0) -> None:
    session = client.session
    now = time.time()
    session[ACTIVITY_KEY] = now - idle_minutes * 60
    session[LOGIN_AT_KEY] = now - max(login_hours * 3600, idle_minutes * 60)
    session.save()


def _is_logged_out(client) -> bool:
    response = client.get(reverse("accounts:profile"))
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_citizen_session_survives_59_idle_minutes(personas, client_for):
    client = client_for(personas.citizen_a)
    client.get(reverse("accounts:my_account"))
    _age(client, idle_minutes=59)
    assert client.get(reverse("accounts:my_account")).status_code == 200


def test_citizen_idle_for_61_minutes_is_sent_to_login_with_a_message(personas, client_for):
    client = client_for(personas.citizen_a)
    client.get(reverse("accounts:my_account"))
    _age(client, idle_minutes=61)
    response = client.get(reverse("accounts:my_account"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(LOGIN) and "het-phien=1" in location and "next=" in location
    page = client.get(location)
    assert "Phiên làm việc đã hết hạn" in page.content.decode()
    assert _is_logged_out(client)
    entry = AuditEntry.objects.get(action="accounts.session_expired")
    assert entry.actor_id == personas.citizen_a.pk and entry.after == {"reason": "idle"}


def test_staff_idle_limit_is_30_minutes(personas, client_for):
    client = client_for(personas.admin)
    assert client.get(reverse("backoffice:home")).status_code == 200
    _age(client, idle_minutes=29)
    assert client.get(reverse("backoffice:home")).status_code == 200
    _age(client, idle_minutes=31)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert _is_logged_out(client)


def test_absolute_lifetime_ends_an_active_session(personas, client_for):
    client = client_for(personas.citizen_a)
    client.get(reverse("accounts:my_account"))
    session = client.session
    session[LOGIN_AT_KEY] = time.time() - 8 * 3600 - 5
    session[ACTIVITY_KEY] = time.time()  # active a second ago
    session.save()
    response = client.get(reverse("accounts:my_account"))
    assert response.status_code == 302 and "het-phien=1" in response["Location"]
    assert AuditEntry.objects.get(action="accounts.session_expired").after == {"reason": "absolute"}


def test_htmx_request_gets_hx_redirect_instead_of_a_login_page(personas, client_for):
    client = client_for(personas.admin)
    client.get(reverse("backoffice:home"))
    _age(client, idle_minutes=45)
    response = client.get(
        reverse("core:audit_list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/quan-tri/nhat-ky/?q=1"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(LOGIN)
    assert "het-phien=1" in response["HX-Redirect"]
    assert "next=%2Fquan-tri%2Fnhat-ky%2F%3Fq%3D1" in response["HX-Redirect"]
    assert b"<form" not in response.content
    assert _is_logged_out(client)


@override_settings(MOTCUA_SESSION_IDLE_MINUTES_CITIZEN=5, MOTCUA_SESSION_ABSOLUTE_HOURS=1)
def test_limits_come_from_settings(personas, client_for):
    client = client_for(personas.citizen_a)
    client.get(reverse("accounts:my_account"))
    _age(client, idle_minutes=6)
    assert client.get(reverse("accounts:my_account")).status_code == 302
    client = client_for(personas.citizen_a)
    client.get(reverse("accounts:my_account"))
    _age(client, idle_minutes=1, login_hours=1.1)
    assert client.get(reverse("accounts:my_account")).status_code == 302


def test_activity_is_recorded_at_most_once_a_minute(personas, client_for):
    client = client_for(personas.citizen_a)
    client.get(reverse("accounts:my_account"))
    first = client.session[ACTIVITY_KEY]
    client.get(reverse("accounts:my_account"))
    assert client.session[ACTIVITY_KEY] == first  # no session write for this request
    _age(client, idle_minutes=2)
    client.get(reverse("accounts:my_account"))
    assert client.session[ACTIVITY_KEY] > time.time() - 5


def test_login_stamps_the_session(personas, client):
    from motcua.core.testing.personas import PASSWORD

    response = client.post(
        reverse("accounts:login"), {"identifier": "001090000001", "password": PASSWORD}
    )
    assert response.status_code == 302
    session = client.session
    assert abs(session[LOGIN_AT_KEY] - time.time()) < 60
    assert abs(session[ACTIVITY_KEY] - time.time()) < 60
