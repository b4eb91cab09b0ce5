"""Issue 22 deliverable 4: a linked application end to end on a 360 px phone. The
citizen applies once for birth registration + permanent residence + health insurance
card (linked e-form, one shared document, one payment in the sandbox gateway); the
child dossiers are settled by their authorities (the commune's civil-status desk, its
residence desk, Social Security) through the services; the results come back
together on the parent page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from motcua.core.testing.files import tiny_image
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import DossierGroup
from motcua.org.demo import DEMO_PASSWORD, SOCIAL_SECURITY
from motcua.org.models import OrgUnit
from motcua.payments.constants import RequestStatus
from motcua.payments.models import PaymentRequest
from tests.dossiers.test_linked import COMMUNE, linked_demo, process  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(p) -> None:
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen: {p.url}"


def test_linked_birth_application_on_a_phone(mobile_page, linked_demo, settings):  # noqa: F811
    # The sandbox gateway (as tests/payments: use_payment_sandbox, but keeping the
    # signing PKI of linked_demo).
    settings.MOTCUA_PAYGATE_SECRET = "test-paygate-secret"
    settings.MOTCUA_PAYGATE_TMN_CODE = "MOTCUA01"
    settings.MOTCUA_PAYGATE_SANDBOX = True
    settings.MOTCUA_PAYMENT_PROVIDERS = ["sandbox_gateway", "vietqr", "cash"]
    citizen = linked_demo
    p = mobile_page
    # Uploads are converted to PDF and children are created server-side: a shared
    # 2-core machine can take longer than the harness's 15 s default.
    p.set_default_timeout(90_000)
    expect.set_options(timeout=90_000)
    p.goto("/tai-khoan/dang-nhap/")
    p.get_by_label("Tên đăng nhập", exact=False).first.fill(citizen.username)
    p.get_by_label("Mật khẩu", exact=False).first.fill(DEMO_PASSWORD)
    p.get_by_role("button", name="Đăng nhập").last.click()
    p.wait_for_url(lambda url: "/dang-nhap/" not in url)

    # The two Project 06 bundles are offered.
    p.goto("/lien-thong/")
    expect(p.get_by_role("link", name=re.compile("^Liên thông đăng ký khai tử"))).to_be_visible()
    p.get_by_role("link", name=re.compile("^Liên thông đăng ký khai sinh")).click()
    expect(p.get_by_text("63/2024/NĐ-CP", exact=False).first).to_be_visible()
    _no_horizontal_scroll(p)
    p.get_by_role("button", name="Nộp hồ sơ liên thông").click()
    p.wait_for_url(re.compile(r"/ho-so-lien-thong/\d+/to-khai/$"))

    # 1. One linked e-form for the three procedures (the requester is prefilled).
    p.get_by_label(re.compile("^Họ, chữ đệm, tên người được khai sinh")).fill("Nguyễn Thị Bé")
    p.get_by_label(re.compile("^Quan hệ với người được khai sinh")).select_option("cha")
    p.locator("input[name='eform-gioi_tinh'][value='nu']").check()
    p.get_by_label(re.compile("^Ngày, tháng, năm sinh")).fill("2026-11-20")
    p.get_by_label(re.compile("^Nơi sinh")).fill("Bệnh viện Đa khoa tỉnh Quảng Nam")
    p.get_by_label(re.compile("^Họ, chữ đệm, tên người mẹ")).fill("Trần Thị Mẹ")
    p.get_by_label(re.compile("^Nơi đăng ký thường trú")).fill("12 Phan Bội Châu, Tam Kỳ")
    p.get_by_label(re.compile("^Họ, chữ đệm, tên chủ hộ")).fill(citizen.full_name)
    p.get_by_label(re.compile("^Quan hệ của trẻ với chủ hộ")).fill("Con")
    p.get_by_label(re.compile("^Nơi đăng ký khám bệnh")).fill("Trạm Y tế phường Tân Thạnh")
    p.get_by_label(re.compile("^Số bản sao")).fill("1")
    p.locator("input[name='eform-dung_han']").check()
    p.locator("input[name='eform-cam_doan']").check()
    _no_horizontal_scroll(p)
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/giay-to/$"))

    # 2. The birth certificate, attached once for every procedure that needs it.
    p.set_input_files(
        "#files-GIAY_CHUNG_SINH",
        files=[{"name": "chung-sinh.png", "mimeType": "image/png", "buffer": tiny_image()}],
    )
    p.locator("#tp-GIAY_CHUNG_SINH").get_by_role("button", name="Tải lên").click()
    expect(p.get_by_text("Đã tải lên", exact=False).first).to_be_visible()
    _no_horizontal_scroll(p)
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/nop/$"))

    # 3. Place of reception, declaration, submit: three child dossiers.
    commune = OrgUnit.objects.get(code=COMMUNE)
    p.locator("#id_unit").select_option(str(commune.pk))
    p.locator("#id_declaration").check()
    _no_horizontal_scroll(p)
    p.get_by_role("button", name="Nộp hồ sơ").click()
    p.wait_for_url(re.compile(r"/ho-so-lien-thong/\d+/$"))
    expect(p.get_by_text("3 hồ sơ thành phần", exact=False)).to_be_visible()
    expect(p.locator(".linked-child")).to_have_count(3)
    expect(p.get_by_text("Bảo hiểm xã hội tỉnh Quảng Nam", exact=False)).to_be_visible()
    _no_horizontal_scroll(p)
    group = DossierGroup.objects.get(applicant=citizen, submitted_at__isnull=False)
    children = list(group.dossiers.order_by("pk"))
    assert {c.competent_unit.code for c in children} == {COMMUNE, SOCIAL_SECURITY}

    # 4. One payment for every fee, through the sandbox gateway.
    p.get_by_role("link", name="Thanh toán").click()
    p.get_by_label("Cổng thanh toán", exact=False).check()
    p.get_by_role("button", name="Thanh toán", exact=False).last.click()
    p.wait_for_url("**/ngan-hang-thu-nghiem/**")
    p.get_by_role("button", name="Thanh toán thành công").click()
    p.wait_for_url("**/thanh-toan/giao-dich/**")
    expect(p.locator("[data-status]")).to_have_attribute("data-status", "succeeded")
    owed = PaymentRequest.objects.filter(dossier__group=group, kind="fee", amount__gt=0)
    assert owed.count() == 2
    assert all(r.status == RequestStatus.PAID and r.online_flag for r in owed)

    # 5. Each authority settles its own child; results are held until all are done.
    process(children[0])
    process(children[1])
    p.goto(f"/ho-so-lien-thong/{group.pk}/")
    expect(p.get_by_text("Kết quả sẽ được trả cùng lúc", exact=False)).to_be_visible()
    expect(p.locator(".linked-result")).to_have_count(0)
    process(children[2])
    for child in children:
        child.refresh_from_db()
        assert child.status == DossierStatus.RESOLVED

    # 6. The results come back together.
    p.goto(f"/ho-so-lien-thong/{group.pk}/")
    expect(p.locator(".linked-result")).to_have_count(3)
    _no_horizontal_scroll(p)
    with p.expect_download() as info:
        p.locator(".linked-result a").first.click()
    with open(info.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"
