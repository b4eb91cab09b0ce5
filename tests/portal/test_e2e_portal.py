"""Browser tests on a 360 × 740 phone screen. The citizen's part goes through the real
UI; the officers' part (receive, process, sign the result) through the services."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from motcua.core.testing.personas import PASSWORD
from tests.portal.conftest import BIRTH, make_pdf, make_png, process_to_result

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_ID = "046095001234"
NEW_PHONE = "0912345678"


def _phone_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    p = context.new_page()
    p.set_default_timeout(15_000)
    errors: list[str] = []
    # Form pages answer 400 when they show validation errors: Chromium logs that as
    # "Failed to load resource"; anything else (CSP, script errors) fails the test.
    p.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 400" not in msg.text
            else None
        ),
    )
    return context, p, errors


@pytest.fixture
def phone(browser, live_server):
    context, p, errors = _phone_context(browser, live_server)
    yield p
    context.close()
    assert not errors, f"browser console errors: {errors}"


def _no_horizontal_scroll(p) -> None:
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen: {p.url}"


def _login(p, identifier: str) -> None:
    p.goto("/tai-khoan/dang-nhap/")
    p.get_by_label("Tên đăng nhập", exact=False).first.fill(identifier)
    p.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    p.get_by_role("button", name="Đăng nhập").last.click()
    p.wait_for_load_state()


def _fill_birth_form(p, birth) -> None:
    props = birth.form_schema["properties"]
    p.get_by_label("Họ, chữ đệm, tên người được khai sinh").fill("Lê Minh An")
    p.get_by_label(re.compile("^Quan hệ với người được khai sinh")).select_option(
        props["quan_he"]["enum"][1]
    )
    p.locator("input[name='eform-gioi_tinh']").first.check()
    p.get_by_label(re.compile("^Ngày, tháng, năm sinh")).fill("2026-11-20")
    p.get_by_label(re.compile("^Nơi sinh")).fill("Bệnh viện Đa khoa tỉnh Quảng Nam")
    p.get_by_label(re.compile("^Họ, chữ đệm, tên người mẹ")).fill("Lê Thị Hoa")


def test_new_citizen_applies_for_birth_registration_on_a_phone(
    browser, live_server, phone, birth, personas, staff, signing
):
    from motcua.dossiers.models import Dossier

    p = phone
    # 1. Sign up as a new citizen.
    p.goto("/tai-khoan/dang-ky/")
    p.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    p.get_by_label("Số định danh cá nhân").fill(NEW_ID)
    p.get_by_label("Số điện thoại di động").fill(NEW_PHONE)
    p.locator("input[name='password1']").fill(PASSWORD)
    p.locator("input[name='password2']").fill(PASSWORD)
    p.locator("input[name='declaration']").check()
    p.locator("main form button[type='submit']").last.click()
    expect(p.get_by_text("Đăng ký tài khoản thành công")).to_be_visible()

    # 2. Find the procedure and start the application.
    p.goto("/thu-tuc/?q=khai+sinh")
    p.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    p.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    p.wait_for_url(re.compile(r"/nop-ho-so/nhap/\d+/to-khai/$"))
    expect(p.get_by_text("Bước 1/4")).to_be_visible()
    # Prefilled from the profile.
    expect(p.get_by_label(re.compile("^Số định danh cá nhân người yêu cầu"))).to_have_value(NEW_ID)
    _no_horizontal_scroll(p)

    # 3. Submitting an empty required field gives a summary and inline errors.
    p.get_by_role("button", name="Tiếp tục").click()
    summary = p.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Vui lòng nhập “Họ, chữ đệm, tên người được khai sinh”.")

    # 4. Fill part of the form; htmx autosaves; then "Lưu nháp".
    _fill_birth_form(p, birth)
    expect(p.locator("#autosave-status")).to_contain_text("Đã tự động lưu", timeout=10_000)
    p.get_by_role("button", name="Lưu nháp").click()
    expect(p.get_by_text("Đã lưu nháp")).to_be_visible()

    # 5. Resume on another device.
    context2, p2, errors2 = _phone_context(browser, live_server)
    _login(p2, NEW_ID)
    p2.goto("/ho-so/")
    p2.get_by_role("link", name="Tiếp tục soạn").click()
    expect(p2.get_by_label("Họ, chữ đệm, tên người được khai sinh")).to_have_value("Lê Minh An")
    p2.locator("input[name='eform-co_giay_chung_sinh']").check()
    p2.locator("input[name='eform-dung_han']").check()
    p2.locator("input[name='eform-cam_doan']").check()
    p2.get_by_label(re.compile("^Số bản sao")).fill("1")
    p2.get_by_role("button", name="Tiếp tục").click()
    p2.wait_for_url(re.compile(r"/giay-to/$"))
    # The ID card comes from the national population database: not requested.
    expect(p2.locator("#tp-GIAY_TO_TUY_THAN")).to_contain_text("không phải nộp giấy tờ này")
    expect(p2.locator("#tp-GIAY_TO_TUY_THAN input[type=file]")).to_have_count(0)
    _no_horizontal_scroll(p2)

    # 6. The declaration was filled in as the e-form: not asked again (issue 18).
    expect(p2.locator("#tp-TO_KHAI")).to_contain_text("Đã khai trực tuyến")
    expect(p2.locator("#tp-TO_KHAI input[type=file]")).to_have_count(0)
    # A file over the limit is refused in the browser before any upload.
    p2.set_input_files(
        "#files-GIAY_CHUNG_SINH",
        files=[
            {
                "name": "big.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4" + b"0" * (11 * 1024 * 1024),
            }
        ],
    )
    expect(p2.locator("#tp-GIAY_CHUNG_SINH .upload-check")).to_contain_text("vượt quá giới hạn")
    # A photo taken with the phone camera becomes a PDF.
    p2.set_input_files("#files-GIAY_CHUNG_SINH", files=[])
    p2.set_input_files(
        "#camera-GIAY_CHUNG_SINH",
        files=[{"name": "giay-chung-sinh.png", "mimeType": "image/png", "buffer": make_png()}],
    )
    p2.locator("#tp-GIAY_CHUNG_SINH").get_by_role("button", name="Tải lên").click()
    expect(p2.locator("#tp-GIAY_CHUNG_SINH")).to_contain_text("Đã tải lên")
    expect(p2.locator("#tp-GIAY_CHUNG_SINH")).to_contain_text(".pdf")
    p2.get_by_role("button", name="Tiếp tục").click()

    # 7. Review, declaration, submit.
    p2.wait_for_url(re.compile(r"/xem-lai/$"))
    expect(p2.get_by_text("Lê Minh An")).to_be_visible()
    p2.get_by_role("button", name="Tiếp tục").click()
    p2.wait_for_url(re.compile(r"/cam-doan/$"))
    p2.get_by_label(re.compile("^Tôi cam đoan những thông tin")).check()
    p2.get_by_role("button", name="Nộp hồ sơ").click()
    expect(p2.get_by_role("heading", name="Bạn đã nộp hồ sơ thành công")).to_be_visible()
    reference = p2.locator("[data-reference]").inner_text()
    assert re.fullmatch(r"TT-\d{6}-\d{6}", reference)
    _no_horizontal_scroll(p2)
    context2.close()
    assert not errors2, f"browser console errors: {errors2}"

    # 8. The officers process it and sign the result.
    d = Dossier.objects.get(applicant__personal_id=NEW_ID)
    assert d.form_answers["ho_ten_tre"] == "Lê Minh An"
    d = process_to_result(d, personas, staff)

    # 9. The citizen sees the code, downloads the signed result and rates the service.
    p.goto(f"/ho-so/{d.pk}/")
    expect(p.locator("main")).to_contain_text(d.code)
    expect(p.get_by_text("Tất cả chữ ký hợp lệ")).to_be_visible()
    with p.expect_download() as info:
        p.get_by_role("link", name="Tải kết quả (PDF)").click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    expect(p.get_by_text("Đã lưu trong kho dữ liệu của bạn")).to_be_visible()
    p.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    p.get_by_label("Rất hài lòng").check()
    p.get_by_role("button", name="Gửi đánh giá").click()
    expect(p.get_by_text(re.compile("Cảm ơn"))).to_be_visible()


def test_second_application_reuses_a_warehouse_document_without_upload(phone, birth, personas):
    from motcua.documents.models import FileLink, StoredFile
    from motcua.documents.services import stored_file_create, warehouse_item_add
    from motcua.dossiers.models import Dossier

    kept = stored_file_create(
        data=make_pdf(), original_name="giay-chung-sinh.pdf", owner=personas.citizen_b, actor=None
    )
    item = warehouse_item_add(
        owner=personas.citizen_b, file=kept, title="Giấy chứng sinh (đã nộp trước)"
    )
    p = phone
    _login(p, personas.citizen_b.personal_id)
    p.goto(f"/nop-ho-so/{BIRTH}/")
    _fill_birth_form(p, birth)
    p.locator("input[name='eform-co_giay_chung_sinh']").check()
    p.locator("input[name='eform-dung_han']").check()
    p.locator("input[name='eform-cam_doan']").check()
    p.get_by_label(re.compile("^Số bản sao")).fill("1")
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/giay-to/$"))
    files_before = StoredFile.objects.count()
    expect(p.locator("#tp-TO_KHAI")).to_contain_text("Đã khai trực tuyến")
    card = p.locator("#tp-GIAY_CHUNG_SINH")
    card.get_by_text("Dùng giấy tờ đã có trong kho dữ liệu của tôi").click()
    card.get_by_label(re.compile("Giấy chứng sinh \\(đã nộp trước\\)")).check()
    card.get_by_role("button", name="Dùng giấy tờ này").click()
    expect(card).to_contain_text("Dùng giấy tờ có sẵn trong kho")
    p.get_by_role("button", name="Tiếp tục").click()
    p.get_by_role("button", name="Tiếp tục").click()
    p.get_by_label(re.compile("^Tôi cam đoan những thông tin")).check()
    p.get_by_role("button", name="Nộp hồ sơ").click()
    expect(p.get_by_role("heading", name="Bạn đã nộp hồ sơ thành công")).to_be_visible()
    # No upload was needed: the only new stored file is the e-form's declaration, and
    # the dossier points to the kept certificate.
    assert StoredFile.objects.count() == files_before + 1
    d = Dossier.objects.get(applicant=personas.citizen_b)
    reused = d.components.get(component__code="GIAY_CHUNG_SINH")
    assert reused.from_warehouse
    assert not d.components.get(component__code="TO_KHAI").from_warehouse
    assert FileLink.objects.filter(file=kept, warehouse_item=item, reuse_flag=1).count() == 1


def _weigh(p, url: str, sizes: dict[str, int]) -> int:
    """Bytes transferred to show `url` with an empty cache (documents, CSS, JS, fonts;
    no user files). The test server sends static files raw; in production WhiteNoise
    (CompressedStaticFilesStorage) sends their gzip version, so static files count at
    their gzip size and pages at their raw size."""
    import gzip

    seen: list[int] = []

    def on_response(response):
        if "/tai-lieu/" in response.url and "/tai-ve/" in response.url:
            return  # a user file
        try:
            body = response.body()
        except Exception:
            return
        if "/static/" in response.url:
            body = gzip.compress(body)
        seen.append(len(body))

    p.on("response", on_response)
    p.goto(url)
    p.wait_for_load_state("networkidle")
    p.remove_listener("response", on_response)
    sizes[url] = sum(seen)
    return sizes[url]


def test_main_pages_fit_a_360px_phone_and_weigh_under_200_kb(
    browser, live_server, birth, personas, staff, signing
):
    """Also writes the screenshots of docs/screenshots/ when MOTCUA_SCREENSHOTS is set
    (to that directory)."""
    import os
    from pathlib import Path

    from motcua.dossiers import services

    out = os.environ.get("MOTCUA_SCREENSHOTS", "")
    d = services.dossier_submit_online(
        applicant=personas.citizen_b,
        procedure_version=birth,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Trần Văn Bé"},
    )
    d = process_to_result(d, personas, staff)
    # Each page is loaded in a fresh context (empty cache): the worst case.
    sizes: dict[str, int] = {}

    def shot(p, name: str) -> None:
        _no_horizontal_scroll(p)
        if out:
            p.screenshot(path=str(Path(out) / f"{name}.png"), full_page=True)

    consoles: list[list[str]] = []

    def fresh():
        context, p, errors = _phone_context(browser, live_server)
        consoles.append(errors)
        return context, p, errors

    context, p, _errors = fresh()
    _weigh(p, "/", sizes)
    shot(p, "01-home")
    _weigh(p, f"/thu-tuc/{BIRTH}/", sizes)
    shot(p, "02-procedure")
    context.close()

    context, p, _errors = fresh()
    _login(p, personas.citizen_b.personal_id)
    p.goto(f"/nop-ho-so/{BIRTH}/")
    draft_url = p.url
    context.close()
    context, p, _errors = fresh()
    _login(p, personas.citizen_b.personal_id)
    _weigh(p, draft_url, sizes)
    shot(p, "03-wizard-form")
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_load_state()
    shot(p, "04-wizard-form-errors")
    _fill_birth_form(p, birth)
    p.locator("input[name='eform-co_giay_chung_sinh']").check()
    p.locator("input[name='eform-dung_han']").check()
    p.locator("input[name='eform-cam_doan']").check()
    p.get_by_label(re.compile("^Số bản sao")).fill("1")
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/giay-to/$"))
    _weigh(p, p.url, sizes)
    shot(p, "05-wizard-components")
    p.set_input_files(
        "#files-GIAY_CHUNG_SINH",
        files=[{"name": "gcs.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}],
    )
    p.locator("#tp-GIAY_CHUNG_SINH").get_by_role("button", name="Tải lên").click()
    expect(p.locator("#tp-GIAY_CHUNG_SINH")).to_contain_text("gcs.pdf")
    shot(p, "06-wizard-components-attached")
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/xem-lai/$"))
    _weigh(p, p.url, sizes)
    shot(p, "07-wizard-review")
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/cam-doan/$"))
    _weigh(p, p.url, sizes)
    shot(p, "08-wizard-declaration")
    p.get_by_label(re.compile("^Tôi cam đoan những thông tin")).check()
    p.get_by_role("button", name="Nộp hồ sơ").click()
    expect(p.get_by_role("heading", name="Bạn đã nộp hồ sơ thành công")).to_be_visible()
    _weigh(p, p.url, sizes)
    shot(p, "09-submitted")
    _weigh(p, "/ho-so/", sizes)
    shot(p, "10-my-dossiers")
    _weigh(p, f"/ho-so/{d.pk}/", sizes)
    shot(p, "11-dossier-detail-result")
    context.close()

    context, p, _errors = fresh()
    _weigh(p, f"/tra-cuu/{d.code}/", sizes)
    shot(p, "12-tracking-factor")
    p.get_by_label(re.compile("4 số cuối")).fill(personas.citizen_b.personal_id[-4:])
    p.get_by_role("button", name="Tra cứu").click()
    expect(p.get_by_text(d.code).first).to_be_visible()
    shot(p, "13-tracking-result")
    context.close()
    assert not [e for errors in consoles for e in errors], consoles
    heavy = {url: size for url, size in sizes.items() if size > 200 * 1024}
    assert not heavy, f"pages over 200 KB: {heavy}"
    if out:
        (Path(out) / "page-weights.txt").write_text(
            "\n".join(
                f"{size / 1024:7.1f} KB  {re.sub(r'^https?://[^/]+', '', url)}"
                for url, size in sizes.items()
            )
            + "\n"
        )


def test_citizen_stops_a_received_dossier_on_a_phone(phone, birth, personas):
    """Decree 118/2025 Art. 21 (law.md R18a): the citizen's "Dừng giải quyết hồ sơ" button
    on the dossier page, a confirmation with the reason, then the stop notice (Circular
    03/2025 Form 05) among the papers."""
    from motcua.dossiers import services
    from motcua.dossiers.constants import DossierStatus
    from motcua.dossiers.models import Dossier

    d = services.dossier_submit_online(
        applicant=personas.citizen_a, procedure_version=birth, receiving_unit=personas.unit_x
    )
    d = services.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=1)
    p = phone
    _login(p, personas.citizen_a.personal_id)
    p.goto(f"/ho-so/{d.pk}/")
    p.get_by_role("link", name="Dừng giải quyết hồ sơ").click()
    p.get_by_text("Bạn có chắc muốn dừng giải quyết hồ sơ?").wait_for()
    _no_horizontal_scroll(p)
    p.get_by_label("Lý do dừng giải quyết hồ sơ").fill("Không cần nữa")
    p.get_by_role("button", name="Xác nhận dừng giải quyết hồ sơ").click()
    p.get_by_text("Hồ sơ đã dừng giải quyết theo yêu cầu của bạn.").wait_for()
    expect(p.get_by_role("link", name="Thông báo dừng giải quyết hồ sơ")).to_be_visible()
    _no_horizontal_scroll(p)
    assert Dossier.objects.get(pk=d.pk).status == DossierStatus.STOPPED
