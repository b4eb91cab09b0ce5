import pytest

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.core.models import AuditEntry
from tests.accounts.conftest import post_login

pytestmark = pytest.mark.django_db

SIGNUP = "/tai-khoan/dang-ky/"
SIGNUP_BUSINESS = "/tai-khoan/dang-ky/doanh-nghiep/"
GOOD_PASSWORD = "Hoa-Sen-Vang-2026"


def citizen_data(**overrides):
    data = {
        "full_name": "Lê Thị Hoa",
        "personal_id": "049190001234",
        "phone": "0935123456",
        "email": "hoa@example.vn",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "declaration": "on",
    }
    data.update(overrides)
    return data


def test_citizen_signs_up_and_is_logged_in(db, client):
    response = client.post(SIGNUP, citizen_data())
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/cua-toi/"
    user = User.objects.get(personal_id="049190001234")
    assert user.kind == AccountKind.CITIZEN
    assert user.username == "049190001234"
    assert user.phone == "0935123456"
    assert user.check_password(GOOD_PASSWORD)
    page = client.get("/tai-khoan/cua-toi/").content.decode()
    assert "Đăng ký tài khoản thành công" in page
    assert "Lê Thị Hoa" in page
    entry = AuditEntry.objects.get(action="accounts.registered")
    assert entry.object_id == str(user.pk)
    assert GOOD_PASSWORD not in str(entry.after)


def test_new_citizen_can_log_in_by_phone(db, client):
    client.post(SIGNUP, citizen_data())
    client.post("/tai-khoan/dang-xuat/")
    assert post_login(client, "0935123456", GOOD_PASSWORD).status_code == 302


@pytest.mark.parametrize("bad_id", ["04919000123", "0491900012345", "04919000123A"])
def test_bad_personal_id_is_refused(db, client, bad_id):
    response = client.post(SIGNUP, citizen_data(personal_id=bad_id))
    assert response.status_code == 400
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in response.content.decode()
    assert not User.objects.exists()


def test_bad_phone_is_refused(db, client):
    response = client.post(SIGNUP, citizen_data(phone="935123456"))
    assert "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0." in response.content.decode()


def test_duplicate_personal_id_is_refused_clearly(personas, client):
    response = client.post(SIGNUP, citizen_data(personal_id="001090000001"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không đăng ký được với số định danh, mã số thuế hoặc số điện thoại này" in html
    assert User.objects.filter(personal_id="001090000001").count() == 1


def test_duplicate_phone_is_refused_clearly(personas, client):
    response = client.post(SIGNUP, citizen_data(phone="0905000001"))
    assert "Không đăng ký được với số định danh" in response.content.decode()
    assert not User.objects.filter(personal_id="049190001234").exists()


def test_declaration_is_required(db, client):
    data = citizen_data()
    del data["declaration"]
    response = client.post(SIGNUP, data)
    assert "Vui lòng đánh dấu ô cam đoan" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-xyz-987", "Mật khẩu quá ngắn: cần ít nhất 12 ký tự."),
        ("password123", "Mật khẩu này quá phổ biến"),
        ("20261127998877", "Mật khẩu này hoàn toàn là số"),
    ],
)
def test_password_validators_speak_vietnamese(db, client, password, message):
    response = client.post(SIGNUP, citizen_data(password1=password, password2=password))
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_mismatched_passwords(db, client):
    response = client.post(SIGNUP, citizen_data(password2="Khac-Hoan-Toan-1"))
    assert "Hai mật khẩu không khớp nhau." in response.content.decode()


def test_errors_are_summarised_with_links_to_fields(db, client):
    html = client.post(SIGNUP, citizen_data(personal_id="1")).content.decode()
    assert "data-error-summary" in html
    assert 'href="#id_personal_id"' in html


def test_business_signs_up_with_tax_code_and_representative(db, client):
    response = client.post(
        SIGNUP_BUSINESS,
        {
            "company_name": "Công ty TNHH Hội An Xanh",
            "tax_code": "4001234567",
            "representative_name": "Phạm Văn Đức",
            "representative_position": "Giám đốc",
            "phone": "0935999888",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "declaration": "on",
        },
    )
    assert response["Location"] == "/tai-khoan/cua-toi/"
    user = User.objects.get(tax_code="4001234567")
    assert user.kind == AccountKind.BUSINESS
    assert user.representative_name == "Phạm Văn Đức"
    client.post("/tai-khoan/dang-xuat/")
    assert post_login(client, "4001234567", GOOD_PASSWORD).status_code == 302


def test_duplicate_tax_code_is_refused(personas, client):
    response = client.post(
        SIGNUP_BUSINESS,
        {
            "company_name": "Trùng",
            "tax_code": "4000000001",
            "representative_name": "X",
            "phone": "0935999888",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "declaration": "on",
        },
    )
    assert "Không đăng ký được với số định danh" in response.content.decode()


def test_logged_in_user_is_not_shown_the_signup_form(personas, client_for):
    assert client_for(personas.citizen_a).get(SIGNUP).status_code == 302


def test_sign_up_keeps_where_the_citizen_was_going(db, client):
    """Issue 18: the sign-up link on the login page dropped `next`."""
    target = "/thu-tuc/DEMO-KS/nop/"
    login_page = client.get("/tai-khoan/dang-nhap/", {"next": target}).content.decode()
    assert f'href="{SIGNUP}?next={target}"' in login_page
    form = client.get(SIGNUP, {"next": target}).content.decode()
    assert f'name="next" value="{target}"' in form
    response = client.post(SIGNUP, {**citizen_data(), "next": target})
    assert response.status_code == 302 and response["Location"] == target


def test_sign_up_ignores_a_foreign_next(db, client):
    response = client.post(SIGNUP, {**citizen_data(), "next": "https://evil.example/"})
    assert response["Location"] == "/tai-khoan/cua-toi/"


def test_signup_does_not_tell_which_identifier_has_an_account(personas, client):
    """Issue 20: a taken personal id and a taken phone answer with the same message,
    attached to no field (no account enumeration)."""
    by_id = client.post(SIGNUP, citizen_data(personal_id="001090000001"))
    by_phone = client.post(SIGNUP, citizen_data(phone="0905000001"))
    assert by_id.status_code == by_phone.status_code == 400
    for response in (by_id, by_phone):
        form = response.context["form"]
        assert form.non_field_errors() and not form.errors.get("personal_id")
        assert not form.errors.get("phone")
    assert by_id.context["form"].errors == by_phone.context["form"].errors


def test_signup_attempts_are_throttled_per_client(db, client):
    from motcua.accounts.services import SIGNUP_LIMIT

    for i in range(SIGNUP_LIMIT):
        client.post(SIGNUP, citizen_data(personal_id=f"0491900{i:05d}", password2="x"))
    refused = client.post(SIGNUP, citizen_data())
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.content.decode()
    assert not User.objects.filter(personal_id="049190001234").exists()
