"""Issue 26 on the running demo (`demo_site`: the three processes of `make demo`, the
demo settings, nothing of the test settings), through both doors — the pages and the
REST API (/api/v1, the same services):

- the counter consent code (law.md R4a): the centre's receptionist receives a paper
  dossier on a citizen's account and sends the one-time code; the citizen reads it on
  their phone in the sandbox SMS inbox (/sandbox/tin-nhan/); the receptionist confirms
  it through the API with the code read out; the dossier page and the citizen's API
  answer say so;
- stop-the-clock from delivery (law.md R12c): the specialist asks for a supplement; the
  worker sends the SMS, the sandbox handset's delivery report comes later (the demo's
  MOTCUA_SMS_SANDBOX_REPORT_SECONDS, 30 s, run by the scheduler's notifications-deliver
  job on the worker); until then the clock runs, and the pause starts at the report,
  not when the notice was written. Nobody opens the citizen's dossier page meanwhile
  (that is evidence too)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest

from tests.acceptance.journey import act, desktop, log_in, phone, scan_pdf

pytestmark = [pytest.mark.acceptance, pytest.mark.e2e]

PROCEDURE = "DEMO-GPLX"  # no e-form; received at the centre, settled by the police
RECEPTIONIST = "tiepnhan.ttpvhcc"
LEADER, SPECIALIST, SPECIALIST_NAME = "lanhdao.ca", "chuyenvien.ca", "Đỗ Quang Huy"
CODE = re.compile(r"Ma xac nhan (\d{6})\b")
OFFICER_NAMES = ("Đỗ Quang Huy", "Trần Đức Long")
CITIZEN = r"""
import json
from motcua.accounts.models import User
u = User.objects.get(username=NAME)
print("JSON" + json.dumps({"personal_id": u.personal_id, "phone": u.phone}))
"""


def _receive_at_counter(page, personal_id: str) -> int:
    """The centre's receptionist receives DEMO-GPLX on the citizen's account, every
    paper scanned; answers the dossier id (from the Form 01 page it leads to)."""
    page.goto("/quan-tri/ho-so/tiep-nhan/")
    page.get_by_label("Số định danh cá nhân của người nộp").fill(personal_id)
    page.get_by_role("button", name="Tìm công dân").click()
    option = page.locator("#id_version option", has_text=PROCEDURE).first
    option.wait_for(state="attached")
    page.select_option("#id_version", value=option.get_attribute("value"))
    page.get_by_role("button", name="Chọn").click()
    rows = page.locator(".component-row")
    rows.first.wait_for()
    for i in range(rows.count()):
        rows.nth(i).locator("input[type=file]").set_input_files(
            {"name": f"giay-to-{i + 1}.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}
        )
    address = page.get_by_label("Địa chỉ người nộp")
    if address.count() and not address.input_value():
        address.fill("45 Trần Phú, phường Minh An, thành phố Hội An")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn (Mẫu 01)").click()
    page.wait_for_url(re.compile(r"/quan-tri/ho-so/\d+/mau-01/$"))
    return int(re.search(r"/ho-so/(\d+)/mau-01/", page.url).group(1))


def _api(page, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """The REST API with the page's session (as a browser app calls it): a change
    carries the CSRF token, as for any session-authenticated write."""
    headers = {"Accept": "application/json"}
    options: dict = {"headers": headers}
    if method != "GET":
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        headers.update({"X-CSRFToken": token, "Content-Type": "application/json"})
        options["data"] = json.dumps(body or {})
    response = page.request.fetch(path, method=method, **options)
    text = response.text()
    return response.status, (json.loads(text) if text else {})


def test_the_counter_consent_code_from_the_sms_to_the_api(demo_site, browser):
    password = demo_site.facts["password"]
    citizen_login = demo_site.facts["citizens"][1]
    citizen = demo_site.shell(CITIZEN.replace("NAME", repr(citizen_login)))
    staff = desktop(browser, demo_site)
    page = staff.new_page()
    log_in(page, RECEPTIONIST, password)
    pk = _receive_at_counter(page, citizen["personal_id"])

    # The receptionist asks for the code from the Form 01 page's next step.
    page.locator("#consent-next").get_by_role("link", name="Lấy xác nhận của người nộp").click()
    page.wait_for_url(f"**/quan-tri/ho-so/{pk}/xac-nhan-nguoi-nop/")
    page.get_by_role("button", name="Gửi mã xác nhận").click()
    page.get_by_text("Đã gửi mã xác nhận đến số").wait_for()
    status, consent = _api(page, "GET", f"/api/v1/dossiers/{pk}/counter-consent")
    assert status == 200 and consent["state"] == "pending" and consent["code_live"], consent

    # The citizen's phone: the sandbox SMS inbox shows the code for this dossier.
    me = phone(browser, demo_site)
    p = me.new_page()
    log_in(p, citizen_login, password)
    p.goto("/sandbox/tin-nhan/")
    texts = [t for t in p.locator(".sms-text").all_inner_texts() if CODE.search(t)]
    assert texts, p.locator("main").inner_text()[:1500]
    code = CODE.search(texts[0]).group(1)

    # Read out at the counter; the receptionist types it — through the API this time.
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    status, problem = _api(
        page, "POST", f"/api/v1/dossiers/{pk}/counter-consent/confirm", {"code": wrong}
    )
    assert status == 400 and problem["code"] == "consent_refused", problem
    status, consent = _api(
        page, "POST", f"/api/v1/dossiers/{pk}/counter-consent/confirm", {"code": code}
    )
    assert status == 200 and consent["state"] == "confirmed", consent
    page.goto(f"/quan-tri/ho-so/{pk}/")
    assert "Người nộp đã xác nhận bằng mã một lần" in page.locator("#consent-status").inner_text()

    # The citizen's side: confirmed, nothing to answer; the plain timeline names a unit
    # and a role, never an officer.
    status, mine = _api(p, "GET", f"/api/v1/dossiers/{pk}/counter-consent")
    assert status == 200 and mine["state"] == "confirmed" and not mine["without_consent"], mine
    status, plain = _api(p, "GET", f"/api/v1/dossiers/{pk}/plain-timeline")
    assert status == 200 and plain["sentences"] and plain["holder"], plain
    assert not any(name in json.dumps(plain, ensure_ascii=False) for name in OFFICER_NAMES)
    me.close()
    staff.close()


def test_the_supplement_pause_starts_at_the_sms_delivery_report(demo_site, browser):
    password = demo_site.facts["password"]
    citizen_login = demo_site.facts["citizens"][1]
    citizen = demo_site.shell(CITIZEN.replace("NAME", repr(citizen_login)))
    office = desktop(browser, demo_site)
    o = office.new_page()

    def as_officer(username: str) -> None:
        office.clear_cookies()
        log_in(o, username, password)

    as_officer(RECEPTIONIST)
    pk = _receive_at_counter(o, citizen["personal_id"])
    as_officer(LEADER)
    act(o, pk, "assign", {"assignee": SPECIALIST_NAME})
    as_officer(SPECIALIST)
    act(
        o,
        pk,
        "request_supplement",
        {"item_*": "on", "why_*": "Bản chụp giấy khám sức khỏe bị mờ, đề nghị nộp bản rõ."},
    )

    # Written, not delivered yet: the clock runs (the report comes 30 s after the send).
    status, notice = _api(o, "GET", f"/api/v1/dossiers/{pk}/supplement-notice")
    assert status == 200 and notice["delivered_at"] is None, notice
    written = dt.datetime.fromisoformat(notice["written_at"])
    me = phone(browser, demo_site)
    p = me.new_page()
    log_in(p, citizen_login, password)  # the account page: no evidence by itself
    status, plain = _api(p, "GET", f"/api/v1/dossiers/{pk}/plain-timeline")
    assert status == 200 and not plain["paused"] and plain["remaining_seconds"] is not None, plain

    # The worker sent the SMS; the scheduler's notifications-deliver job (every minute,
    # on the worker) records the sandbox handset's delivery report.
    deadline = time.monotonic() + 240
    while notice["delivered_at"] is None and time.monotonic() < deadline:
        time.sleep(5)
        status, notice = _api(o, "GET", f"/api/v1/dossiers/{pk}/supplement-notice")
        assert status == 200, notice
    assert notice["delivered_at"], (notice, demo_site.log("run_worker")[-3000:])
    delivered = dt.datetime.fromisoformat(notice["delivered_at"])
    assert notice["evidence"] == "sms", notice
    assert notice["paused_from"] == notice["delivered_at"], notice
    assert delivered - written >= dt.timedelta(seconds=30), (written, delivered)

    # The citizen: paused now, asked to supplement; the SMS is on the phone.
    status, plain = _api(p, "GET", f"/api/v1/dossiers/{pk}/plain-timeline")
    assert status == 200 and plain["paused"] and plain["todo_kind"] == "supplement", plain
    p.goto("/sandbox/tin-nhan/")
    assert citizen["phone"] in p.locator("main").inner_text()
    # Nothing to phone about: the receptionists' list stays empty for this dossier.
    as_officer(RECEPTIONIST)
    status, listed = _api(o, "GET", "/api/v1/worklist/to-phone")
    assert status == 200 and pk not in [row["id"] for row in listed["items"]], listed
    me.close()
    office.close()
