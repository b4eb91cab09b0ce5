import re

import pytest
from django.core import mail

from motcua.core.models import AuditEntry
from motcua.core.testing.personas import PASSWORD
from tests.accounts.conftest import post_login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Song-Thu-Bon-2026"


@pytest.fixture
def citizen(personas):
    personas.citizen_a.email = "a@example.vn"
    personas.citizen_a.save()
    return personas.citizen_a


def test_password_reset_email_is_sent_and_link_sets_a_new_password(citizen, client):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "A@example.vn"})
    assert response["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.vn"]
    assert "Đặt lại mật khẩu" in message.subject
    assert "Kính gửi Nguyễn Văn A" in message.body
    link = re.search(r"https?://[^/\s]+(/tai-khoan/dat-lai-mat-khau/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/tai-khoan/dat-lai-mat-khau/xong/"

    assert post_login(client, "001090000001", PASSWORD).status_code == 400
    assert post_login(client, "001090000001", NEW_PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.password_reset", actor=citizen).exists()
    # The link is single-use.
    client.post("/tai-khoan/dang-xuat/")
    assert "không hợp lệ" in client.get(link, follow=True).content.decode()


def test_reset_for_unknown_email_sends_nothing_but_looks_the_same(citizen, client):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "nobody@example.vn"})
    assert response["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert mail.outbox == []


def test_reset_refuses_weak_new_password_in_vietnamese(citizen, client):
    client.post("/tai-khoan/quen-mat-khau/", {"email": "a@example.vn"})
    link = re.search(r"(/tai-khoan/dat-lai-mat-khau/\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert "Mật khẩu này hoàn toàn là số" in response.content.decode()


def test_password_change(personas, client_for):
    client = client_for(personas.citizen_a)
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/tai-khoan/ho-so/"
    assert client.get("/tai-khoan/cua-toi/").status_code == 200  # still logged in
    personas.citizen_a.refresh_from_db()
    assert personas.citizen_a.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="accounts.password_changed").exists()


def test_password_change_needs_the_current_password(personas, client_for):
    client = client_for(personas.citizen_a)
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    personas.citizen_a.refresh_from_db()
    assert personas.citizen_a.check_password(PASSWORD)
