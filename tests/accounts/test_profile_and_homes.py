import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.core.models import AuditEntry
from motcua.core.testing.personas import PASSWORD, login, make_officer
from motcua.org.constants import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("citizen_a", "/tai-khoan/cua-toi/"),
        ("citizen_b", "/tai-khoan/cua-toi/"),
        ("business", "/tai-khoan/cua-toi/"),
        ("receptionist_x", "/quan-tri/"),
        ("specialist_y", "/quan-tri/"),
        ("leader_x", "/quan-tri/"),
        ("supervisor", "/quan-tri/"),
        ("admin", "/quan-tri/"),
    ],
)
def test_home_redirects_each_persona_to_its_landing_page(personas, client_for, persona, target):
    client = client_for(getattr(personas, persona))
    response = client.get("/tai-khoan/trang-chu/")
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_home_sends_anonymous_users_to_login(client):
    assert client.get("/tai-khoan/trang-chu/")["Location"].startswith("/tai-khoan/dang-nhap/")


def test_unverified_officer_home_goes_to_second_factor(personas, client):
    client.force_login(personas.leader_x)
    assert client.get("/tai-khoan/trang-chu/")["Location"] == "/tai-khoan/xac-thuc-2-lop/"


def test_my_account_welcomes_the_citizen(personas, client_for):
    html = client_for(personas.citizen_a).get("/tai-khoan/cua-toi/").content.decode()
    assert "Xin chào, Nguyễn Văn A" in html
    assert "Hồ sơ của tôi" in html
    assert 'href="/ho-so/"' in html  # the dossiers app's "my dossiers" list


def test_officers_do_not_get_the_citizen_page(personas, client_for):
    assert client_for(personas.receptionist_x).get("/tai-khoan/cua-toi/").status_code == 403


@pytest.mark.parametrize(
    ("persona", "heading", "unit"),
    [
        ("receptionist_x", "Tiếp nhận hồ sơ", "Sở X"),
        ("specialist_y", "Hồ sơ cần xử lý", "Sở Y"),
        ("leader_x", "Hồ sơ chờ ký duyệt", "Sở X"),
        ("supervisor", "Giám sát, đánh giá", "UBND tỉnh Thử nghiệm"),
        ("admin", "Quản trị hệ thống", "UBND tỉnh Thử nghiệm"),
    ],
)
def test_back_office_shows_a_panel_per_role_naming_the_unit(
    personas, client_for, persona, heading, unit
):
    html = client_for(getattr(personas, persona)).get("/quan-tri/").content.decode()
    assert f">{heading}</h2>" in html
    assert unit in html
    others = {
        "Tiếp nhận hồ sơ",
        "Hồ sơ cần xử lý",
        "Hồ sơ chờ ký duyệt",
        "Giám sát, đánh giá",
        "Quản trị hệ thống",
        "Vào sổ, phát hành kết quả",
    } - {heading}
    assert not any(f">{o}</h2>" in html for o in others)


def test_clerk_and_multi_role_officer(personas, client_for):
    from motcua.org.models import StaffAssignment

    clerk = make_officer("vanthu.y", personas.unit_y, Role.CLERK)
    StaffAssignment.objects.create(
        user=clerk, unit=personas.unit_x, role=Role.RECEPTIONIST, valid_from="2020-01-01"
    )
    html = client_for(clerk).get("/quan-tri/").content.decode()
    assert ">Vào sổ, phát hành kết quả</h2>" in html
    assert ">Tiếp nhận hồ sơ</h2>" in html
    assert "Sở Y" in html and "Sở X" in html


def test_officer_without_assignment_sees_a_clear_message(personas, client_for):
    lonely = User.objects.create_user(
        "chuaphancong", PASSWORD, kind=AccountKind.STAFF, full_name="Chưa Phân Công"
    )
    TOTPDevice.objects.create(user=lonely, name="default", confirmed=True)
    response = client_for(lonely).get("/quan-tri/")
    assert response.status_code == 200
    assert "chưa được phân công" in response.content.decode()


def test_expired_assignment_does_not_count(personas, client_for):
    from motcua.org.models import StaffAssignment

    StaffAssignment.objects.filter(user=personas.specialist_y).update(valid_to="2021-01-01")
    html = client_for(personas.specialist_y).get("/quan-tri/").content.decode()
    assert "chưa được phân công" in html


def test_citizen_edits_contact_details(personas, client_for):
    client = client_for(personas.citizen_a)
    response = client.post(
        "/tai-khoan/ho-so/",
        {"phone": "0905111222", "email": "moi@example.vn", "address": "12 Trần Phú, Hội An"},
        follow=True,
    )
    assert "Đã lưu thông tin liên hệ." in response.content.decode()
    personas.citizen_a.refresh_from_db()
    assert personas.citizen_a.phone == "0905111222"
    assert personas.citizen_a.address == "12 Trần Phú, Hội An"
    entry = AuditEntry.objects.get(action="accounts.profile_updated")
    assert entry.before["phone"] == "0905000001"
    assert entry.after["phone"] == "0905111222"


def test_profile_refuses_someone_elses_phone(personas, client_for):
    client = client_for(personas.citizen_a)
    response = client.post("/tai-khoan/ho-so/", {"phone": "0905000002", "email": "", "address": ""})
    assert response.status_code == 400
    assert "Số điện thoại này đã được dùng" in response.content.decode()
    personas.citizen_a.refresh_from_db()
    assert personas.citizen_a.phone == "0905000001"


def test_staff_profile_lists_units_roles_and_2fa(personas, client_for):
    html = client_for(personas.leader_x).get("/tai-khoan/ho-so/").content.decode()
    assert "Sở X" in html
    assert "Lãnh đạo đơn vị" in html
    assert "Giám đốc" in html
    assert "Xác thực hai lớp" in html
    assert "Đang bật" in html


def test_staff_profile_requires_the_second_factor(personas, client):
    client.force_login(personas.leader_x)
    assert client.get("/tai-khoan/ho-so/")["Location"] == "/tai-khoan/xac-thuc-2-lop/"


def test_portal_home_is_public_with_search_and_links(db):
    client = Client()
    html = client.get("/").content.decode()
    assert 'type="search"' in html
    assert 'action="/thu-tuc/"' in html  # the catalogue's procedure search
    assert "/tai-khoan/dang-nhap/" in html
    assert "/tai-khoan/dang-ky/" in html
    html = client.get("/", {"q": "khai sinh"}).content.decode()
    assert "khai sinh" in html


def test_login_page_redirects_logged_in_users(personas):
    client = login(Client(), personas.citizen_a)
    assert client.get("/tai-khoan/dang-nhap/")["Location"] == "/tai-khoan/trang-chu/"
