import pytest

pytestmark = pytest.mark.django_db


def test_portal_home_is_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    assert "Cổng dịch vụ công" in response.content.decode()


def test_backoffice_requires_login(client):
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


def test_citizen_cannot_open_backoffice(personas, client_for):
    response = client_for(personas.citizen_a).get("/quan-tri/")
    assert response.status_code == 403


def test_verified_officer_opens_backoffice(personas, client_for):
    response = client_for(personas.receptionist_x).get("/quan-tri/")
    assert response.status_code == 200


def test_unverified_officer_is_sent_to_second_factor(personas, client):
    client.force_login(personas.receptionist_x)
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].endswith("/tai-khoan/xac-thuc-2-lop/")


def test_csp_header_forbids_inline_script(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_english_browser_still_gets_vietnamese_by_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in response.content.decode()


def test_language_switch_selects_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert 'lang="en"' in response.content.decode()
