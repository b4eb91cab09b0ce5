"""Issue 18, deliverable 5 — the online journey on the running demo (`demo_site`, the
three processes of `make demo`), as people live it with the printed logins.

A citizen on a 360 px phone finds the judicial-record procedure, fills the e-form,
attaches a file, submits to the provincial service centre, pays the fee due at
submission through the sandbox gateway and tracks the dossier. The centre's
receptionist receives it, which routes it to the competent unit (the provincial
police); its leader assigns it, the specialist asks for a supplement, the citizen
supplies it, the specialist submits, the leader signs the result (PAdES), the clerk
issues it with the agency seal, the centre returns it online. The citizen downloads the
signed PDF — validated here with plain pyHanko, trusted with the demo root only — and
rates the service. The supervisor's monitoring drill-down lists the dossier among the
unit's dossiers and not among those without an electronic result or not digitised; the
worker delivered the dossier's messages to the sandbox national portal, in order."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.acceptance.journey import act, desktop, log_in, phone, scan_pdf
from tests.acceptance.test_writable_while_busy import DELIVERED

pytestmark = [pytest.mark.acceptance, pytest.mark.e2e]

PROCEDURE = "DEMO-LLTP"
LEADER, LEADER_NAME = "lanhdao.ca", "Trần Đức Long"
SPECIALIST, SPECIALIST_NAME = "chuyenvien.ca", "Đỗ Quang Huy"
CLERK, RECEPTIONIST, SUPERVISOR = "vanthu.ca", "tiepnhan.ttpvhcc", "giamsat.tinh"
COMPETENT = "Công an tỉnh Quảng Nam"
UNIT = r"""
import json
from motcua.org.models import OrgUnit
print("JSON" + json.dumps(OrgUnit.objects.get(name=NAME).pk))
"""


def _validate(data: bytes, root: Path) -> list[tuple[str, object]]:
    """Plain pyHanko trusting the demo root only (on its own thread: pyHanko runs an
    event loop, which Playwright's sync API already holds)."""
    from concurrent.futures import ThreadPoolExecutor

    def run() -> list[tuple[str, object]]:
        import io

        from pyhanko.keys import load_cert_from_pemder
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        trust = load_cert_from_pemder(str(root))
        reader = PdfFileReader(io.BytesIO(data))
        return [
            (
                sig.signer_cert.subject.native["common_name"],
                validate_pdf_signature(sig, ValidationContext(trust_roots=[trust])),
            )
            for sig in reader.embedded_signatures
        ]

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _no_horizontal_scroll(p) -> None:
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen: {p.url}"


def test_online_dossier_from_the_phone_to_the_signed_result(demo_site, browser):
    password = demo_site.facts["password"]
    citizen_login = demo_site.facts["citizens"][0]
    me = phone(browser, demo_site)
    p = me.new_page()
    log_in(p, citizen_login, password)

    # 1. Find the procedure and fill the e-form (the declaration is not asked again as
    # an upload); the student card proving the reduced fee is attached.
    p.goto("/thu-tuc/?q=lý+lịch+tư+pháp")
    p.get_by_role("link", name=re.compile("^Cấp Phiếu lý lịch tư pháp")).first.click()
    p.wait_for_url(re.compile(rf"/thu-tuc/{PROCEDURE}/$"))
    p.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    p.wait_for_url(re.compile(r"/nop-ho-so/nhap/\d+/[a-z-]+/$"))
    p.goto(re.sub(r"/[a-z-]+/$", "/truong-hop/", p.url))  # a resumed draft: from the start
    p.get_by_label("Học sinh, sinh viên").check()
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/to-khai/$"))
    _no_horizontal_scroll(p)
    p.locator("#id_eform-gioi_tinh_0").check()
    p.locator("#id_eform-loai_phieu_0").check()
    p.locator("#id_eform-ho_ten_me").fill("Trần Thị Bình")
    p.locator("#id_eform-muc_dich").fill("Bổ sung hồ sơ xin việc")
    p.locator("#id_eform-doi_tuong_giam_phi").check()
    p.locator("#id_eform-cam_doan").check()
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/giay-to/$"))
    assert "Đã khai trực tuyến" in p.locator("main").inner_text()
    proof = p.locator("section.component-card", has_text="Giấy tờ chứng minh")
    proof.locator("input[type=file]").first.set_input_files(
        {"name": "the-sinh-vien.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}
    )
    proof.get_by_role("button", name="Tải lên").click()
    p.locator("section.component-card", has_text="the-sinh-vien.pdf").wait_for()
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/xem-lai/$"))
    p.get_by_role("button", name="Tiếp tục").click()
    p.wait_for_url(re.compile(r"/cam-doan/$"))
    p.get_by_label(re.compile("^Tôi cam đoan những thông tin")).check()
    p.get_by_role("button", name="Nộp hồ sơ").click()
    p.get_by_role("heading", name="Bạn đã nộp hồ sơ thành công").wait_for()
    _no_horizontal_scroll(p)

    # 2. The fee is due at submission: paid through the sandbox gateway.
    pk = int(
        re.search(
            r"/ho-so/(\d+)/", p.get_by_role("link", name="Xem hồ sơ của tôi").get_attribute("href")
        ).group(1)
    )
    p.get_by_role("link", name="Thanh toán ngay").click()
    p.get_by_label(re.compile("^Cổng thanh toán")).check()
    p.get_by_role("button", name=re.compile("^Thanh toán")).click()
    p.get_by_role("button", name="Thanh toán thành công").click()
    p.get_by_text("Thanh toán thành công.").wait_for()
    p.goto(f"/ho-so/{pk}/")
    tracking = p.locator("main").inner_text()
    assert "Chờ tiếp nhận" in tracking and "Đã thanh toán" in tracking, tracking

    # 3. Officers (desktop): received at the centre, which routes it to the police.
    office = desktop(browser, demo_site)
    o = office.new_page()

    def as_officer(username: str) -> None:
        office.clear_cookies()
        log_in(o, username, password)

    as_officer(RECEPTIONIST)
    act(o, pk, "receive")  # leads to Form 01
    o.goto(f"/quan-tri/ho-so/{pk}/")
    main = o.locator("main").inner_text()
    assert re.search(rf"Cơ quan giải quyết\s+{COMPETENT}", main), main[:1500]
    code = o.locator("h1").inner_text().removeprefix("Hồ sơ ").strip()
    as_officer(LEADER)
    act(o, pk, "assign", {"assignee": SPECIALIST_NAME})
    as_officer(SPECIALIST)
    # A supplement request cites a published component with its reason (law.md R12b).
    act(
        o,
        pk,
        "request_supplement",
        {"item_*": "on", "why_*": "Bản chụp đã nộp bị mờ, đề nghị nộp bản rõ nét."},
    )

    # 4. The citizen supplies it on the phone.
    p.goto(f"/ho-so/{pk}/")
    assert "Chờ bổ sung hồ sơ" in p.locator("main").inner_text()
    p.locator("#note-supplement_provided").fill("Thẻ sinh viên (bản chụp rõ)")
    p.locator("#files-supplement_provided").set_input_files(
        {"name": "the-sinh-vien-ro.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}
    )
    p.get_by_role("button", name="Gửi bổ sung").click()
    p.get_by_text(re.compile("Đang xử lý|đã nhận bổ sung|Đã gửi bổ sung", re.I)).first.wait_for()

    # 5. Submit, sign (leader), seal and issue (clerk), return online (the centre).
    as_officer(SPECIALIST)
    act(o, pk, "submit_for_approval", {"reason": "Đủ điều kiện cấp phiếu."})
    as_officer(LEADER)
    act(o, pk, "approve")
    as_officer(CLERK)
    act(o, pk, "issue_result", {"result_number": "125/LLTP", "result_summary": "Phiếu số 1"})
    as_officer(RECEPTIONIST)
    act(o, pk, "return_result", {"channel": "Trực tuyến"})

    # 6. The citizen downloads the signed result; pyHanko: intact, the leader then the
    # agency seal, trusted with the demo root.
    p.goto(f"/ho-so/{pk}/")
    assert code in p.locator("main").inner_text()
    p.get_by_text("Tất cả chữ ký hợp lệ").first.wait_for()
    with p.expect_download() as info:
        p.get_by_role("link", name="Tải kết quả (PDF)").click()
    data = Path(info.value.path()).read_bytes()
    signers = _validate(data, demo_site.tmp / "pki" / "demo-root.crt.pem")
    assert [name for name, _s in signers] == [LEADER_NAME, COMPETENT], signers
    for _name, status in signers:
        assert status.intact and status.valid and status.trusted, status
    p.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    p.get_by_label("Rất hài lòng").check()
    p.get_by_role("button", name="Gửi đánh giá").click()
    p.get_by_text(re.compile("Cảm ơn")).first.wait_for()
    me.close()

    # 7. Monitoring: the supervisor's drill-down of the police lists the dossier, and
    # not among those without an electronic result or not fully digitised.
    unit = demo_site.shell(UNIT.replace("NAME", repr(COMPETENT)))
    as_officer(SUPERVISOR)
    listed: dict[str, bool] = {}
    for _attempt in range(60):  # monitoring rows follow the worker's jobs
        for kind in ("received", "no_e_result", "not_digitised"):
            o.goto(f"/quan-tri/giam-sat/don-vi/{unit}/ho-so/?kind={kind}")
            listed[kind] = code in o.locator("main").inner_text()
        if listed["received"]:
            break
        time.sleep(2)
    assert listed == {"received": True, "no_e_result": False, "not_digitised": False}, listed

    # 8. The worker delivered the dossier's messages to the sandbox national portal, in
    # order; its console (newest first) shows them.
    synced = demo_site.shell(DELIVERED.replace("PK", str(pk)))
    assert synced["received"] and synced["received"] == synced["sent"], synced
    assert synced["errors"] == [], synced
    o.goto("/sandbox/dvcqg/")
    shown = [
        int(row.locator("td").nth(1).inner_text())
        for row in o.locator("tr", has=o.locator("td", has_text=code)).all()
    ]
    assert shown and shown[0] == synced["sent"][-1], shown
    assert shown == sorted(shown, reverse=True), shown
    office.close()
